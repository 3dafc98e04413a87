import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

/*
 * MTP on the last virtual stage (memory and recompute), on a small dense model with one MTP module
 * (GQA, SwiGLU, written inline) on one stage: tp 1, pp 1, dp 32 on 4 Atlas 800T A2 servers.
 */

const GiB = 1024 ** 3;
const h = 1024, V = 32000, q = 16, kv = 4, d = 64, F = 4096;
const SMALL = { layers: 8, hidden_size: h, vocab_size: V, attention: { kind: "gqa", heads: q, kv_heads: kv, head_dim: d }, first_dense_layers: "all", dense_intermediate_size: F, mtp_layers: 1 };

function metrics(workload: string): Record<string, any> {
  const text = `cluster: {preset: roce-4x800t-a2}\nmodel: ${JSON.stringify(SMALL)}\nparallel: {tp: 1, pp: 1, dp: 32}\nworkload:\n  kind: training\n  seq_len: 1024\n  micro_batch_size: 2\n  global_batch_size: 128\n${workload}`;
  return runScenario(loadScenario("inline.yaml", { text })).metrics as Record<string, any>;
}

describe("training MTP module", () => {
  it("adds its decoder layer's activations and the FP32 logits of its own cross-entropy to the last stage's activations", () => {
    const T = 2 * 1024; // micro-batch tokens
    const actPerLayer = T * (h * 2 + h * 2 + (q + 2 * kv) * d * 2 + (q + kv) * d * 2 + q * (d * 2 + 4) + h * 2 + h * 2 + 2 * F * 2 + F * 2);
    const logits = T * V * 4;
    const withMtp = metrics("  recompute: none\n  mtp: true\n").memory_gib.activations as number;
    const without = metrics("  recompute: none\n  mtp: false\n").memory_gib.activations as number;
    // both figures are rounded to 0.001 GiB
    expect(Math.abs(withMtp - without - (actPerLayer + logits) / GiB)).toBeLessThan(0.0011);
  });
});
