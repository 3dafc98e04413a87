import { describe, expect, it } from "vitest";
import { RngStreams } from "../../../src/engine/rng.js";
import { aliasTable, popularityProfile, sampleSequenceTokens, sampleTokens, SequenceUrns } from "../../../src/workload/inference-bench/routing.js";

// Token-level expert routing of the step simulator (src/workload/inference-bench/routing.ts): popularity
// profiles, top-k sampling, and per-sequence preferences drawn by Pólya urns.

const E = 256;
const K = 8;
const uniform = { skew: "uniform", zipf_exponent: 1, hot_experts: 1, hot_factor: 30 } as const;
const hot = { ...uniform, skew: "hot" } as const;
const layer = (weights: Float64Array) => ({ tables: [aliasTable(weights)], expertsPerTable: E, picksPerTable: K });

function cv(xs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  const mean = sum / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return Math.sqrt(v / xs.length) / mean;
}

/** Expert counts of each of `seqs` sequences of `tokens` tokens, with preferences of coefficient of variation `c`. */
function sequenceCounts(weights: Float64Array, c: number, seqs: number, tokens: number, seed = 1): Float64Array[] {
  const urns = new SequenceUrns(seqs, 1, tokens, K, E, 1 / (c * c));
  const counts = Array.from({ length: seqs }, () => new Float64Array(E));
  sampleSequenceTokens(layer(weights), new RngStreams(seed).stream("r"), seqs * tokens, (t) => Math.floor(t / tokens), urns, (e, t) => counts[Math.floor(t / tokens)]![e]!++);
  return counts;
}

describe("popularity profiles", () => {
  it("have mean weight 1; a hot expert sits at hot_factor × the mean", () => {
    const w = popularityProfile(E, hot);
    expect(w.reduce((a, b) => a + b, 0) / E).toBeCloseTo(1, 12);
    expect(w[0]).toBeCloseTo(30, 12);
  });
});

describe("independent top-k sampling", () => {
  it("gives each token k distinct experts, with the popularity's frequencies", () => {
    const w = popularityProfile(E, hot);
    const copies = new Float64Array(E);
    const seen: number[][] = [];
    sampleTokens(layer(w), new RngStreams(1).stream("r"), 20000, (e, t) => {
      copies[e]!++;
      (seen[t] ??= []).push(e);
    });
    for (const picks of seen) expect(new Set(picks).size).toBe(K);
    // the hot expert is drawn in nearly every token (Plackett–Luce: ~30/(256+29)·8 ≈ 0.64 by the first draw alone)
    const mean = (20000 * K) / E;
    expect(copies[0]! / mean).toBeGreaterThan(15);
    expect(cv(copies.subarray(1))).toBeLessThan(0.05);
  });
});

describe("top-k sampling when the chosen experts hold nearly all the weight (a hot skew near its limit)", () => {
  // 4 experts, one at 1000× the others' scale: a token's second pick is almost always a repeat of the hot one, so
  // after a few rejected draws it is drawn from the weights of the experts not yet chosen — the same law in one draw
  const w = Float64Array.from([1000, 1, 2, 3]);
  const narrow = { tables: [aliasTable(w)], expertsPerTable: 4, picksPerTable: 2 };
  const tokens = 60_000;

  it("still gives each token k distinct experts, and the second pick follows the remaining weights 1 : 2 : 3", () => {
    const second = new Float64Array(4);
    let prev = -1;
    sampleTokens(narrow, new RngStreams(7).stream("r"), tokens, (e, t) => {
      if (prev >= 0 && t === prev) {
        second[e]!++;
        prev = -1;
      } else prev = t;
    });
    expect(second.reduce((a, b) => a + b, 0)).toBe(tokens);
    // the hot expert is picked first in ~99.4 % of tokens; the second picks of those split 1 : 2 : 3 (±3σ)
    const cold = second[1]! + second[2]! + second[3]!;
    for (const [e, share] of [[1, 1 / 6], [2, 2 / 6], [3, 3 / 6]] as const) {
      const sigma = Math.sqrt((cold * share * (1 - share)));
      expect(Math.abs(second[e]! - cold * share), `expert ${e}`).toBeLessThan(3 * sigma + 1);
    }
  });
  it("per-sequence urns too: every token gets k distinct experts", () => {
    const urns = new SequenceUrns(4, 1, 100, 2, 4, 1);
    const picks: number[][] = Array.from({ length: 400 }, () => []);
    sampleSequenceTokens(narrow, new RngStreams(3).stream("r"), 400, (t) => Math.floor(t / 100), urns, (e, t) => picks[t]!.push(e));
    for (const p of picks) expect(new Set(p).size).toBe(2);
  });
});

