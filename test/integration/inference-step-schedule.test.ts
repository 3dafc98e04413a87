import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { headItems } from "../../src/model/ops/head-ops.js";
import { runScenario } from "../../src/run.js";
import { ItemPricer } from "../../src/workload/inference-bench/costing.js";
import { phaseModelOf } from "../helpers/phase.js";

// The decode/prefill step schedule of inference-bench (docs/inference-bench.md, "Streams and
// micro-batches"), checked on the trace: which task runs on which stream, after which input, and what
// overlaps what.

interface Span {
  t: number;
  dur: number;
  kind: string;
  where: string;
  what: string;
}
const end = (s: Span): number => s.t + s.dur;

function traceOf(file: string, sets: string[], text?: string): Span[] {
  const r = runScenario(loadScenario(file, text === undefined ? { sets } : { text, sets }), { trace: true });
  return r
    .trace!.split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Span);
}
const tasks = (spans: readonly Span[], where?: string): Span[] => spans.filter((s) => s.kind === "task" && (where === undefined || s.where === where));
/** The one task whose label contains `part` (a comm_stream compute run lists every segment it joined). */
function taskWith(spans: readonly Span[], part: string): Span {
  const found = tasks(spans).filter((s) => s.what.split(" + ").includes(part));
  expect(found.length, part).toBe(1);
  return found[0]!;
}

const DECODE = "configs/cloudmatrix-dsr1-decode.yaml";

describe("split_cores decode step (CM384 T1 point: 48 sequences per die, 2 micro-batches, MTP 1)", () => {
  const spans = traceOf(DECODE, []);
  const attn = tasks(spans, "die0/attention");
  const moe = tasks(spans, "die0/moe");
  const whole = tasks(spans, "die0/die");

  it("each stream runs one task at a time", () => {
    for (const list of [attn, moe, whole]) {
      const sorted = [...list].sort((a, b) => a.t - b.t);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.t).toBeGreaterThanOrEqual(end(sorted[i - 1]!));
    }
    // whole-die tasks run alone: neither stream is busy during one
    for (const w of whole) for (const s of [...attn, ...moe]) expect(end(s) <= w.t || s.t >= end(w), `${w.what} / ${s.what}`).toBe(true);
  });

  it("micro-batch m's MoE starts after its attention; its next attention after its MoE (combine included)", () => {
    const at = (what: string): Span => spans.find((s) => s.kind === "task" && s.what === what)!;
    for (let l = 3; l < 61; l++) {
      for (const m of [0, 1]) {
        const a = at(`L${l} attention mb${m}`);
        const f = at(`L${l} MoE mb${m}`);
        expect(f.t).toBeGreaterThanOrEqual(end(a));
        if (l < 60) expect(at(`L${l + 1} attention mb${m}`).t).toBeGreaterThanOrEqual(end(f));
      }
    }
  });

  it("one MoE layer by hand: the 16-AIC attention stream binds, 2 × its micro-batch attention per layer", () => {
    // A = one micro-batch's attention (24 sequences) on 16 AIC + 32 AIV, F0/F1 = the MoE tasks on 8 AIC + 16 AIV.
    // Attention stream: A(0,l) A(1,l) A(0,l+1) …; F(0,l) runs beside A(1,l). As long as F0 ≤ A (455 vs
    // 540 µs at this point), A(0,l+1) starts when A(1,l) ends: layer period = 2A = 2 × 540.3 = 1,080.6 µs.
    const A = attn.find((s) => s.what === "L10 attention mb0")!.dur;
    const f0 = moe.find((s) => s.what === "L10 MoE mb0")!.dur;
    expect(f0).toBeLessThan(A);
    const start = (l: number): number => attn.find((s) => s.what === `L${l} attention mb0`)!.t;
    expect(start(11) - start(10)).toBe(2 * A);
    // the step is the sum of its stages: launch, 3 whole-die dense layers, the MoE layers, head, MTP
    const step = spans.find((s) => s.kind === "step")!;
    const layersEnd = Math.max(...moe.filter((s) => s.what.startsWith("L60 ")).map(end));
    const head = whole.find((s) => s.what === "LM head + sampling")!;
    expect(head.t).toBe(layersEnd);
    expect(end(whole.find((s) => s.what === "MTP 0 head")!)).toBe(step.dur);
  });

  it("the MTP head computes draft logits for one row per sequence (the last accepted position), the main head for every verified token", () => {
    // Main model: 48 sequences × (1 + 1 draft) = 96 rows need logits (the draft is verified, a bonus token
    // sampled). The MTP module runs on the 96 verified positions (its KV cache), but the next draft comes
    // from the last accepted one: 48 rows. The LM-head GEMM reads the 129,280 × 7,168 BF16 table (1.85 GB,
    // ~1.31 ms) either way; sampling (softmax + top-1 over 129,280 logits per row, ~83 µs for 96 rows) halves.
    const pm = phaseModelOf(DECODE, readFileSync(DECODE, "utf8"), [], "decode");
    expect(pm.sequences * pm.queryTokens).toBe(96);
    const pricer = new ItemPricer(pm.die, loadScenario(DECODE).env, undefined, [0]);
    const rows48 = { ...pm.fullInput, shape: { ...pm.fullInput.shape, queryTokens: 1 } };
    const mainHead = whole.find((s) => s.what === "LM head + sampling")!;
    const mtpHead = whole.find((s) => s.what === "MTP 0 head")!;
    expect(mainHead.dur).toBe(Math.round(pricer.listNs(headItems(pm.fullInput), undefined).ns));
    expect(mtpHead.dur).toBe(Math.round(pricer.listNs(headItems(rows48, { prefix: "mtp " }), undefined).ns));
    expect(mainHead.dur - mtpHead.dur).toBeGreaterThan(30_000);
  });
});

