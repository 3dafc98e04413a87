import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

// The human summary of `ascend-sim run` (the tables printed without --json) against the same run's
// --json metrics: each checked cell is the JSON value it labels, in the table's unit and rounding, and
// "—" stands only where the JSON value is a placeholder (no sample, no scaling, no completed request).
// One small run per workload (the serving summary once showed — for every latency: it read a key the
// JSON did not have, and only the empty case was tested).

/** A --json value, read by its documented keys. */
type Json = Record<string, any>;

interface Table {
  readonly title: string;
  readonly head: string[];
  readonly rows: string[][];
}

/** The table whose title line starts with `title` in a printed summary. */
function tableOf(text: string, title: string): Table {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(title));
  if (at < 0) throw new Error(`no table titled "${title}…" in:\n${text}`);
  const body: string[][] = [];
  for (let i = at + 2; i < lines.length && lines[i]!.startsWith("│"); i++) body.push(lines[i]!.split("│").slice(1, -1).map((c) => c.trim()));
  return { title: lines[at]!, head: body[0]!, rows: body.slice(1) };
}

/** The summary and the --json output of the same run. */
function both(args: readonly string[]): { text: string; json: Json } {
  const t = runCli(["run", ...args]);
  expect(t.status, t.stderr).toBe(0);
  const j = runCli(["run", ...args, "--json"]);
  expect(j.status, j.stderr).toBe(0);
  return { text: t.stdout, json: JSON.parse(j.stdout) as Json };
}

/** A table row as column name → cell. */
function cellsOf(t: Table, row: string[]): Record<string, string> {
  return Object.fromEntries(t.head.map((h, i) => [h, row[i]!]));
}

const fx = (x: number, d: number): string => x.toFixed(d);
const pct = (x: number, d = 1): string => `${(100 * x).toFixed(d)} %`;

