import { expect } from "chai";
import { passwordProblem } from "../../src/domain/password-policy.js";

describe("the password policy (domain/password-policy)", () => {
  it("accepts a long passphrase of any characters, without composition rules", () => {
    for (const password of ["correct horse battery", "ঢাকা থেকে কলকাতা", "zqxwvutsrqpo"]) {
      expect(passwordProblem(password), password).to.equal(undefined);
    }
  });

  it("counts characters, not bytes, after NFKC", () => {
    // Twelve code points as typed, eleven characters once "e" and the combining accent compose.
    expect(passwordProblem("cafe\u0301 au lai")).to.match(/at least 12/);
    expect(passwordProblem("cafe\u0301 au lait")).to.equal(undefined);
    expect(passwordProblem("x".repeat(128).replace(/^x/, "y"))).to.equal(undefined);
    expect(passwordProblem("y".repeat(129))).to.match(/at most 128/);
  });

  it("refuses common passwords, common words with digits appended, and one character repeated", () => {
    for (const password of ["123456789012", "Password1234!", "QWERTY123456", "iloveyou2026!!", "zzzzzzzzzzzzzz"]) {
      expect(passwordProblem(password), password).to.match(/too common/);
    }
  });

  it("refuses the account's address, or the part before its @, in any case", () => {
    expect(passwordProblem("Ana.Rahman@Example.com", "ana.rahman@example.com")).to.match(/email address/);
    expect(passwordProblem("ANA.RAHMAN.1990", "ana.rahman.1990@example.com")).to.match(/email address/);
    expect(passwordProblem("ana.rahman.1990", "someone@example.com")).to.equal(undefined);
  });
});
