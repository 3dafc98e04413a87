import { describe, expect, it } from "vitest";
import { closest, editDistance } from "../../../src/config/did-you-mean.js";

// "did you mean" on unknown names: an edit is an insertion, deletion, substitution, or a swap of two
// adjacent characters.
describe("edit distance", () => {
  it.each([
    ["ranks", "ranks", 0],
    ["rnaks", "ranks", 1],
    ["ab", "ba", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
    ["batch_per_npux", "batch_per_npu", 1],
    ["ca", "abc", 3],
  ] as const)("%s → %s: %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closest", () => {
  it("suggests a name with two swapped letters", () => {
    expect(closest("rnaks", ["kind", "ranks", "sizes"])).toBe("ranks");
  });
  it("suggests nothing for a name far from every candidate", () => {
    expect(closest("xyz", ["ranks", "sizes"])).toBeUndefined();
  });
  it("ignores case", () => {
    expect(closest("RANKS", ["ranks"])).toBe("ranks");
  });
});