describe("serving summary = --json", () => {
  it("the main table shows — for the latency percentiles of a run where nothing completed, not a 0 that reads as a measurement", () => {
    const { text, json } = both(["configs/pd-serve-roce.yaml", "--set", "workload.compare=[]", "--set", "workload.duration_s=0.05", "--set", "workload.drain_s=0"]);
    expect(json.metrics.requests_completed).toBe(0);
    const t = tableOf(text, "serving ·");
    const row = cellsOf(t, t.rows[0]!);
    expect(row["TTFT p50 / p99 (ms)"]).toBe("— / —");
    expect(row["TPOT p50 / p99 (ms)"]).toBe("— / —");
    expect(row["E2E p50 (ms)"]).toBe("—");
  });

  it("the main table of a run where requests completed shows their percentiles, as the JSON has them", () => {
    const { text, json } = both(["configs/pd-serve-roce.yaml", "--set", "workload.compare=[]", "--set", "workload.duration_s=1", "--set", "workload.drain_s=60"]);
    const t = tableOf(text, "serving ·");
    const row = cellsOf(t, t.rows[0]!);
    const m = json.metrics;
    expect(m.ttft_ms.count).toBeGreaterThan(0);
    expect(row["TTFT p50 / p99 (ms)"]).toBe(`${fx(m.ttft_ms.p50, 1)} / ${fx(m.ttft_ms.p99, 1)}`);
    expect(row["TPOT p50 / p99 (ms)"]).toBe(`${fx(m.tpot_ms.p50, 2)} / ${fx(m.tpot_ms.p99, 2)}`);
    expect(row["E2E p50 (ms)"]).toBe(fx(m.e2e_ms.p50, 0));
  });

  it("the variants table shows each variant's compare row, and — for the KV transfer of a variant without one (aggregated)", () => {
    const { text, json } = both(["configs/pd-serve-roce.yaml", "--set", "workload.duration_s=5"]);
    const t = tableOf(text, "variants on the same arrivals");
    const compare = json.metrics.compare as Json[];
    expect(t.rows.map((r) => r[0])).toEqual(compare.map((c) => c.name));
    const base = compare[0]!;
    for (const [i, c] of compare.entries()) {
      const row = cellsOf(t, t.rows[i]!);
      expect(Number(row.done)).toBe(c.requests_completed);
      expect(row["req/s"]).toBe(fx(c.requests_per_s, 2));
      expect(row["out tok/s"]).toBe(fx(c.output_tokens_per_s, 0));
      expect(row["TTFT p50 / p99 (ms)"]).toBe(`${fx(c.ttft_p50_ms, 0)} / ${fx(c.ttft_p99_ms, 0)}`);
      expect(row["TTFT SLO"]).toBe(pct(c.ttft_slo_attainment));
      expect(row.SLO).toBe(pct(c.slo_attainment));
      expect(row["TPOT p50 (ms)"]).toBe(fx(c.tpot_p50_ms, 2));
      expect(row["base req/s ÷ this"]).toBe(`${fx(base.requests_per_s / c.requests_per_s, 2)}×`);
      if (c.name === "aggregated") {
        // colocated instances hand no KV over: the JSON mean is the placeholder 0 of an empty sample
        expect(c.kv_transfer_mean_ms).toBe(0);
        expect(row["KV transfer (ms)"]).toBe("—");
        expect(row["base KV time ÷ this"]).toBe("—");
      } else {
        expect(c.kv_transfer_mean_ms).toBeGreaterThan(0);
        expect(row["KV transfer (ms)"]).toBe(fx(c.kv_transfer_mean_ms, 2));
        expect(row["base KV time ÷ this"]).toBe(`${fx(base.kv_transfer_mean_ms / c.kv_transfer_mean_ms, 2)}×`);
      }
    }
  });

  it("a variant that completed no request shows — for its latencies in the variants table too, not the JSON's placeholder 0", () => {
    const { text, json } = both(["configs/pd-serve-roce.yaml", "--set", "workload.duration_s=0.05", "--set", "workload.drain_s=0"]);
    const m = json.metrics;
    expect(m.requests_completed).toBe(0);
    expect(m.ttft_ms.count).toBe(0);
    expect(m.compare[0].ttft_p50_ms).toBe(0);
    const t = tableOf(text, "variants on the same arrivals");
    for (const r of t.rows) {
      const row = cellsOf(t, r);
      expect(row.done).toBe("0");
      expect(row["TTFT p50 / p99 (ms)"]).toBe("— / —");
      expect(row["TPOT p50 (ms)"]).toBe("—");
      expect(row["KV transfer (ms)"]).toBe("—");
    }
    // and the main table of the same base run agrees
    const main = tableOf(text, "serving ·");
    expect(main.rows[0]![1]).toBe("— / —");
  });

  it("more instances than the table holds: the instance table says it shows the first 24 of the JSON's 25, and the title says how many it lists", () => {
    const dir = mkdtempSync(join(tmpdir(), "summary-json-"));
    const file = join(dir, "many.yaml");
    writeFileSync(
      file,
      `name: many-instances
seed: 1
cluster: cloudmatrix384
model: deepseek-v2-lite
precision: bf16
workload:
  kind: serving
  duration_s: 0.2
  drain_s: 5
  arrivals: {kind: poisson, rate_per_s: 20, input: {value: 256}, output: {value: 4}}
  instances:
    - {role: colocated, count: 25, deployment: {npus: 1, attention: {dp: 2, tp: 1}, experts: {ep: 2}}}
`,
    );
    const { text, json } = both([file]);
    const instances = json.metrics.instances as Json[];
    expect(instances).toHaveLength(25);
    const t = tableOf(text, "instances");
    expect(t.title).toContain("first 24 of 25");
    expect(t.rows).toHaveLength(24);
    t.rows.forEach((r, i) => {
      const row = cellsOf(t, r);
      const x = instances[i]!;
      expect([row.instance, row.role, Number(row.NPUs), row.utilisation, Number(row.steps), Number(row["prompt tokens"])]).toEqual([x.name, x.role, x.npus, pct(x.utilisation), x.steps, x.prompt_tokens]);
    });
    expect(tableOf(text, "serving ·").title).toContain("(25 instances)");
  });
});

/** The T3 ablation config cut short: one scheduled DP3 → DP4 scale-up at 2 s, 6 s of arrivals, 5 s of drain. */
const SHORT_ABLATION = ["configs/elastic-moe-ablation.yaml", "--set", "workload.scaling.events=[{at_s: 2, dp: 4}]", "--set", "workload.duration_s=6", "--set", "workload.drain_s=5"];

