import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allConfigKeys } from "../../src/config/schema-keys.js";

// The configuration reference (README.md and the per-workload pages in docs/) is written by hand; this
// keeps it in sync with the schemas: every key a schema accepts must be documented as `key.path`.
const docs = existsSync("docs") ? readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => readFileSync(`docs/${f}`, "utf8")) : [];
const readme = [readFileSync("README.md", "utf8"), ...docs].join("\n");

describe("README configuration reference", () => {
  for (const [section, keys] of Object.entries(allConfigKeys())) {
    it(`documents every key of ${section}`, () => {
      const missing = keys.filter((k) => !readme.includes("`" + k.replace(/\[\]/g, "[]") + "`"));
      expect(missing).toEqual([]);
    });
  }
});
