import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

/*
 * Adaptive pipe overlap fuses a backward with the forward after it. GPipe (every forward, then every
 * backward) has no such pair, nor has 1F1B with one micro-batch: `overlap: true` then changes nothing,
 * and the run's notes say so instead of leaving the reader to believe the step is overlapped.
 */

/** A small dense Llama-like model (GQA, SwiGLU), written inline. */
const SMALL = { layers: 8, hidden_size: 1024, vocab_size: 32000, attention: { kind: "gqa", heads: 16, kv_heads: 4, head_dim: 64 }, first_dense_layers: "all", dense_intermediate_size: 4096 };

/** pp 2 × dp 16 on 32 NPUs; micro-batches per replica = global batch / (2 × 16). */
function run(schedule: string, overlap: boolean, globalBatch = 128) {
  const text =
    `cluster: {preset: roce-4x800t-a2}\nmodel: ${JSON.stringify(SMALL)}\nparallel: {tp: 1, pp: 2, dp: 16}\nworkload:\n  kind: training\n` +
    `  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: ${globalBatch}\n  schedule: ${schedule}\n  overlap: ${overlap}\n`;
  return runScenario(loadScenario("inline.yaml", { text }));
}
const idle = (notes: readonly string[]): string[] => notes.filter((n) => n.startsWith("overlap: true has no effect"));

describe("a note says when overlap has nothing to fuse", () => {
  it("GPipe with overlap: the note names GPipe's order, and the metrics equal those without overlap", () => {
    const on = run("gpipe", true);
    expect(idle(on.notes)).toEqual([
      "overlap: true has no effect: adaptive pipe overlap fuses a backward with the forward after it, and GPipe runs every forward before every backward, so no backward is followed by a forward to fuse with; use schedule 1f1b or interleaved",
    ]);
    expect(on.metrics).toEqual(run("gpipe", false).metrics);
  });
  it("1F1B with one micro-batch with overlap: the note says there is no steady state", () => {
    expect(idle(run("1f1b", true, 32).notes)).toEqual([
      "overlap: true has no effect: adaptive pipe overlap fuses a backward with the forward after it, and with 1 micro-batch no stage reaches the 1F1B steady state, so no backward is followed by a forward to fuse with",
    ]);
  });
  it("no note without overlap, nor with overlap on 1F1B with several micro-batches (where it changes the step)", () => {
    expect(idle(run("gpipe", false).notes)).toEqual([]);
    const on = run("1f1b", true);
    expect(idle(on.notes)).toEqual([]);
    expect(on.metrics.step_s).not.toBe(run("1f1b", false).metrics.step_s);
  });
});
