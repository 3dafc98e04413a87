import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allConfigKeys } from "../../src/config/schema-keys.js";

// The README's configuration reference is written by hand; this keeps it in sync with the schemas:
// every key a schema accepts must be documented (as `key.path` in backticks).
const readme = readFileSync("README.md", "utf8");

describe("README configuration reference", () => {
  for (const [section, keys] of Object.entries(allConfigKeys())) {
    it(`documents every key of ${section}`, () => {
      const missing = keys.filter((k) => !readme.includes("`" + k.replace(/\[\]/g, "[]") + "`"));
      expect(missing).toEqual([]);
    });
  }
});
