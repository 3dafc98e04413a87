import { describe, expect, it } from "vitest";
import { attentionFlopsPerToken, causalAttentionFlops, matmulFlopsPerToken, MODEL_NAMES } from "../../../../src/model/index.js";
import { forwardPass, passFlops } from "../../../../src/model/ops/index.js";
import { arch, input } from "./helpers.js";

// 256 tokens route evenly over every preset's experts at TP = EP = 1 (256·top_k / experts is an integer).
const SEQUENCES = 128;
const QUERY = 2;
const T = SEQUENCES * QUERY;
const KV = 4096;

describe("one forward pass over all layers reproduces the model FLOP count (TP = EP = 1)", () => {
  it.each(MODEL_NAMES)("%s decode: weight matmuls × T + attention over the KV cache (MLA absorbed)", (name) => {
    const a = arch(name);
    const pass = forwardPass(input(name, { phase: "decode", sequences: SEQUENCES, queryTokens: QUERY, kvLen: KV }));
    const expected = matmulFlopsPerToken(a) * T + attentionFlopsPerToken(a, KV, { mlaAbsorbed: true }) * T;
    expect(passFlops(pass) / expected).toBeCloseTo(1, 2);
  });

  it.each(MODEL_NAMES)("%s training forward: weight matmuls × T + causal attention (model-FLOP form)", (name) => {
    const a = arch(name);
    const seq = 1024;
    const seqs = 4;
    const pass = forwardPass(input(name, { phase: "train_forward", sequences: seqs, queryTokens: seq }));
    const expected = matmulFlopsPerToken(a) * seqs * seq + causalAttentionFlops(a, seq) * seqs;
    expect(passFlops(pass) / expected).toBeCloseTo(1, 2);
  });

  it("prefill computes logits only for the last token of each prompt", () => {
    const a = arch("deepseek-v3");
    const seq = 512;
    const seqs = 2;
    const pass = forwardPass(input("deepseek-v3", { phase: "prefill", sequences: seqs, queryTokens: seq }));
    const head = 2 * a.vocab_size * a.hidden_size;
    const expected = (matmulFlopsPerToken(a) - head) * seqs * seq + head * seqs + causalAttentionFlops(a, seq) * seqs;
    expect(passFlops(pass) / expected).toBeCloseTo(1, 2);
  });

  it("the MTP module adds its own layer, eh_proj and the shared head (DeepSeek-V3)", () => {
    const a = arch("deepseek-v3");
    const shape = { phase: "decode" as const, sequences: SEQUENCES, queryTokens: QUERY, kvLen: KV };
    const without = passFlops(forwardPass(input("deepseek-v3", shape)));
    const withMtp = passFlops(forwardPass(input("deepseek-v3", shape), { includeMtp: true }));
    const mtpMatmul = (matmulFlopsPerToken(a, { includeMtp: true }) - matmulFlopsPerToken(a)) * T;
    const mtpAttention = (attentionFlopsPerToken(a, KV, { mlaAbsorbed: true, includeMtp: true }) - attentionFlopsPerToken(a, KV, { mlaAbsorbed: true })) * T;
    expect((withMtp - without) / (mtpMatmul + mtpAttention)).toBeCloseTo(1, 2);
  });
});
