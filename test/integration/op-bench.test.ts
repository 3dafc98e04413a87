import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { Hooks, Simulator } from "../../src/engine/index.js";
import type { SimEvents, Span } from "../../src/trace/span.js";
import { opBench } from "../../src/workload/op-bench/op-bench.js";
import { WORKLOADS } from "../../src/workload/registry.js";

function run(cfg: unknown, hooks = new Hooks<SimEvents>()) {
  const def = opBench;
  return def.run(def.schema.parse(cfg), { sim: new Simulator(1), hooks, env: undefined as never, wantRecords: false });
}

describe("op-bench workload", () => {
  const cfg = {
    kind: "op-bench",
    chip: "910C",
    ops: [
      { op: "gemm", m: 96, n: 2048, k: 7168, dtype: "int8", label: "expert up-proj" },
      { op: "mla_decode", batch: 48, kv_len: 4096, heads: 128 },
      { op: "rmsnorm", tokens: 96, hidden: 7168, cores: { aiv: 32 } },
    ],
  };

  test("is registered as op-bench", () => {
    expect(WORKLOADS["op-bench"]).toBe(opBench);
  });

  test("runs the ops back to back: total = sum of the rounded op times, one span per op", () => {
    const spans: Span[] = [];
    const hooks = new Hooks<SimEvents>();
    hooks.on("span", (s) => spans.push(s));
    const r = run(cfg, hooks);
    const ops = r.metrics.ops as { label: string; time_us: number; tera_ops_per_s: number; gb_per_s: number; bound: string }[];
    expect(ops.map((o) => o.label)).toEqual(["expert up-proj", "mla_decode#1", "rmsnorm#2"]);
    const sum = ops.reduce((a, o) => a + o.time_us, 0);
    expect(r.metrics.total_us).toBeCloseTo(sum, 6);
    expect(spans).toHaveLength(3);
    expect(spans[1]!.start).toBe(spans[0]!.start + spans[0]!.dur);
    expect(spans[0]).toMatchObject({ kind: "op", where: "die0/compute", what: "expert up-proj" });
    expect(spans[0]!.attrs?.bound).toBe("memory");
    // achieved rates are consistent with the span: GB/s = bytes / ns
    expect(ops[0]!.gb_per_s).toBeCloseTo((spans[0]!.attrs!.bytes as number) / spans[0]!.dur, 6);
    expect(r.tables[0]!.rows).toHaveLength(3);
  });

  test("is deterministic: two fresh runs of the same config serialize to the same JSON bytes (metrics and tables)", () => {
    const bytes = (): string => {
      const r = run(cfg);
      return JSON.stringify({ metrics: r.metrics, tables: r.tables });
    };
    expect(bytes()).toBe(bytes());
  });

  test("the shipped DeepSeek-R1 decode config parses and runs; its expert GEMMs are compute-bound", () => {
    const doc = parse(readFileSync(new URL("../../configs/op-bench-dsr1-decode-910c.yaml", import.meta.url), "utf8")) as { workload: unknown };
    const r = run(doc.workload);
    const ops = r.metrics.ops as { label: string; bound: string }[];
    expect(ops.find((o) => o.label === "expert gate+up")?.bound).toBe("compute");
    expect(ops.find((o) => o.label === "q_a+kv_a proj")?.bound).toBe("memory");
  });

  test("unknown keys, unknown ops and unknown chips are rejected", () => {
    expect(() => opBench.schema.parse({ ...cfg, extra: 1 })).toThrow();
    expect(() => opBench.schema.parse({ ...cfg, ops: [{ op: "gemm", m: 1, n: 1, k: 1, kk: 2 }] })).toThrow();
    expect(() => opBench.schema.parse({ ...cfg, ops: [{ op: "conv", m: 1 }] })).toThrow();
    expect(() => opBench.schema.parse({ ...cfg, chip: "910X" })).toThrow(/Valid values are/);
  });

  test("on a die whose AI cores hold both units (310P) an operator gets as many vector as cube cores", () => {
    const on310p = (cores: Record<string, number>) => opBench.schema.safeParse({ kind: "op-bench", chip: "310P", ops: [{ op: "gemm", m: 4096, n: 4096, k: 4096, dtype: "fp16", cores }] });
    expect(on310p({ aic: 8, aiv: 8 }).success).toBe(true);
    expect(on310p({ aic: 4 }).success).toBe(true);
    const mixed = on310p({ aic: 8, aiv: 1 });
    expect(mixed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "ops.0.cores.aiv: a 310P AI core holds its cube and vector units together, so an operator gets as many of each: expected aiv equal to aic (8), got 1",
    ]);
    // the split dies of the 910 family give cube and vector cores separately
    expect(opBench.schema.safeParse({ kind: "op-bench", chip: "910C", ops: [{ op: "gemm", m: 1, n: 1, k: 1, cores: { aic: 24, aiv: 1 } }] }).success).toBe(true);
  });
});
