import { describe, expect, it } from "vitest";
import { parseConstraint, satisfies } from "../../src/search/constraint.js";
import { runSearch, searchFingerprint } from "../../src/search/search.js";
import { factorizations, loadSpace, spacePoints, valueText } from "../../src/search/space.js";

const CONFIG = "configs/roce-allreduce-4servers.yaml";
const SPACE = "configs/search-roce-allreduce-layout.yaml";
const BUSBW = "results[algorithm=auto][size_bytes=1073741824].busbw_gb_per_s";
const SMALL = "results[algorithm=auto][size_bytes=1048576].time_us";

describe("search space", () => {
  it("factorizes a count into ordered factors, with powers-of-two and per-knob caps", () => {
    expect(factorizations(12, ["a", "b"])).toEqual([[1, 12], [2, 6], [3, 4], [4, 3], [6, 2], [12, 1]]);
    expect(factorizations(32, ["s", "n"], true, { n: 8 })).toEqual([[4, 8], [8, 4], [16, 2], [32, 1]]);
    expect(factorizations(8, ["tp", "pp", "dp"], true).length).toBe(10);
  });

  it("loads knobs then generators as axes; values become --set text", () => {
    const pts = spacePoints(loadSpace(SPACE));
    expect(pts).toHaveLength(2 * 2 * 2 * 4);
    expect(pts[0]!.values).toEqual([["workload.ranks", "32"], ["cluster.nic_bandwidth", "200Gb/s"], ["cluster.oversubscription", "1"], ["cluster.servers", "4"], ["cluster.npus_per_server", "8"]]);
    expect([valueText("ring"), valueText("1,2"), valueText([1, 2]), valueText("true")]).toEqual(["ring", '"1,2"', "[1,2]", '"true"']);
  });

  it("parses constraints with selectors that contain '='", () => {
    const c = parseConstraint(`${SMALL}<=200`);
    expect(c).toMatchObject({ metric: SMALL, op: "<=", value: 200 });
    expect([satisfies(c, 200), satisfies(c, 201)]).toEqual([true, false]);
    expect(() => parseConstraint("mfu is big")).toThrow(/--constraint expects/);
  });
});

describe("runSearch", () => {
  it("prunes points the loader rejects, applies constraints, ranks by the objective", async () => {
    const r = await runSearch({ config: CONFIG, space: SPACE, objective: BUSBW, constraints: [`${SMALL}<=200`], jobs: 1 });
    expect(r.counts.points).toBe(32);
    expect(r.counts.pruned).toBe(16); // every workload.ranks=64 point: more ranks than the 32 NPUs
    expect(r.entries.filter((e) => e.status === "pruned").every((e) => e.point.values[0]![1] === "64" && /at most 32/.test(e.reason!))).toBe(true);
    expect(r.counts.failed).toBe(0);
    expect(r.counts.infeasible + r.counts.ranked).toBe(16);
    expect(r.counts.infeasible).toBeGreaterThan(0);
    const objs = r.ranked.map((e) => e.objective!);
    expect(objs).toEqual([...objs].sort((a, b) => b - a));
    expect(r.ranked.every((e) => e.constraintValues[0]! <= 200)).toBe(true);
    // 8 NPUs per server and the faster NIC win: most traffic stays on HCCS
    expect(Object.fromEntries(r.ranked[0]!.point.values)).toMatchObject({ "cluster.npus_per_server": "8", "cluster.nic_bandwidth": "400Gb/s" });
    const min = await runSearch({ config: CONFIG, space: SPACE, objective: BUSBW, minimize: true, jobs: 1 });
    expect(min.ranked[0]!.objective).toBe(Math.min(...min.ranked.map((e) => e.objective!)));
  });

  it("names the closest metric when the objective does not exist", async () => {
    await expect(runSearch({ config: CONFIG, space: SPACE, objective: "busbw_gb_per_s", jobs: 1 })).rejects.toThrow(/metric "busbw_gb_per_s" is not a number/);
  });
});

describe("search --out records carry the fingerprint of their definition", () => {
  const def = { config: CONFIG, space: SPACE, objective: BUSBW };
  it("is the same for the same definition and differs when the space, a --set, the seed, the objective or a constraint differs", () => {
    const base = searchFingerprint(def);
    expect(searchFingerprint({ ...def })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    const variants = [
      searchFingerprint({ ...def, space: "configs/search-pangu-ultra-layout.yaml" }),
      searchFingerprint({ ...def, sets: ["cluster.servers=2"] }),
      searchFingerprint({ ...def, seed: 7 }),
      searchFingerprint({ ...def, objective: SMALL }),
      searchFingerprint({ ...def, minimize: true }),
      searchFingerprint({ ...def, constraints: [`${SMALL}<=200`] }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});
