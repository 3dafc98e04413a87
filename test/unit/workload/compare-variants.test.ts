import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkVariants, deepMerge, parseVariants, type Variant } from "../../../src/workload/compare-variants.js";
import type { RuleViolation } from "../../../src/workload/workload.js";

// `workload.compare`: a variant is the base with a partial config merged in; its mistakes are reported under
// `workload.compare.<i>.set`, except the ones it only inherited from the base.

const schema = z.strictObject({ tp: z.number().int().positive(), routing: z.strictObject({ policy: z.string(), interval_s: z.number() }) });
type Cfg = z.output<typeof schema>;
const base: Cfg = { tp: 3, routing: { policy: "least-load", interval_s: 1 } };

describe("deepMerge", () => {
  it("merges objects key by key and replaces scalars and lists", () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
    expect(deepMerge({ a: 1 }, { a: { b: 2 } })).toEqual({ a: { b: 2 } });
  });
});

describe("parseVariants", () => {
  it("returns the base under its name, then each variant with the base's keys it did not set", () => {
    const vs = parseVariants(base, [{ name: "round-robin", set: { routing: { policy: "rr" } } }], schema, "base") as Variant<Cfg>[];
    expect(vs.map((v) => v.name)).toEqual(["base", "round-robin"]);
    expect(vs[1]!.cfg).toEqual({ tp: 3, routing: { policy: "rr", interval_s: 1 } });
  });
  it("reports a variant's schema error at workload.compare.<i>.set.<path>", () => {
    const vs = parseVariants(base, [{ name: "ok", set: {} }, { name: "bad", set: { tp: -1 } }], schema, "base") as RuleViolation[];
    expect(vs.map((v) => v.path)).toEqual([["workload", "compare", 1, "set", "tp"]]);
  });
});

describe("checkVariants", () => {
  // a rule on tp (every variant inherits it) and one on the routing interval (only a variant changes it)
  const check = (c: Cfg, at: (string | number)[]): RuleViolation[] => [
    ...(c.tp % 2 !== 0 ? [{ path: [...at, "tp"], message: `tp must be even, found ${c.tp}` }] : []),
    ...(c.routing.interval_s > 5 ? [{ path: [...at, "routing", "interval_s"], message: "interval_s must be at most 5 s" }] : []),
  ];
  const variants = parseVariants(base, [{ name: "same", set: { routing: { policy: "rr" } } }, { name: "slow", set: { routing: { interval_s: 9 } } }], schema, "base") as Variant<Cfg>[];

  it("reports a mistake the variants inherit from the base once, at the base", () => {
    const issues = checkVariants(variants, check);
    expect(issues.filter((i) => i.message.startsWith("tp must be even")).map((i) => i.path)).toEqual([["workload", "tp"]]);
  });
  it("reports a variant's own mistake under its compare entry", () => {
    const issues = checkVariants(variants, check);
    expect(issues.filter((i) => i.message.startsWith("interval_s")).map((i) => i.path)).toEqual([["workload", "compare", 1, "set", "routing", "interval_s"]]);
  });
  it("keeps a variant's message that differs from the base's at the same path", () => {
    const odd = parseVariants(base, [{ name: "tp5", set: { tp: 5 } }], schema, "base") as Variant<Cfg>[];
    expect(checkVariants(odd, check).map((i) => i.message)).toEqual(["tp must be even, found 3", "tp must be even, found 5"]);
  });
});