describe("elastic summary = --json", () => {
  it("a variant's row shows its compare values; — for the peak memory of a variant that never scaled and the SLO of one that completed nothing; the title follows the scheduled events", () => {
    const { text, json } = both([...SHORT_ABLATION, "--set", "workload.compare=[{name: idle, set: {scaling: {events: []}, duration_s: 0.3, drain_s: 0}}]", "--set", "workload.to.dp=5"]);
    const m = json.metrics;
    const t = tableOf(text, "elastic ·");
    // the run scales DP3 → DP4 (to.dp only guides the SLO coordinator)
    expect(m.scalings.map((s: Json) => [s.from_dp, s.to_dp])).toEqual([[3, 4]]);
    expect(t.title).toMatch(/DP3 → DP4$/);
    const [full, idle] = m.compare as Json[];
    const a = cellsOf(t, t.rows[0]!);
    expect(a.variant).toBe(full!.name);
    expect(a["scale-up (s)"]).toBe(fx(full!.scale_up_s, 2));
    expect(a["scale-down (s)"]).toBe("—"); // null in the JSON: no scale-down
    expect(full!.scale_down_s).toBeNull();
    expect(a["downtime (s)"]).toBe(fx(full!.downtime_s, 2));
    expect(a["peak mem (GB)"]).toBe(fx(full!.peak_memory_gb, 1));
    expect(a["P2P (s)"]).toBe(fx(full!.p2p_s, 3));
    expect(a.SLO).toBe(pct(full!.slo_attainment));
    expect(a["req/s during"]).toBe(fx(full!.throughput_rps_during, 2));
    expect(a["NPU·s"]).toBe(fx(full!.npu_seconds, 0));
    expect(a["done / requeued / rejected"]).toBe(`${full!.requests_completed} / ${full!.requests_requeued} / ${full!.requests_rejected}`);
    // the idle variant: no scaling (peak memory 0 in the JSON) and no completed request (SLO attainment 0, as serving reports it; — in the table)
    const b = cellsOf(t, t.rows[1]!);
    expect([idle!.name, idle!.scale_up_s, idle!.peak_memory_gb, idle!.requests_completed, idle!.slo_attainment]).toEqual(["idle", null, 0, 0, 0]);
    expect(b["peak mem (GB)"]).toBe("—");
    expect(b.SLO).toBe("—");
    expect(b["NPU·s"]).toBe(fx(idle!.npu_seconds, 0));
  });
});

describe("elastic summary: the T3 columns", () => {
  it("follow a variant's mechanisms, not its name: a base with P2P off is not the 'full' row, a variant named anything with IPC off is the −IPC row", () => {
    const { text, json } = both([
      ...SHORT_ABLATION,
      "--set", "workload.mechanisms.p2p_weights=false",
      "--set", "workload.compare=[{name: mine, set: {mechanisms: {p2p_weights: true, ipc_alloc: false}}}, {name: full, set: {strategy: horizontal}}]",
    ]);
    const t = tableOf(text, "elastic ·");
    const names = (json.metrics.compare as Json[]).map((c) => c.name);
    expect(names).toEqual(["elastic", "mine", "full"]);
    const [base, mine, full] = t.rows.map((r) => cellsOf(t, r));
    expect(base!["T3 (s)"]).toBe("—"); // P2P off but IPC on: no row of the cumulative ablation
    expect(mine!["T3 (s)"]).toBe("3.14");
    expect(mine!["T3 downtime (s)"]).toBe("0.00"); // the published cells in their simulated neighbours' format
    expect(mine!["T3 peak (GB)"]).toBe("290.0");
    expect(full!["T3 (s)"]).toBe("—"); // a horizontal baseline, whatever its name
  });
});

describe("training summary = --json", () => {
  it("step, tokens/s, MFU, bubble, memory and the communication table show the JSON values", () => {
    const { text, json } = both(["configs/pangu-ultra-moe-train.yaml"]);
    const m = json.metrics;
    const t = tableOf(text, "training ·");
    const row = cellsOf(t, t.rows[0]!);
    // the JSON has full precision; each column has one fixed-decimal format
    expect(row["step (s)"]).toBe(fx(m.step_s, 3));
    expect(row["tokens/s"]).toBe(fx(m.tokens_per_s, 0));
    expect(row["tokens/s/NPU"]).toBe(fx(m.tokens_per_s_per_npu, 1));
    expect([row.MFU, row["MFU (6N)"], row.HFU, row.bubble]).toEqual([pct(m.mfu), pct(m.mfu_6n), pct(m.hfu), pct(m.bubble_ratio)]);
    expect(row["peak mem (GiB)"]).toBe(fx(m.peak_memory_gib_per_npu, 2));
    const comm = tableOf(text, "communication per step, mean over stages (ms)");
    expect(comm.rows[0]).toEqual(["tp", "ep", "pp", "dp", "cp", "swap"].map((k) => `${fx(m.comm_s[k] * 1e3, 1)} / ${fx(m.exposed_comm_s[k] * 1e3, 1)}`));
    const mem = tableOf(text, "memory per NPU");
    expect(mem.title).toContain(`stage ${m.memory_peak_stage}`);
    expect(mem.rows[0]).toEqual(["weights", "gradients", "optimizer", "activations", "comm_buffers"].map((k) => fx(m.memory_gib[k], 2)));
  });
});