describe("per-sequence preferences (routing.sequence_cv)", () => {
  it("a long sequence's expert counts vary across experts with the configured coefficient of variation", () => {
    for (const c of [0.5, 1]) {
      const counts = sequenceCounts(popularityProfile(E, uniform), c, 8, 4096);
      const mean = counts.map(cv).reduce((a, b) => a + b, 0) / counts.length;
      // Dirichlet(κ) with κ = 1/c² has CV √((E−1)/(κE+1)) ≈ c, plus multinomial noise E/(tokens·k) ≈ 0.8 % in CV²
      expect(mean).toBeGreaterThan(0.85 * c);
      expect(mean).toBeLessThan(1.15 * c);
    }
  });

  it("independent tokens (no urn) give a flat sequence: CV of the counts is multinomial noise only", () => {
    const counts = new Float64Array(E);
    sampleTokens(layer(popularityProfile(E, uniform)), new RngStreams(1).stream("r"), 4096, (e) => counts[e]!++);
    expect(cv(counts)).toBeLessThan(0.15);
  });

  it("over many sequences the load follows the popularity: cold experts stay even, the hot expert stays far the hottest", () => {
    const w = popularityProfile(E, hot);
    const counts = sequenceCounts(w, 1, 400, 64);
    const total = new Float64Array(E);
    for (const c of counts) for (let e = 0; e < E; e++) total[e]! += c[e]!;
    const independent = new Float64Array(E);
    sampleTokens(layer(w), new RngStreams(2).stream("r"), 400 * 64, (e) => independent[e]!++);
    // its share is independent routing's, up to the top-k saturation (a token takes an expert at most
    // once, so a sequence that prefers it more cannot fully make up for one that prefers it less)
    expect(total[0]! / independent[0]!).toBeGreaterThan(0.9);
    expect(total[0]! / independent[0]!).toBeLessThan(1.05);
    expect(total[0]! / ((400 * 64 * K) / E)).toBeGreaterThan(15);
    // the cold experts' long-run loads stay even (sampling noise over 400 sequences only)
    expect(cv(total.subarray(1))).toBeLessThan(0.25);
  });

  it("a token's routing does not drift along its sequence: the urn of a Dirichlet is exchangeable (it records rejected repeats too)", () => {
    // every token of a Dirichlet(κ·w) sequence has the same marginal; an urn of accepted picks only drifted
    // away from the 30× hot expert (0.57 picks per token in the first 64 tokens, 0.34 after 1,024)
    const w = popularityProfile(E, hot);
    const seqs = 100;
    const tokens = 4096;
    const urns = new SequenceUrns(seqs, 1, tokens, K, E, 1);
    let early = 0;
    let late = 0;
    sampleSequenceTokens(layer(w), new RngStreams(6).stream("r"), seqs * tokens, (t) => Math.floor(t / tokens), urns, (e, t) => {
      if (e !== 0) return;
      const p = t % tokens;
      if (p < 256) early++;
      else if (p >= 1024) late++;
    });
    const earlyPerToken = early / (seqs * 256);
    const latePerToken = late / (seqs * (tokens - 1024));
    let independent = 0;
    sampleTokens(layer(w), new RngStreams(7).stream("r"), 100000, (e) => independent += e === 0 ? 1 : 0);
    expect(latePerToken / earlyPerToken).toBeGreaterThan(0.95);
    expect(latePerToken / earlyPerToken).toBeLessThan(1.05);
    expect(latePerToken / (independent / 100000)).toBeGreaterThan(0.9);
  });

  it("still gives each token k distinct experts, however concentrated the sequence", () => {
    const urns = new SequenceUrns(2, 1, 2000, K, E, 1 / 9);
    const seen: number[][] = [];
    sampleSequenceTokens(layer(popularityProfile(E, uniform)), new RngStreams(3).stream("r"), 4000, (t) => (t < 2000 ? 0 : 1), urns, (e, t) => (seen[t] ??= []).push(e));
    expect(seen.length).toBe(4000);
    for (const picks of seen) expect(new Set(picks).size).toBe(K);
  });

  it("sequences are independent of each other and of the previous layer (reset)", () => {
    const w = popularityProfile(E, uniform);
    const urns = new SequenceUrns(2, 1, 4096, K, E, 1);
    const rng = new RngStreams(4).stream("r");
    const draw = (): Float64Array[] => {
      const c = [new Float64Array(E), new Float64Array(E)];
      urns.reset();
      sampleSequenceTokens(layer(w), rng, 8192, (t) => (t < 4096 ? 0 : 1), urns, (e, t) => c[t < 4096 ? 0 : 1]![e]!++);
      return c;
    };
    const corr = (a: Float64Array, b: Float64Array): number => {
      const ma = a.reduce((x, y) => x + y, 0) / E;
      const mb = b.reduce((x, y) => x + y, 0) / E;
      let ab = 0, aa = 0, bb = 0;
      for (let e = 0; e < E; e++) {
        ab += (a[e]! - ma) * (b[e]! - mb);
        aa += (a[e]! - ma) ** 2;
        bb += (b[e]! - mb) ** 2;
      }
      return ab / Math.sqrt(aa * bb);
    };
    const [a, b] = draw();
    const [a2] = draw();
    // two sequences, and one sequence in two layers, share no preference: correlation ≈ 0 (±3/√256 ≈ 0.19)
    expect(Math.abs(corr(a!, b!))).toBeLessThan(0.2);
    expect(Math.abs(corr(a!, a2!))).toBeLessThan(0.2);
  });

  it("padding tokens (sequence −1) route from the popularity alone", () => {
    const urns = new SequenceUrns(1, 1, 1, K, E, 1);
    const counts = new Float64Array(E);
    sampleSequenceTokens(layer(popularityProfile(E, uniform)), new RngStreams(5).stream("r"), 4096, () => -1, urns, (e) => counts[e]!++);
    expect(cv(counts)).toBeLessThan(0.15);
  });

  it("the same seed gives the same picks", () => {
    const a = sequenceCounts(popularityProfile(E, hot), 1, 4, 512, 7);
    const b = sequenceCounts(popularityProfile(E, hot), 1, 4, 512, 7);
    expect(a).toEqual(b);
  });
});
