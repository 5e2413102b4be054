import { expect } from "chai";
import { emailAddressOf, emailKeyOf, emailProblem } from "../../src/domain/email-address.js";

describe("email addresses (domain/email-address)", () => {
  it("keeps the local part as typed, lower-cases the domain, and compares the whole address folded", () => {
    expect(emailAddressOf("  Ana.Rahman+tickets@Mail.Example.COM ")).to.deep.equal({
      address: "Ana.Rahman+tickets@mail.example.com",
      key: "ana.rahman+tickets@mail.example.com",
    });
  });

  it("makes one address of the composed and decomposed forms of a letter", () => {
    expect(emailKeyOf("jos\u00e9@example.com")).to.equal(emailKeyOf("jose\u0301@example.com"));
  });

  it("accepts ordinary and international addresses", () => {
    for (const email of ["a@b.co", "o'brien@example.ie", "用户@例子.广告", "x_y-z@sub.domain.example"]) {
      expect(emailProblem(email), email).to.equal(undefined);
    }
  });

  it("refuses what is not an address, saying why", () => {
    for (const email of ["", "plain", "@example.com", "a@", "a@localhost", "a b@example.com", "a..b@example.com"]) {
      expect(emailProblem(email), email).to.be.a("string");
    }
    expect(emailProblem(`${"a".repeat(65)}@example.com`)).to.match(/64 characters/);
    expect(emailProblem(`a@${"b".repeat(250)}.com`)).to.match(/254/);
    expect(emailProblem('"quoted"@example.com')).to.match(/email address/);
  });
});
