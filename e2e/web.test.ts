import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { waitFor } from "@marquee/mesh/testing";
import { CatalogService } from "@marquee/proto/marquee/catalog/v1/catalog_pb.js";
import { OrderState } from "@marquee/proto/marquee/ordering/v1/order_pb.js";
import { OrderingService } from "@marquee/proto/marquee/ordering/v1/ordering_pb.js";
import { SearchService } from "@marquee/proto/marquee/search/v1/search_pb.js";
import { repoRoot, type Stack, startStack } from "@marquee/scripts/stack";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, newBuyer, signIn, stepShots } from "./support/browser.js";
import { bearer, publishedConcert } from "./support/fixtures.js";

/**
 * The web app in a real Chromium against the stack `npm start` runs, each flow as buyers click through
 * it (issue #24): search, the live seat map, the hold's countdown, paying at the gateway's tokenization,
 * tickets with QR codes and the booking history; a coach seat sold per leg; two browsers racing for a
 * seat; a declined card. Each step's screenshot is under e2e/test-output/web/.
 */
describe("the web app in Chromium (issue #24)", function () {
  this.timeout(240_000);
  const dataDir = join(repoRoot, ".data", "test", `e2e-web-${process.pid}`);
  // Offsets ending in 85 are used by no other stack of the suites (see canonical-ids.test.ts).
  const portOffset = 13_085 + (process.pid % 15) * 100;
  const password = "a long passphrase for the web test";

  let stack: Stack;
  let browser: Browser;
  let catalog: Client<typeof CatalogService>;
  let ordering: Client<typeof OrderingService>;
  let search: Client<typeof SearchService>;
  const contexts: BrowserContext[] = [];

  async function buyerPage(): Promise<Page> {
    const context = await newBuyer(browser, stack.bffUrl ?? "");
    contexts.push(context);
    return context.newPage();
  }

  /** A new account registered on the app's page, signed in on `page`. */
  async function register(page: Page, name: string): Promise<string> {
    const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${randomUUID().slice(0, 8)}@example.test`;
    await page.goto("/register");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("signed-in-as").waitFor();
    return email;
  }

  const seat = (page: Page, seatId: string) => page.locator(`[data-seat-id="${seatId}"]`);

  /** Pays on the checkout page with `card` and waits for the answer: the order page, or the problem. */
  async function pay(page: Page, card: string): Promise<void> {
    await page.getByLabel("Card number").fill(card);
    await page.getByLabel("Expiry").fill(`12/${(new Date().getUTCFullYear() + 2) % 100}`);
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: /^Pay / }).click();
    await Promise.race([page.waitForURL(/\/orders\//), page.getByTestId("payment-problem").waitFor()]);
  }

  before(async () => {
    stack = await startStack({ dataDir, portOffset, logLevel: "warn", isRateLimited: false });
    if (stack.bffUrl === undefined) throw new Error("the stack started without a BFF");
    const connect = createConnectTransport({ baseUrl: stack.bffUrl, httpVersion: "1.1" });
    catalog = createClient(CatalogService, connect);
    ordering = createClient(OrderingService, connect);
    search = createClient(SearchService, connect);
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a buyer searches, picks two seats on the map, sees the countdown, pays, and gets tickets with QR codes", async () => {
    const title = `Web night ${randomUUID().slice(0, 6)}`;
    await publishedConcert(catalog, stack.tokens.organizer, title);
    const shot = stepShots("buyer-pays-two-seats");
    const page = await buyerPage();
    await signIn(page, stack.demoAccounts.customer.email, stack.demoAccounts.customer.password);

    // Search finds it within seconds of its publishing (its read model follows catalog's events).
    await waitFor("search to list the new concert", async () => {
      const found = await search.searchEvents({ query: title });
      return found.results.some((result) => result.title === title);
    });
    await page.goto("/");
    await page.getByLabel("City or stop").fill("Chattogram");
    // The floor's 800 taka is its lowest price: under 1,000, so a price filter up to 1,000 keeps it.
    await page.getByLabel("Highest price").fill("1000");
    await page.getByRole("link", { name: title }).waitFor();
    await shot(page, "search");
    await page.getByRole("link", { name: title }).click();
    await seat(page, "stalls:A-3").and(page.locator('[data-state="free"]')).waitFor();
    await shot(page, "event-page");

    await seat(page, "stalls:A-3").click();
    await seat(page, "stalls:A-4").click();
    expect(await seat(page, "stalls:A-3").getAttribute("aria-checked")).to.equal("true");
    await shot(page, "two-seats-picked");
    await page.getByRole("button", { name: "Hold selected seats (2)" }).click();
    const countdown = page.getByTestId("countdown");
    await countdown.waitFor();
    const before = await countdown.textContent();
    expect(before).to.match(/^\d+:\d\d$/);
    // It counts down: a second later it says less.
    await waitFor("the countdown to tick", async () => (await countdown.textContent()) !== before, { timeoutMs: 3000 });
    await shot(page, "held-with-countdown");

    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByTestId("total").waitFor();
    expect(await page.getByTestId("total").textContent()).to.match(/3,075\.00/);
    await shot(page, "checkout");
    await pay(page, "4242 4242 4242 4242");
    expect(page.url()).to.match(/\/orders\/[\w-]+$/);
    const tickets = page.getByTestId("ticket");
    await tickets.first().waitFor();
    expect(await tickets.count()).to.equal(2);
    const qr = page.getByRole("img", { name: /QR code of the ticket for Stalls Row A, Seat 3$/ });
    await qr.waitFor();
    expect(await qr.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).to.be.greaterThan(
      100,
    );
    await shot(page, "tickets");

    const orderId = page.url().split("/").pop() ?? "";
    await page.getByRole("link", { name: "My tickets" }).first().click();
    await page.getByRole("link", { name: orderId }).waitFor();
    await shot(page, "booking-history");
    const { order } = await ordering.getOrder({ orderId }, bearer(stack.tokens.customer));
    expect(order?.state).to.equal(OrderState.CONFIRMED);
    expect(order?.tickets.map((ticket) => ticket.seatId).sort()).to.deep.equal(["stalls:A-3", "stalls:A-4"]);

    // And by e-mail (the notification service, to the local mail sink): the tickets' QR codes as images
    // and a calendar entry for the night.
    const mail = await waitFor(
      "the tickets by e-mail",
      () => stack.mail.mails.find((sent) => sent.text.includes(orderId) && sent.subject.startsWith("Your tickets")),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(mail.to).to.deep.equal([stack.demoAccounts.customer.email]);
    const raw = mail.raw.toString("latin1");
    expect(raw.match(/Content-Type: image\/png/gi)).to.have.length(2);
    expect(raw).to.match(/Content-Type: text\/calendar/i);
  });

  it("a traveller books Dhaka → Jessore on the coach, and another then gets the same seat Jessore → Kolkata", async () => {
    const shot = stepShots("coach-per-leg");
    const first = await buyerPage();
    await signIn(first, stack.demoAccounts.customer.email, stack.demoAccounts.customer.password);
    await first.goto("/?kind=2");
    await first.getByRole("link", { name: "Dhaka → Kolkata (Diu Paribahan)" }).click();
    await first.getByLabel("Board at").selectOption({ label: "Sayedabad Bus Terminal" });
    await first.getByLabel("Get off at").selectOption({ label: "Jessore Bus Terminal" });
    const free = first.locator('[data-seat-id][data-state="free"]').first();
    await free.waitFor();
    const seatId = (await free.getAttribute("data-seat-id")) ?? "";
    await free.click();
    await shot(first, "dhaka-jessore-picked");
    await first.getByRole("button", { name: "Hold selected seats (1)" }).click();
    await first.getByRole("button", { name: "Checkout" }).click();
    await first.getByTestId("total").waitFor();
    await pay(first, "4242424242424242");
    expect(first.url()).to.match(/\/orders\//);
    await first.getByTestId("ticket").waitFor();
    await first.getByText("Sayedabad Bus Terminal → Jessore Bus Terminal").waitFor();
    await shot(first, "dhaka-jessore-ticket");

    const second = await buyerPage();
    await register(second, "Anika Traveller");
    // A route search, Jessore to Kolkata, finds the Dhaka → Kolkata coach, which stops at both: the result is
    // that ride, with its fare, and its page opens with the ride picked.
    await second.goto(first.url().replace(/\/orders\/.*/, "/"));
    await second.getByLabel("Leaving from").fill("Jessore");
    await second.getByLabel("Going to").fill("Kolkata");
    const ride = second.getByRole("listitem").filter({ hasText: "Jessore Bus Terminal → Marquis Street" });
    await ride.waitFor();
    await shot(second, "route-search");
    await ride.getByRole("link", { name: "Dhaka → Kolkata (Diu Paribahan)" }).click();
    const picked = (label: string) => second.getByLabel(label).locator("option:checked").textContent();
    await seat(second, seatId).and(second.locator('[data-state="free"]')).waitFor();
    expect(await picked("Board at")).to.equal("Jessore Bus Terminal");
    expect(await picked("Get off at")).to.equal("Marquis Street");
    // The whole route: the seat is sold on its first legs, so not free.
    await second.getByLabel("Board at").selectOption({ label: "Sayedabad Bus Terminal" });
    await seat(second, seatId).and(second.locator('[data-state="sold"]')).waitFor();
    await second.getByLabel("Board at").selectOption({ label: "Jessore Bus Terminal" });
    await second.getByLabel("Get off at").selectOption({ label: "Marquis Street" });
    await seat(second, seatId).and(second.locator('[data-state="free"]')).waitFor();
    await seat(second, seatId).click();
    await shot(second, "jessore-kolkata-same-seat");
    await second.getByRole("button", { name: "Hold selected seats (1)" }).click();
    await second.getByRole("button", { name: "Checkout" }).click();
    await second.getByTestId("total").waitFor();
    await pay(second, "4242424242424242");
    expect(second.url()).to.match(/\/orders\//);
    await second.getByTestId("ticket").waitFor();
    await second.getByText("Jessore Bus Terminal → Marquis Street").waitFor();
    await shot(second, "jessore-kolkata-ticket");
  });

  it("two browsers race for one seat: one holds it, the other sees it taken within a second, with a message", async () => {
    const title = `Race night ${randomUUID().slice(0, 6)}`;
    const eventId = await publishedConcert(catalog, stack.tokens.organizer, title);
    const shot = stepShots("two-browsers-race");
    const [a, b] = [await buyerPage(), await buyerPage()];
    await signIn(a, stack.demoAccounts.customer.email, stack.demoAccounts.customer.password);
    await register(b, "Rival Buyer");
    for (const page of [a, b]) {
      await page.goto(`/events/${eventId}`);
      await seat(page, "stalls:B-5").and(page.locator('[data-state="free"]')).waitFor();
      await seat(page, "stalls:B-5").click();
    }
    // Both press "Hold" at the same moment: a click dispatched in each page, not one after the other.
    const hold = (page: Page) =>
      page
        .getByRole("button", { name: "Hold selected seats (1)" })
        .evaluate((button) => (button as unknown as { click(): void }).click());
    await Promise.all([hold(a), hold(b)]);
    const holdPanel = (page: Page) => page.getByRole("region", { name: "Your hold" });
    // The loser hears it one of two ways, both in words: its hold refused ("Someone else just took…"),
    // or, when the winner's hold reached its map first, its pick dropped ("…just taken by someone else").
    const told = (page: Page) => page.getByTestId("error").or(page.getByTestId("seats-lost"));
    const outcome = async (page: Page) => {
      await holdPanel(page).or(told(page)).first().waitFor();
      return (await holdPanel(page).count()) > 0 ? "held" : "refused";
    };
    const results = await Promise.all([outcome(a), outcome(b)]);
    expect([...results].sort()).to.deep.equal(["held", "refused"]);
    const loser = results[0] === "refused" ? a : b;
    expect(await told(loser).first().textContent()).to.match(/Someone else just took|just taken by someone else/);
    // The loser's map shows the seat taken within a second of the winner's hold.
    await seat(loser, "stalls:B-5").and(loser.locator('[data-state="held"]')).waitFor({ timeout: 1000 });
    await shot(loser, "loser-sees-seat-taken");

    // A third browser that only watches sees a new hold appear within a second, no reload.
    const winner = loser === a ? b : a;
    const watcher = await buyerPage();
    await watcher.goto(`/events/${eventId}`);
    await seat(watcher, "stalls:B-6").and(watcher.locator('[data-state="free"]')).waitFor();
    await winner.getByRole("button", { name: "Release" }).click();
    await seat(winner, "stalls:B-6").click();
    await winner.getByRole("button", { name: "Hold selected seats (1)" }).click();
    const heldAt = Date.now();
    await seat(watcher, "stalls:B-6").and(watcher.locator('[data-state="held"]')).waitFor({ timeout: 1000 });
    expect(Date.now() - heldAt).to.be.lessThan(1000);
    await seat(watcher, "stalls:B-5").and(watcher.locator('[data-state="free"]')).waitFor({ timeout: 1000 });
    await shot(watcher, "watcher-sees-hold-and-release");
  });

  it("a declined card leaves no paid order, and the buyer pays with another card", async () => {
    const eventId = await publishedConcert(
      catalog,
      stack.tokens.organizer,
      `Declined night ${randomUUID().slice(0, 6)}`,
    );
    const shot = stepShots("declined-then-paid");
    const page = await buyerPage();
    await register(page, "Declined Buyer");
    await page.goto(`/events/${eventId}`);
    await seat(page, "stalls:A-9").and(page.locator('[data-state="free"]')).waitFor();
    await seat(page, "stalls:A-9").click();
    await page.getByRole("button", { name: "Hold selected seats (1)" }).click();
    await page.getByRole("button", { name: "Checkout" }).click();
    await page.getByTestId("total").waitFor();
    await pay(page, "4000 0000 0000 0002");
    expect(await page.getByTestId("payment-problem").textContent()).to.contain("Your card was declined");
    await shot(page, "declined");
    await pay(page, "4242 4242 4242 4242");
    expect(page.url()).to.match(/\/orders\//);
    await shot(page, "paid-with-another-card");

    await page.getByRole("link", { name: "My tickets" }).first().click();
    await page.getByTestId("order-row").first().waitFor();
    const rows = await page.getByTestId("order-row").allTextContents();
    expect(rows.filter((row) => row.includes("Confirmed"))).to.have.length(1);
    expect(rows.filter((row) => row.includes("Failed"))).to.have.length(1);
  });

  it("the main pages have no serious or critical accessibility violation (axe), in English and Bengali", async () => {
    const eventId = await publishedConcert(
      catalog,
      stack.tokens.organizer,
      `Accessible night ${randomUUID().slice(0, 6)}`,
    );
    const page = await buyerPage();
    await signIn(page, stack.demoAccounts.customer.email, stack.demoAccounts.customer.password);
    const { orders } = await ordering.listMyOrders({}, bearer(stack.tokens.customer));
    const orderId = orders[0]?.id ?? "";
    const pages: Record<string, { path: string; ready: () => Promise<unknown> }> = {
      home: { path: "/", ready: () => page.getByRole("list", { name: /./ }).first().waitFor() },
      event: { path: `/events/${eventId}`, ready: () => page.locator('[data-state="free"]').first().waitFor() },
      order: { path: `/orders/${orderId}`, ready: () => page.getByTestId("ticket").first().waitFor() },
      tickets: { path: "/tickets", ready: () => page.getByTestId("order-row").first().waitFor() },
    };
    for (const language of ["en", "bn"] as const) {
      const shot = stepShots(`accessible-pages-${language}`);
      await page.evaluate((lang) => localStorage.setItem("marquee.language", lang), language);
      for (const [name, { path, ready }] of Object.entries(pages)) {
        await page.goto(path);
        await ready();
        expect(await page.locator("html").getAttribute("lang"), name).to.equal(language);
        const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
        const serious = violations
          .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
          .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
        expect(serious, `${name} in ${language}`).to.deep.equal([]);
        await shot(page, name);
      }
    }
    // The Bengali pages are in Bengali, not English with a Bengali flag.
    await page.goto("/tickets");
    await page.getByRole("heading", { name: "আমার টিকিট" }).waitFor();
  });

  it("a signed-out buyer who picks seats is sent to sign in and brought back to the event", async () => {
    const eventId = await publishedConcert(catalog, stack.tokens.organizer, `Return night ${randomUUID().slice(0, 6)}`);
    const page = await buyerPage();
    await page.goto(`/events/${eventId}`);
    await seat(page, "stalls:B-1").and(page.locator('[data-state="free"]')).waitFor();
    await seat(page, "stalls:B-1").click();
    await page.getByRole("button", { name: "Hold selected seats (1)" }).click();
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel("E-mail").fill(stack.demoAccounts.customer.email);
    await page.getByLabel("Password").fill(stack.demoAccounts.customer.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(new RegExp(`/events/${eventId}$`));
    await seat(page, "stalls:B-1").and(page.locator('[data-state="free"]')).waitFor();
  });

  it("fits a phone: the event page and checkout scroll only vertically, and a seat is picked by a tap", async () => {
    const eventId = await publishedConcert(catalog, stack.tokens.organizer, `Phone night ${randomUUID().slice(0, 6)}`);
    const shot = stepShots("phone");
    const context = await browser.newContext({
      baseURL: stack.bffUrl ?? "",
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    contexts.push(context);
    const page = await context.newPage();
    const fitsWidth = () => page.evaluate("document.documentElement.scrollWidth <= window.innerWidth");
    await signIn(page, stack.demoAccounts.customer.email, stack.demoAccounts.customer.password);
    await page.goto(`/events/${eventId}`);
    await seat(page, "stalls:B-9").and(page.locator('[data-state="free"]')).waitFor();
    expect(await fitsWidth(), "the event page is no wider than the phone").to.equal(true);
    await seat(page, "stalls:B-9").tap();
    await shot(page, "event-page");
    await page.getByRole("button", { name: "Hold selected seats (1)" }).tap();
    await page.getByRole("button", { name: "Checkout" }).tap();
    await page.getByTestId("total").waitFor();
    expect(await fitsWidth(), "the checkout is no wider than the phone").to.equal(true);
    await shot(page, "checkout");
  });

  it("a hold left to expire frees the seat on another browser's map, and its buyer is told", async function () {
    // The shortest hold an organizer may set is a minute (catalog's rule).
    this.timeout(180_000);
    const eventId = await publishedConcert(
      catalog,
      stack.tokens.organizer,
      `Expiry night ${randomUUID().slice(0, 6)}`,
      {
        maxSeatsPerUser: 8,
        holdDuration: { seconds: 60n },
      },
    );
    const shot = stepShots("hold-expires");
    const [holder, watcher] = [await buyerPage(), await buyerPage()];
    await signIn(holder, stack.demoAccounts.customer.email, stack.demoAccounts.customer.password);
    await watcher.goto(`/events/${eventId}`);
    await holder.goto(`/events/${eventId}`);
    await seat(holder, "stalls:A-7").and(holder.locator('[data-state="free"]')).waitFor();
    await seat(holder, "stalls:A-7").click();
    await holder.getByRole("button", { name: "Hold selected seats (1)" }).click();
    await holder.getByTestId("countdown").waitFor();
    await seat(watcher, "stalls:A-7").and(watcher.locator('[data-state="held"]')).waitFor({ timeout: 1000 });
    await shot(watcher, "watcher-sees-held");
    // A minute later the hold lapses: the watcher's map frees the seat with no reload, the holder is told.
    await seat(watcher, "stalls:A-7").and(watcher.locator('[data-state="free"]')).waitFor({ timeout: 90_000 });
    await shot(watcher, "watcher-sees-free-again");
    await holder.getByText("Your hold has expired").waitFor({ timeout: 5000 });
    await shot(holder, "holder-told-expired");
  });
});