describe("comm_stream: micro-batch 1 computes while micro-batch 0 communicates", () => {
  it("decode (attention TP 1): micro-batch 0 dispatches while micro-batch 1's attention runs", () => {
    // First MoE layer, both micro-batches ready at T (the whole-die dense layer L2 ends). Compute stream:
    // X0 = attention + router of mb0 [T, T+a], X1 = the same of mb1 [T+a, T+2a]; the dispatch of mb0 needs
    // only X0: [T+a, T+a+d]; the experts of mb0 start at max(T+2a, T+a+d). At the T1 point a = 453.2 +
    // 7.7 = 460.9 µs, d = 64.6 µs: the dispatch hides behind X1. (With the router a task of its own after
    // X1 in the stream's order, the dispatch started at T+2a and the compute stream idled 57 µs per layer.)
    const spans = traceOf(DECODE, ["workload.overlap=comm_stream"]);
    const dense = tasks(spans).find((s) => s.what === "L2 attention + dense FFN (full batch)")!;
    const d0 = taskWith(spans, "L3 dispatch mb0");
    const a1 = taskWith(spans, "L3 attention compute 0 mb1");
    expect(d0.t).toBeLessThan(end(a1));
    const x0 = taskWith(spans, "L3 router compute 0 mb0");
    const x1 = taskWith(spans, "L3 router compute 0 mb1");
    expect(taskWith(spans, "L3 attention compute 0 mb0")).toEqual(x0);
    expect(a1).toEqual(x1);
    const e0 = taskWith(spans, "L3 experts mb0");
    expect(x0.t).toBe(end(dense));
    expect(d0.t).toBe(end(x0));
    expect(x1.t).toBe(end(x0));
    expect(e0.t).toBe(Math.max(end(x1), end(d0)));
  });

  const prefill = `
cluster: cloudmatrix-16
model: deepseek-r1
precision: w8a8
deployment: {npus: 16, attention: {dp: 1, tp: 32, sp: true}, experts: {ep: 32, tp: 1}, redundant_experts: 32}
workload: {kind: inference-bench, phase: prefill, prompt_len: 1024, tokens_per_batch: 4096, microbatches: 2, overlap: comm_stream}
`;
  const spans = traceOf("prefill-schedule.yaml", [], prefill);

  it("prefill (SP–TP–SP), MoE layer: mb0's dispatch runs beside mb1's last attention segment", () => {
    // MoE layer: o_proj … post-attention norm (the attention's last compute run) and the router are one run
    const d0 = taskWith(spans, "L3 dispatch mb0");
    const o1 = taskWith(spans, "L3 attention compute 4 mb1");
    expect(d0.t).toBeLessThan(end(o1));
    const r0 = taskWith(spans, "L3 router compute 0 mb0");
    expect(taskWith(spans, "L3 attention compute 4 mb0")).toEqual(r0);
    expect(d0.t).toBe(end(r0));
    expect(o1.t).toBe(end(r0));
  });

  it("prefill (SP–TP–SP), dense layer: mb0's next TP exchange runs beside mb1's FFN", () => {
    // dense layer: the FFN of mb0 and its next layer's projections are one run with the attention tail, so
    // mb0's Q all-to-all of L1 runs beside mb1's FFN of L0 (before: after it, beside mb1's projections only)
    const f1 = taskWith(spans, "L0 dense FFN compute 0 mb1");
    const q0 = taskWith(spans, "L1 attention comm 1 mb0");
    expect(q0.t).toBeLessThan(end(f1));
    expect(taskWith(spans, "L1 attention compute 0 mb0")).toEqual(taskWith(spans, "L0 dense FFN compute 0 mb0"));
    // the communication stream runs one task at a time as well
    const comm = tasks(spans, "die0/comm").sort((a, b) => a.t - b.t);
    for (let i = 1; i < comm.length; i++) expect(comm[i]!.t).toBeGreaterThanOrEqual(end(comm[i - 1]!));
  });
});
