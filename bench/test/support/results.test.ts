import { expect } from "chai";
import { markdownTable, withSection } from "../../src/support/results.js";

describe("withSection", () => {
  const text = "# Title\n\n<!-- holds:begin -->\nold\nlines\n<!-- holds:end -->\n\nHand-written.\n";

  it("replaces what lies between the markers and nothing else", () => {
    expect(withSection(text, "holds", "new")).to.equal(
      "# Title\n\n<!-- holds:begin -->\nnew\n<!-- holds:end -->\n\nHand-written.\n",
    );
  });

  it("gives the same text when run twice", () => {
    const once = withSection(text, "holds", "new\n");
    expect(withSection(once, "holds", "new\n")).to.equal(once);
  });

  it("refuses a text without the markers", () => {
    expect(() => withSection("# Title\n", "holds", "new")).to.throw(/holds:begin/);
  });
});

describe("markdownTable", () => {
  it("pads cells to their column and right-aligns the columns asked for", () => {
    expect(markdownTable(["name", "n"], [["grpc", "1,234"]], ["left", "right"])).to.equal(
      "| name |     n |\n| ---- | ----: |\n| grpc | 1,234 |",
    );
  });
});