describe("inference-bench summary = --json", () => {
  it("each phase's row and operator breakdown show that phase's JSON values", () => {
    const { text, json } = both(["configs/pangu-pro-moe-800i-a2.yaml", "--set", "workload.phase=[prefill, decode]"]);
    const phases = json.metrics.phases as Json[];
    const t = tableOf(text, "inference-bench ·");
    expect(t.rows.map((r) => r[0])).toEqual(["prefill", "decode"]);
    phases.forEach((p, i) => {
      const row = cellsOf(t, t.rows[i]!);
      expect(row.phase).toBe(p.phase);
      expect(row["step (ms)"]).toBe(fx(p.step_ms, 2));
      expect(row["TPOT/TTFT (ms)"]).toBe(p.phase === "decode" ? fx(p.tpot_ms, 2) : fx(p.ttft_ms, 1));
      expect(row["tokens/s/NPU"]).toBe(fx(p.tokens_per_s_per_npu, 0));
      expect(row["layer (µs)"]).toBe(fx(p.layer_us, 1));
      expect(row["expert imbalance (max/mean)"]).toBe(fx(p.expert_load_imbalance, 3));
      expect(row["HBM/die used / capacity (GiB)"]).toBe(`${fx(p.hbm_per_die_bytes.total / 1024 ** 3, 2)} / ${fx(p.hbm_per_die_bytes.capacity / 1024 ** 3, 2)}`);
      const b = tableOf(text, `${p.phase}: busy time per step`);
      const shown = Object.entries(p.breakdown_us as Record<string, number>).filter(([, us]) => us > 0);
      expect(b.rows).toEqual(shown.map(([c, us]) => [c, fx(us, 1), `${fx((100 * us) / 1e3 / p.step_ms, 1)} %`]));
    });
  });
});

describe("collective-bench summary = --json", () => {
  it("each collective row shows its JSON time, algorithm and bandwidths", () => {
    const { text, json } = both(["configs/hccs-allreduce.yaml", "--set", "workload.sizes.to=64KiB"]);
    const results = json.metrics.results as Json[];
    for (const alg of ["ring", "mesh"]) {
      const t = tableOf(text, `all_reduce · ${alg} ·`);
      const mine = results.filter((r) => r.algorithm === alg);
      expect(t.head).toEqual(["size", "algorithm", "time (µs)", "algbw (GB/s)", "busbw (GB/s)"]);
      expect(t.rows).toEqual(mine.map((r) => [`${r.size_bytes / 1024}KiB`, r.selected_algorithm, fx(r.time_us, 2), fx(r.algbw_gb_per_s, 2), fx(r.busbw_gb_per_s, 2)]));
    }
  });

  it("each MoE dispatch/combine row shows its JSON latency, max and effective bandwidth", () => {
    const { text, json } = both(["configs/cm384-dispatch-combine.yaml"]);
    const t = tableOf(text, "MoE dispatch/combine");
    expect(t.head).toEqual(["op", "EP", "variant", "latency (µs)", "max (µs)", "effective (GB/s)", "row (B)"]);
    // the EP groups are the rows' `ep`: no top-level `ranks` (it would be the cluster size)
    expect(json.metrics.ranks).toBeUndefined();
    expect(t.rows).toEqual(
      (json.metrics.moe_results as Json[]).map((r) => [r.op, String(r.ep), r.variant, fx(r.latency_us, 1), fx(r.latency_max_us, 1), fx(r.effective_gb_per_s, 1), String(r.row_bytes)]),
    );
  });
});

describe("op-bench and flows summaries = --json", () => {
  it("op-bench: each operator's time, TFLOPS (TOPS for int8), GB/s and bound", () => {
    const { text, json } = both(["configs/cm384-kernel-points.yaml"]);
    const t = tableOf(text, "op-bench on one");
    const ops = json.metrics.ops as Json[];
    expect(t.rows.map((r) => { const c = cellsOf(t, r); return [c.label, c.op, c["time (µs)"], c["TFLOPS / TOPS (int8)"], c["GB/s"], c.bound]; })).toEqual(
      ops.map((o) => [o.label, o.op, fx(o.time_us, 2), fx(o.tera_ops_per_s, 1), fx(o.gb_per_s, 0), o.bound]),
    );
  });

  it("flows: each flow's finish time", () => {
    const { text, json } = both(["configs/flows-simgrid-example.yaml"]);
    const t = tableOf(text, "Flows");
    const flows = json.metrics.flows as Record<string, number>;
    // seconds to the ns in the table, full precision in the JSON
    expect(t.rows.map((r) => [r[0], r[3]])).toEqual(Object.entries(flows).map(([id, s]) => [id, fx(s, 9)]));
  });
});
