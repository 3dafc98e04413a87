import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/config/errors.js";
import { flattenMetrics, rowKeyFields } from "../../../src/sweep/flatten-metrics.js";
import { expandPoints, splitTopLevel, sweepDimensions } from "../../../src/sweep/grid.js";
import { recordsToCsv, type SweepRecord } from "../../../src/sweep/records.js";
import { inShard, parseShard } from "../../../src/sweep/shard.js";
import { planSweep } from "../../../src/sweep/sweep.js";
import { meanCi95, studentT975 } from "../../../src/sweep/student-t.js";

describe("flattenMetrics", () => {
  it("joins nested keys with dots, lists of scalars by index, lists of rows by their identifying fields", () => {
    const flat = flattenMetrics({
      ranks: 8,
      memory: { weights_gib: 1.5, kv_gib: 2 },
      ttft_ms: [3, 4],
      results: [
        { op: "all_reduce", algorithm: "ring", size_bytes: 1024, time_us: 1 },
        { op: "all_reduce", algorithm: "ring", size_bytes: 4096, time_us: 2 },
        { op: "all_reduce", algorithm: "mesh", size_bytes: 1024, time_us: 3 },
      ],
    });
    expect([...flat.entries()]).toEqual([
      ["ranks", 8],
      ["memory.weights_gib", 1.5],
      ["memory.kv_gib", 2],
      ["ttft_ms[0]", 3],
      ["ttft_ms[1]", 4],
      ["results[algorithm=ring][size_bytes=1024].op", "all_reduce"],
      ["results[algorithm=ring][size_bytes=1024].time_us", 1],
      ["results[algorithm=ring][size_bytes=4096].op", "all_reduce"],
      ["results[algorithm=ring][size_bytes=4096].time_us", 2],
      ["results[algorithm=mesh][size_bytes=1024].op", "all_reduce"],
      ["results[algorithm=mesh][size_bytes=1024].time_us", 3],
    ]);
  });

  it("falls back to the index when no fields tell the rows apart", () => {
    expect(rowKeyFields([{ a: 1.5 }, { a: 1.5 }])).toBeUndefined();
    expect([...flattenMetrics({ steps: [{ a: 1.5 }, { a: 1.5 }] }).keys()]).toEqual(["steps[0].a", "steps[1].a"]);
  });

  it("prefers string fields and drops fields made redundant by later ones", () => {
    const rows = [
      { label: "x", steps: 1, size: 1 },
      { label: "x", steps: 2, size: 2 },
      { label: "y", steps: 1, size: 1 },
      { label: "y", steps: 2, size: 2 },
    ];
    expect(rowKeyFields(rows)).toEqual(["label", "steps"]);
    expect(rowKeyFields([{ op: "dispatch", ep: 8 }, { op: "combine", ep: 8 }, { op: "dispatch", ep: 256 }])).toEqual(["op", "ep"]);
  });
});

