import { expect } from "chai";
import type { Token } from "../src/api.js";
import type { PaymentGateway } from "../src/server.js";
import { authorize, call, cards, type Failure, futureYear, post, startTestGateway } from "./support.js";

const shop = "https://shop.example.com";

function card(overrides: Record<string, unknown> = {}) {
  return { card: { number: cards.success, exp_month: 12, exp_year: futureYear, cvc: "123", ...overrides } };
}

describe("POST /v1/tokens", () => {
  let gateway: PaymentGateway;

  before(async () => {
    gateway = await startTestGateway({ allowedOrigins: [shop] });
  });

  after(() => gateway.close());

  it("tokenizes a valid card and keeps only brand, last4 and expiry", async () => {
    const reply = await post<Token>(gateway, "/v1/tokens", card({ number: "4242 4242 4242 4242" }), {
      secretKey: null,
    });

    expect(reply.status).to.equal(200);
    expect(reply.body.id).to.match(/^tok_[A-Za-z0-9]{24}$/);
    expect(reply.body.card).to.deep.equal({ brand: "visa", last4: "4242", exp_month: 12, exp_year: futureYear });
    expect(reply.body.used).to.equal(false);
    expect(reply.text).not.to.include(cards.success);
    expect(reply.text).not.to.include('"123"');
  });

  it("recognizes the brand from the number", async () => {
    const mastercard = await post<Token>(gateway, "/v1/tokens", card({ number: "5555555555554444" }), {
      secretKey: null,
    });
    const amex = await post<Token>(gateway, "/v1/tokens", card({ number: "378282246310005", cvc: "1234" }), {
      secretKey: null,
    });

    expect(mastercard.body.card.brand).to.equal("mastercard");
    expect(amex.body.card.brand).to.equal("amex");
  });

  it("refuses a number that fails the Luhn check, naming the field", async () => {
    const reply = await post<Failure>(gateway, "/v1/tokens", card({ number: "4242424242424241" }), { secretKey: null });

    expect(reply.status).to.equal(400);
    expect(reply.body.error).to.deep.include({ type: "card_error", code: "incorrect_number", param: "card[number]" });
    expect(reply.text).not.to.include("4242424242424241");
  });

  it("refuses a number with letters or the wrong length", async () => {
    const reply = await post<Failure>(gateway, "/v1/tokens", card({ number: "4242abcd" }), { secretKey: null });

    expect(reply.status).to.equal(400);
    expect(reply.body.error).to.deep.include({ code: "invalid_number", param: "card[number]" });
  });

  it("refuses a card that expired last year", async () => {
    const year = new Date().getUTCFullYear() - 1;
    const reply = await post<Failure>(gateway, "/v1/tokens", card({ exp_year: year }), { secretKey: null });

    expect(reply.status).to.equal(400);
    expect(reply.body.error).to.deep.include({ type: "card_error", code: "expired_card", param: "card[exp_year]" });
  });

  it("refuses a card that expired earlier this year, and accepts one that runs to the end of this month", async () => {
    const now = new Date();
    const thisMonth = now.getUTCMonth() + 1;
    const current = await post<Token>(
      gateway,
      "/v1/tokens",
      card({ exp_month: thisMonth, exp_year: now.getUTCFullYear() }),
      { secretKey: null },
    );
    expect(current.status).to.equal(200);
    if (thisMonth === 1) return; // No earlier month this year to try.

    const reply = await post<Failure>(
      gateway,
      "/v1/tokens",
      card({ exp_month: thisMonth - 1, exp_year: now.getUTCFullYear() }),
      { secretKey: null },
    );
    expect(reply.status).to.equal(400);
    expect(reply.body.error).to.deep.include({ code: "expired_card", param: "card[exp_month]" });
  });

  it("refuses an invalid month, a bad CVC and a missing field", async () => {
    const month = await post<Failure>(gateway, "/v1/tokens", card({ exp_month: 13 }), { secretKey: null });
    const cvc = await post<Failure>(gateway, "/v1/tokens", card({ cvc: "12" }), { secretKey: null });
    const missing = await post<Failure>(
      gateway,
      "/v1/tokens",
      { card: { number: cards.success } },
      { secretKey: null },
    );

    expect(month.body.error).to.deep.include({ code: "invalid_expiry_month", param: "card[exp_month]" });
    expect(cvc.body.error).to.deep.include({ code: "invalid_cvc", param: "card[cvc]" });
    expect(missing.body.error).to.deep.include({ code: "parameter_missing", param: "card[exp_month]" });
  });

  it("makes single-use tokens: a second authorization with the same token is refused", async () => {
    const token = await post<Token>(gateway, "/v1/tokens", card(), { secretKey: null });
    const first = await authorize(gateway, token.body.id);
    const second = await authorize(gateway, token.body.id);

    expect(first.status).to.equal(200);
    expect(second.status).to.equal(400);
    expect((second.body as unknown as Failure).error).to.deep.include({ code: "token_already_used", param: "token" });
  });

  describe("from a browser", () => {
    it("answers the preflight of an allowed origin, allowing POST with the content type only", async () => {
      const reply = await call(gateway, "OPTIONS", "/v1/tokens", undefined, {
        secretKey: null,
        origin: shop,
        headers: { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
      });

      expect(reply.status).to.equal(204);
      expect(reply.headers.get("access-control-allow-origin")).to.equal(shop);
      expect(reply.headers.get("access-control-allow-methods")).to.equal("POST");
      expect(reply.headers.get("access-control-allow-headers")).to.include("content-type");
      expect(reply.headers.get("access-control-allow-headers")).not.to.include("authorization");
    });

    it("refuses the preflight of an origin not in ALLOWED_ORIGINS, with no CORS headers", async () => {
      const reply = await call<Failure>(gateway, "OPTIONS", "/v1/tokens", undefined, {
        secretKey: null,
        origin: "https://evil.example.com",
        headers: { "Access-Control-Request-Method": "POST" },
      });

      expect(reply.status).to.equal(403);
      expect(reply.headers.get("access-control-allow-origin")).to.equal(null);
      expect(reply.body.error.code).to.equal("origin_not_allowed");
    });

    it("refuses a preflight that asks to send an Authorization header", async () => {
      const reply = await call(gateway, "OPTIONS", "/v1/tokens", undefined, {
        secretKey: null,
        origin: shop,
        headers: { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" },
      });

      expect(reply.status).to.equal(403);
      expect(reply.headers.get("access-control-allow-origin")).to.equal(null);
    });

    it("lets an allowed origin read the token, and refuses another origin's request", async () => {
      const allowed = await post<Token>(gateway, "/v1/tokens", card(), { secretKey: null, origin: shop });
      const refused = await post<Failure>(gateway, "/v1/tokens", card(), {
        secretKey: null,
        origin: "https://evil.example.com",
      });

      expect(allowed.status).to.equal(200);
      expect(allowed.headers.get("access-control-allow-origin")).to.equal(shop);
      expect(refused.status).to.equal(403);
      expect(refused.headers.get("access-control-allow-origin")).to.equal(null);
    });

    it("keeps payment intents server-to-server: no preflight, and any request with an Origin is refused", async () => {
      const preflight = await call(gateway, "OPTIONS", "/v1/payment_intents", undefined, {
        secretKey: null,
        origin: shop,
        headers: { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" },
      });
      const withOrigin = await post<Failure>(
        gateway,
        "/v1/payment_intents",
        { amount: 100, currency: "usd", token: "tok_x" },
        { origin: shop },
      );

      expect(preflight.status).to.equal(403);
      expect(preflight.headers.get("access-control-allow-origin")).to.equal(null);
      expect(withOrigin.status).to.equal(403);
      expect(withOrigin.headers.get("access-control-allow-origin")).to.equal(null);
      expect(withOrigin.body.error.code).to.equal("origin_not_allowed");
    });
  });
});
