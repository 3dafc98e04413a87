import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/errors.js";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { phaseModelOf } from "../helpers/phase.js";

// inference-bench: turning a knob moves the results the way physics says. A 16-NPU (32-die) CloudMatrix
// decode instance of DeepSeek-R1 W8A8 (EP32, 9 expert slots per die) keeps each run well under a second.
const BASE = `
name: inference-physics
seed: 3
cluster: cloudmatrix-16
model: deepseek-r1
precision: w8a8
deployment:
  npus: 16
  attention: {dp: 32, tp: 1}
  experts: {ep: 32, tp: 1}
  redundant_experts: 32
workload:
  kind: inference-bench
  phase: decode
  batch_per_npu: 32
  kv_len: 2048
  microbatches: 1
`;

type M = Record<string, unknown> & { breakdown_us: Record<string, number> };
function run(sets: string[] = [], text = BASE): M {
  return runScenario(loadScenario("inference-physics.yaml", { text, sets })).metrics as M;
}
const num = (m: M, k: string): number => m[k] as number;

describe("inference-bench physics", () => {
  it("a larger batch raises throughput and TPOT", () => {
    const small = run(["workload.batch_per_npu=16"]);
    const large = run(["workload.batch_per_npu=64"]);
    expect(num(large, "tokens_per_s_per_npu")).toBeGreaterThan(num(small, "tokens_per_s_per_npu"));
    expect(num(large, "tpot_ms")).toBeGreaterThan(num(small, "tpot_ms"));
  });

  it("a model with a smaller MLA latent (kv_lora_rank) decodes faster; one no kernel tiling fits is an input error", () => {
    expect(num(run(["model.attention.kv_lora_rank=256"]), "tpot_ms")).toBeLessThan(num(run([]), "tpot_ms"));
    expect(() => run(["model.attention.kv_lora_rank=100000"])).toThrow(/model\.attention\.kv_lora_rank: no MLA decode kernel tiling/);
  });

  it("a longer KV cache raises TPOT", () => {
    expect(num(run(["workload.kv_len=8192"]), "tpot_ms")).toBeGreaterThan(num(run(["workload.kv_len=1024"]), "tpot_ms"));
  });

  // Known model disagreement (kept red-on-fix, like the calibration misses): at the CM384 decode point the
  // 16-AIC attention stream re-reads every attention weight (~187 MB INT8 per layer) once per micro-batch
  // through 16 cores' GM read paths (hardware.md §1: ~0.98 TB/s) and runs the compute-bound MLA on 16 of
  // 24 cubes; it bounds each MoE layer, and two micro-batches take 71.2 ms against 69.9 ms for one (the
  // paper ran two, 84 ms). The margin has flipped with small model changes (71.3 vs 71.5 ms before the UB
  // latencies were read as round trips, which made one micro-batch's exposed dispatch/combine cheaper).
  it.fails("two micro-batches shorten the CM384 decode step (batch 96, KV 4096) — known model disagreement", () => {
    const f = (mb: number): number => num(runScenario(loadScenario("configs/cloudmatrix-dsr1-decode.yaml", { sets: [`workload.microbatches=${mb}`] })).metrics as M, "step_ms");
    expect(f(2)).toBeLessThan(f(1));
  });

  // The same physics at a larger batch: MLA compute, expert GEMMs and dispatch/combine bytes grow with the
  // batch while the per-micro-batch weight re-read does not, so two micro-batches pay once the hidden
  // MoE-stream time exceeds the re-read (in the model between batch 96 and 128 per NPU).
  it("two micro-batches shorten the CM384 decode step at batch 192 per NPU (KV 4096)", () => {
    const f = (mb: number): number => num(runScenario(loadScenario("configs/cloudmatrix-dsr1-decode.yaml", { sets: ["workload.batch_per_npu=192", `workload.microbatches=${mb}`] })).metrics as M, "step_ms");
    expect(f(2)).toBeLessThan(f(1));
  });

  it("two micro-batches on a communication stream shorten the CM384 prefill batch (16,384 tokens, EP32)", () => {
    const f = (mb: number): number => num(runScenario(loadScenario("configs/cloudmatrix-dsr1-prefill.yaml", { sets: [`workload.microbatches=${mb}`] })).metrics as M, "step_ms");
    expect(f(2)).toBeLessThan(f(1));
  });

  it("comm_stream: the step is bounded below by each stream's busy time and shorter than their sum", () => {
    const prefill = ["workload.phase=prefill", "workload.prompt_len=1024", "workload.tokens_per_batch=4096", "workload.microbatches=2", "workload.overlap=comm_stream"];
    const m = run(prefill);
    const b = m.breakdown_us;
    const comm = (b.dispatch ?? 0) + (b.combine ?? 0) + (b.attention_comm ?? 0);
    const compute = (b.attention ?? 0) + (b.moe_gemm ?? 0) + (b.dense_ffn ?? 0);
    const stepUs = num(m, "step_ms") * 1e3;
    expect(comm).toBeGreaterThan(0);
    expect(stepUs).toBeGreaterThanOrEqual(comm);
    expect(stepUs).toBeGreaterThanOrEqual(compute);
    expect(stepUs).toBeLessThan(Object.values(b).reduce((x, y) => x + y, 0));
    expect(m.overlap).toBe("comm_stream");
  });

  it("comm_stream on a UB supernode takes 24 AIV for the communication stream; on RoCE (SDMA all-to-allv) none", () => {
    const phase = (text: string, sets: string[]) => phaseModelOf("inference-physics.yaml", text, ["workload.microbatches=2", "workload.overlap=comm_stream", ...sets], "decode");
    const ub = phase(BASE, []);
    expect(ub.attentionCores).toEqual({ aic: 24, aiv: 24 });
    expect(ub.moeCores).toEqual({ aic: 24, aiv: 24 });
    expect(ub.commAiv).toBe(24);
    const roce = phase(BASE.replace("cluster: cloudmatrix-16", "cluster: roce-4x800t-a2").replace("npus: 16", "npus: 32").replace("model: deepseek-r1", "model: deepseek-v2-lite"), ["deployment.attention.dp=32", "deployment.experts.ep=32", "deployment.redundant_experts=0"]);
    expect(roce.attentionCores).toBeUndefined();
    expect(roce.overlap).toBe("comm_stream");
  });

  it("micro-batching overlaps: with two micro-batches the stream busy times add up to more than the step", () => {
    const m = run(["workload.microbatches=2"]);
    const busy = Object.values(m.breakdown_us).reduce((a, b) => a + b, 0);
    expect(busy / 1e3).toBeGreaterThan(num(m, "step_ms"));
  });

  it("more routing skew slows dispatch and raises expert_load_imbalance", () => {
    const even = run(["workload.routing.skew=uniform"]);
    const skewed = run(["workload.routing.skew=zipf", "workload.routing.zipf_exponent=1.2"]);
    expect(num(skewed, "expert_load_imbalance")).toBeGreaterThan(num(even, "expert_load_imbalance"));
    expect(num(skewed, "dispatch_us")).toBeGreaterThan(num(even, "dispatch_us"));
    expect(num(skewed, "step_ms")).toBeGreaterThan(num(even, "step_ms"));
  });

  it("an attention replica's tokens are routed once: 4 sequences over TP 8 send half the copies of 8", () => {
    // TP 8 ranks slice a replica's sequences into runs of ⌈T/8⌉: with 4 sequences the last 4 ranks route
    // nothing (they used to be sampled as 1 token each, so 4 and 8 sequences gave the same MoE step)
    const tp8 = ["deployment.attention.dp=4", "deployment.attention.tp=8"];
    const four = run([...tp8, "workload.batch_per_npu=1"]);
    const eight = run([...tp8, "workload.batch_per_npu=2"]);
    expect(four.breakdown_us.dispatch).toBeLessThan(eight.breakdown_us.dispatch!);
    expect(four.breakdown_us.moe_gemm).toBeLessThan(eight.breakdown_us.moe_gemm!);
  });

  it("EPLB from observed load undoes most of a hot-expert skew; perfect balance gives imbalance 1", () => {
    const hot = ["workload.routing.skew=hot", "workload.routing.hot_factor=20"];
    const none = run([...hot, "workload.routing.eplb=none"]);
    const observed = run([...hot, "workload.routing.eplb=observed"]);
    const perfect = run([...hot, "workload.routing.eplb=perfect"]);
    expect(num(observed, "expert_load_imbalance")).toBeLessThan(num(none, "expert_load_imbalance"));
    expect(num(observed, "step_ms")).toBeLessThan(num(none, "step_ms"));
    expect(num(perfect, "expert_load_imbalance")).toBeCloseTo(1, 9);
  });

  it("per-sequence expert preferences unbalance a prefill of few long prompts under EPLB, and barely touch decode", () => {
    const prefill = `
cluster: cloudmatrix-16
model: deepseek-r1
precision: w8a8
deployment: {npus: 16, attention: {dp: 1, tp: 32, sp: true}, experts: {ep: 32, tp: 1}, redundant_experts: 32}
workload: {kind: inference-bench, phase: prefill, prompt_len: 2048, tokens_per_batch: 8192, routing: {skew: hot, eplb: observed}}
`;
    const independent = run(["workload.routing.sequence_cv=0"], prefill);
    const alike = run(["workload.routing.sequence_cv=1"], prefill);
    expect(num(alike, "expert_load_imbalance")).toBeGreaterThan(1.2 * num(independent, "expert_load_imbalance"));
    expect(num(alike, "tokens_per_s_per_npu")).toBeLessThan(num(independent, "tokens_per_s_per_npu"));
    // a cv so small that κ = 1/cv² overflows is the cv → 0 limit, not an urn of infinite weight
    expect(run(["workload.routing.sequence_cv=1e-200"], prefill)).toEqual(independent);
    // decode: a sequence has one token per step, so its preferences average out over the batch
    const d0 = run(["workload.routing.eplb=observed", "workload.routing.sequence_cv=0"]);
    const d1 = run(["workload.routing.eplb=observed", "workload.routing.sequence_cv=1"]);
    expect(num(d1, "expert_load_imbalance") / num(d0, "expert_load_imbalance")).toBeLessThan(1.05);
    expect(num(d1, "expert_load_imbalance") / num(d0, "expert_load_imbalance")).toBeGreaterThan(0.95);
  });

  it("W8A8 decode GEMMs are faster than BF16", () => {
    const pangu = `
cluster: atlas-800i-a2
model: pangu-pro-moe
deployment: {npus: 8, attention: {dp: 2, tp: 4}, experts: {ep: 4, tp: 2}, shared_experts: {placement: tp}}
workload: {kind: inference-bench, phase: decode, batch_per_npu: 32, kv_len: 1024}
`;
    const w8 = run(["precision=w8a8"], pangu);
    const bf = run(["precision=bf16"], pangu);
    expect(w8.breakdown_us.moe_gemm).toBeLessThan(bf.breakdown_us.moe_gemm!);
    expect(w8.breakdown_us.attention).toBeLessThan(bf.breakdown_us.attention!);
    expect(num(w8, "tpot_ms")).toBeLessThan(num(bf, "tpot_ms"));
  });

  it("MTP emits 1 + acceptance tokens per step", () => {
    const m = run(["workload.mtp.layers=1", "workload.mtp.acceptance=0.7"]);
    expect(num(m, "tokens_per_step_per_sequence")).toBeCloseTo(1.7, 12);
    expect(num(m, "tpot_ms")).toBeCloseTo(num(m, "step_ms") / 1.7, 9);
  });

  it("a deployment that does not fit HBM is an input error with the breakdown", () => {
    let err: unknown;
    try {
      loadScenario("inference-physics.yaml", { text: BASE, sets: ["workload.batch_per_npu=2048", "workload.kv_len=16384"] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(String((err as Error).message)).toMatch(/weights .* KV cache .* communication buffers/);
  });

  it("lists phases: decode and prefill with per-phase overrides in one run", () => {
    const m = run(["workload.phase=[decode, prefill]", "workload.prefill.tokens_per_batch=2048", "workload.prefill.prompt_len=1024"]);
    const phases = m.phases as M[];
    expect(phases.map((p) => p.phase)).toEqual(["decode", "prefill"]);
    expect(num(phases[1]!, "ttft_ms")).toBeGreaterThan(0);
  });

  it("reports progress per MoE layer × micro-batch (58 MoE layers + 1 MTP, 2 micro-batches, 2 steps)", () => {
    const seen: { done: number; total: number; unit: string }[] = [];
    const sets = ["workload.microbatches=2", "workload.steps=2", "workload.mtp.layers=1"];
    runScenario(loadScenario("inference-physics.yaml", { text: BASE, sets }), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBe(2 * 2 * 59);
    expect(seen.every((p, i) => p.done === i + 1 && p.total === 2 * 2 * 59 && /MoE layers/.test(p.unit))).toBe(true);
  });

  it.each(["split_cores", "comm_stream"])("the trace has the EP group's dispatch, experts and combine of every MoE layer × micro-batch (%s)", (overlap) => {
    const sets = ["workload.microbatches=2", `workload.overlap=${overlap}`, "workload.mtp.layers=0"];
    const trace = runScenario(loadScenario("inference-physics.yaml", { text: BASE, sets }), { trace: true }).trace!;
    const moe = trace.split("\n").filter((l) => l.includes('"kind":"moe"')).map((l) => JSON.parse(l) as { where: string; dur: number });
    for (const part of ["dispatch", "experts", "combine"]) expect(moe.filter((r) => r.where.endsWith(`/${part}`)).length).toBe(58 * 2);
    expect(moe.every((r) => r.dur > 0)).toBe(true);
  });
});
