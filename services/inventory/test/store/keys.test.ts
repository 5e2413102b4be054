import { readFileSync } from "node:fs";
import { expect } from "chai";
import { EVENT_KEY_NAMES, eventTag, holdKey, scriptKeys } from "../../src/store/keys.js";

describe("scriptKeys", () => {
  it("declares the event's fixed keys in the order common.lua reads them, then the record keys", () => {
    const common = readFileSync(new URL("../../src/store/lua/common.lua", import.meta.url), "utf8");
    const read = [...common.matchAll(/^local K_(\w+) = KEYS\[(\d+)\]$/gm)].map(([, name, index]) => ({
      index: Number(index),
      name: (name as string).toLowerCase().replace(/_/g, "-"),
    }));
    expect(read).to.deep.equal(EVENT_KEY_NAMES.map((name, i) => ({ index: i + 1, name })));
    const keys = scriptKeys("e1", holdKey("e1", "h1"));
    expect(keys).to.deep.equal([...EVENT_KEY_NAMES.map((name) => `{ev:e1}:${name}`), "{ev:e1}:hold:h1"]);
    expect(keys.every((key) => key.startsWith(eventTag("e1")))).to.equal(true);
  });
});
