import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { devKeys, FieldCipher, keyIdOf, parseKeys } from "../../src/crypto/field-cipher.js";

const key = () => randomBytes(32).toString("base64");

describe("FieldCipher", () => {
  const keys = parseKeys(`k1:${key()},k2:${key()}`);
  const k1 = new FieldCipher({ keys, currentKeyId: "k1" });
  const k2 = new FieldCipher({ keys, currentKeyId: "k2" });

  it("seals as <kid>:<iv>:<ciphertext+tag> and opens it again", () => {
    const sealed = k1.seal("pi_123", "payment.provider_intent_id:p1");
    expect(sealed).to.match(/^k1:[\w-]{16}:[\w-]+$/);
    expect(sealed).to.not.include("pi_123");
    expect(k1.open(sealed, "payment.provider_intent_id:p1")).to.equal("pi_123");
  });

  it("seals the same value differently each time", () => {
    expect(k1.seal("4242", "x")).to.not.equal(k1.seal("4242", "x"));
  });

  it("opens values sealed under any key of the keyring, and seals under the current one", () => {
    const old = k1.seal("tok_1", "p");
    expect(k2.open(old, "p")).to.equal("tok_1");
    expect(keyIdOf(k2.seal("tok_1", "p"))).to.equal("k2");
    expect(k2.isStale(old)).to.equal(true);
    expect(k1.isStale(old)).to.equal(false);
  });

  it("refuses a value moved to another row or column", () => {
    const sealed = k1.seal("4242", "payment.card_last4:p1");
    expect(() => k1.open(sealed, "payment.card_last4:p2")).to.throw();
    expect(() => k1.open(sealed, "payment.card_brand:p1")).to.throw();
  });

  it("refuses an altered value", () => {
    const sealed = k1.seal("4242", "p");
    const [kid, iv, body = ""] = sealed.split(":");
    const bytes = Buffer.from(body, "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => k1.open(`${kid}:${iv}:${bytes.toString("base64url")}`, "p")).to.throw();
  });

  it("refuses a value under a key the keyring no longer has, naming only the kid", () => {
    const only2 = new FieldCipher({ keys: parseKeys(`k2:${key()}`), currentKeyId: "k2" });
    expect(() => only2.open(k1.seal("x", "payment.card_last4:p"), "payment.card_last4:p")).to.throw(/no key "k1"/);
  });

  it("refuses a current key id the keyring does not have", () => {
    expect(() => new FieldCipher({ keys, currentKeyId: "k3" })).to.throw(/not in the keyring/);
  });
});

describe("parseKeys", () => {
  it("reads kid:base64 pairs, standard or url-safe", () => {
    const raw = randomBytes(32);
    const keys = parseKeys(`a:${raw.toString("base64")}, b_2:${raw.toString("base64url")}`);
    expect([...keys.keys()]).to.deep.equal(["a", "b_2"]);
    expect(keys.get("b_2")?.equals(raw)).to.equal(true);
  });

  it("refuses short keys, bad kids and repeats without echoing a key", () => {
    const short = randomBytes(16).toString("base64");
    expect(() => parseKeys(`k1:${short}`)).to.throw(/32 bytes/);
    try {
      parseKeys(`k1:${short}`);
    } catch (error) {
      expect((error as Error).message).to.not.include(short);
    }
    expect(() => parseKeys(`k:1:${key()}`)).to.throw(/kid/);
    expect(() => parseKeys(key())).to.throw(/entry 1/);
    expect(() => parseKeys(`k1:${key()},k1:${key()}`)).to.throw(/twice/);
  });

  it("has a development keyring with the kid dev", () => {
    expect([...parseKeys(devKeys).keys()]).to.deep.equal(["dev"]);
  });
});
