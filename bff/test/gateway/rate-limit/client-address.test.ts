import type { HeaderReader } from "@marquee/mesh";
import { expect } from "chai";
import { addressBucketOf, clientAddressOf, normalized } from "../../../src/gateway/rate-limit/client-address.js";

function headers(values: Record<string, string>): HeaderReader {
  return { get: (name) => values[name], keys: () => Object.keys(values) };
}

describe("clientAddressOf", () => {
  it("is the TCP peer when the BFF is not behind a proxy, whatever x-forwarded-for claims", () => {
    const claimed = headers({ "x-forwarded-for": "198.51.100.9" });
    expect(clientAddressOf("203.0.113.5", claimed, false)).to.equal("203.0.113.5");
  });

  it("is the last x-forwarded-for entry behind a proxy: the one the proxy appended, not what the client claimed before it", () => {
    const forwarded = headers({ "x-forwarded-for": "198.51.100.9, 10.0.0.1 , 203.0.113.5" });
    expect(clientAddressOf("10.1.2.3", forwarded, true)).to.equal("203.0.113.5");
  });

  it("is undefined behind a proxy that sent no usable address, rather than the proxy's own", () => {
    expect(clientAddressOf("10.1.2.3", headers({}), true)).to.equal(undefined);
    expect(clientAddressOf("10.1.2.3", headers({ "x-forwarded-for": "unknown" }), true)).to.equal(undefined);
    expect(clientAddressOf(undefined, headers({}), false)).to.equal(undefined);
  });

  it("spells an IPv4 peer of a dual-stack socket as IPv4, and IPv6 in lower case", () => {
    expect(clientAddressOf("::ffff:203.0.113.5", headers({}), false)).to.equal("203.0.113.5");
    expect(normalized("2001:DB8::1")).to.equal("2001:db8::1");
    expect(normalized("not an address")).to.equal(undefined);
  });
});

describe("addressBucketOf", () => {
  it("is an IPv4 address itself", () => {
    expect(addressBucketOf("203.0.113.5")).to.equal("203.0.113.5");
  });

  it("is an IPv6 address's /64, however it is written", () => {
    const bucket = "2001:db8:85a3:8d3::/64";
    expect(addressBucketOf("2001:db8:85a3:8d3:1319:8a2e:370:7348")).to.equal(bucket);
    expect(addressBucketOf("2001:db8:85a3:08d3::1")).to.equal(bucket);
    expect(addressBucketOf("2001:db8:85a3:8d3::ffff:1.2.3.4")).to.equal(bucket);
    expect(addressBucketOf("::1")).to.equal("0:0:0:0::/64");
    expect(addressBucketOf("2001:db8:85a3:8d4::1")).not.to.equal(bucket);
  });
});
