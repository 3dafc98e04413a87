import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { tokensPerStep } from "../../src/workload/inference-bench/inference-bench.js";

// MTP with k ≥ 2 draft tokens (docs/inference-bench.md, "MTP"): the first draft pass runs on the 1 + k
// positions the main model verified per sequence, each later pass on one token per sequence (the draft
// the pass before sampled). Checked on the trace's dispatch spans (tokens per EP rank) and on the
// tokens-per-step formula.

interface Span {
  kind: string;
  what: string;
  dur: number;
  /** Span attributes are flattened into the record (dispatch: `tokens_per_rank`). */
  tokens_per_rank?: number;
}

const DECODE = "configs/cloudmatrix-dsr1-decode.yaml";

describe("MTP draft passes with k = 3 (CM384 T1 decode point, mtp.layers set to 3)", () => {
  const r = runScenario(loadScenario(DECODE, { sets: ["workload.mtp.layers=3"] }), { trace: true });
  const spans = r
    .trace!.split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Span);
  const tokensPerRank = (what: string): number => {
    const s = spans.filter((x) => x.kind === "moe" && x.what === what);
    expect(s.length, what).toBe(1);
    return s[0]!.tokens_per_rank!;
  };

  it("pass 0 dispatches the 1 + k verified tokens per sequence, passes 1 and 2 one token per sequence", () => {
    // 96 sequences per NPU = 48 per die (attention dp 320, tp 1), 2 micro-batches of 24 sequences.
    // Main layers and MTP pass 0: 24 × (1 + 3) = 96 tokens per rank per micro-batch.
    // MTP passes 1 and 2: 24 × 1 = 24 tokens per rank (before the fix: 96, as pass 0).
    expect(tokensPerRank("L3 mb0 dispatch")).toBe(96);
    expect(tokensPerRank("MTP0 mb0 dispatch")).toBe(96);
    expect(tokensPerRank("MTP0 mb1 dispatch")).toBe(96);
    expect(tokensPerRank("MTP1 mb0 dispatch")).toBe(24);
    expect(tokensPerRank("MTP1 mb1 dispatch")).toBe(24);
    expect(tokensPerRank("MTP2 mb0 dispatch")).toBe(24);
    expect(tokensPerRank("MTP2 mb1 dispatch")).toBe(24);
  });

  it("a later pass's embedding + eh_proj costs no more than the first's (one row per sequence instead of four)", () => {
    const task = (what: string): number => spans.find((s) => s.kind === "task" && s.what === what)!.dur;
    expect(task("MTP 1 embedding + eh_proj")).toBeLessThanOrEqual(task("MTP 0 embedding + eh_proj"));
    expect(task("MTP 2 embedding + eh_proj")).toBe(task("MTP 1 embedding + eh_proj"));
  });
});

describe("tokens per step per sequence: 1 + a + a² + … + a^k", () => {
  it("k = 1, 2, 3 at a = 0.7", () => {
    // 1 + 0.7 = 1.7; + 0.49 = 2.19; + 0.343 = 2.533
    expect(tokensPerStep(1, 0.7)).toBeCloseTo(1.7, 12);
    expect(tokensPerStep(2, 0.7)).toBeCloseTo(2.19, 12);
    expect(tokensPerStep(3, 0.7)).toBeCloseTo(2.533, 12);
    expect(tokensPerStep(0, 0.7)).toBe(1);
  });
});