describe("sweep grid", () => {
  it("splits values on top-level commas only", () => {
    expect(splitTopLevel("1,[ring,mesh],{a: 1, b: 2},'x,y'")).toEqual(["1", "[ring,mesh]", "{a: 1, b: 2}", "'x,y'"]);
  });

  it("still splits after an unmatched closing bracket (it opens nothing): `ring],mesh` is two values", () => {
    expect(splitTopLevel("ring],mesh,[hd]")).toEqual(["ring]", "mesh", "[hd]"]);
  });

  it("expands the cartesian product first axis slowest, zip lists as one axis after the grids", () => {
    const pts = expandPoints(sweepDimensions(["a=1,2", "b=x,y"], ["c=5,6", "d=p,q"]));
    expect(pts.map((p) => p.values.map(([k, v]) => `${k}=${v}`).join(" "))).toEqual([
      "a=1 b=x c=5 d=p",
      "a=1 b=x c=6 d=q",
      "a=1 b=y c=5 d=p",
      "a=1 b=y c=6 d=q",
      "a=2 b=x c=5 d=p",
      "a=2 b=x c=6 d=q",
      "a=2 b=y c=5 d=p",
      "a=2 b=y c=6 d=q",
    ]);
    expect(pts.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("rejects zip lists of different lengths, a knob swept twice, and malformed axes", () => {
    expect(() => sweepDimensions([], ["a=1,2", "b=1"])).toThrow(/equally long: a has 2, b has 1/);
    expect(() => sweepDimensions(["a=1", "a=2"], [])).toThrow(/swept twice/);
    expect(() => sweepDimensions(["a"], [])).toThrow(InputError);
    expect(() => sweepDimensions(["a=1,,2"], [])).toThrow(/empty value/);
  });
});

describe("shards", () => {
  it("partition the points: every point in exactly one shard", () => {
    for (const n of [1, 2, 3, 7]) {
      for (let p = 0; p < 20; p++) expect(Array.from({ length: n }, (_, i) => inShard(p, { index: i, count: n })).filter(Boolean)).toHaveLength(1);
    }
  });
  it("parse i/n with 0 ≤ i < n", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["4/4", "1/0", "a/2", "1"]) expect(() => parseShard(bad), bad).toThrow(/--shard expects i\/n/);
  });
});

describe("Student t confidence intervals", () => {
  // the t density integrated numerically: the tabulated quantile must leave 2.5 % in the upper tail
  function tCdf(x: number, df: number): number {
    const lg = (z: number): number => {
      // Lanczos log-gamma
      const g = [676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
      if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lg(1 - z);
      z -= 1;
      let a = 0.9999999999998099;
      const t = z + 7.5;
      g.forEach((c, i) => (a += c / (z + i + 1)));
      return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
    };
    const c = Math.exp(lg((df + 1) / 2) - lg(df / 2)) / Math.sqrt(df * Math.PI);
    const f = (t: number) => c * (1 + (t * t) / df) ** (-(df + 1) / 2);
    const n = 20000;
    const h = x / n;
    let s = f(0) + f(x);
    for (let i = 1; i < n; i++) s += f(i * h) * (i % 2 ? 4 : 2);
    return 0.5 + (s * h) / 3;
  }

  it.each([1, 2, 4, 9, 30, 31, 60, 200])("t(0.975, %i) leaves 2.5 %% in the upper tail", (df) => {
    expect(tCdf(studentT975(df), df)).toBeCloseTo(0.975, df === 1 ? 3 : 5);
  });

  it("mean ± t·s/√n; identical samples give exactly their value and 0", () => {
    const r = meanCi95([1, 2, 3, 4, 5]);
    expect(r.mean).toBe(3);
    expect(r.ci95).toBeCloseTo((2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
    expect(meanCi95([0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2])).toEqual({ mean: 0.1 + 0.2, ci95: 0, n: 3 });
    expect(meanCi95([7])).toEqual({ mean: 7, ci95: 0, n: 1 });
  });
});

describe("sweep CSV", () => {
  const rec = (index: number, metrics: SweepRecord["metrics"], extra: Partial<SweepRecord> = {}): SweepRecord => ({ index, of: 2, sweep: "f", point: { k: String(index) }, seeds: [1], status: "ok", metrics, ...extra });
  it("has the union of metric columns in order of first appearance, quoting per RFC 4180, empty cells for missing values", () => {
    const csv = recordsToCsv([rec(0, { a: 1, b: 'say "hi", then' }), rec(1, { c: null, a: 2 }, { status: "failed", error: "bad\nvalue" })]);
    expect(csv).toBe('index,status,error,k,seeds,a,b,c\n0,ok,,0,1,1,"say ""hi"", then",\n1,failed,"bad\nvalue",1,1,2,,\n');
  });
});

describe("sweep size limit", () => {
  it("a sweep of more than 100,000 runs (points × seeds) is an input error before anything is planned or run", () => {
    const plan = (grid: string[], seeds?: number) => () => planSweep({ config: "configs/hccs-allreduce.yaml", grid, seeds });
    expect(plan([], 1e9)).toThrow(/the sweep has 1,000,000,000 runs \(seeds: 1000000000\), more than the limit of 100,000/);
    const many = Array.from({ length: 400 }, (_, i) => i + 1).join(",");
    expect(plan([`workload.iterations=${many}`, `seed=${many}`])).toThrow(/160,000 runs \(workload\.iterations: 400 × seed: 400\)/);
    expect(plan([`workload.iterations=${many}`], 250)().points).toHaveLength(400);
  });
});
