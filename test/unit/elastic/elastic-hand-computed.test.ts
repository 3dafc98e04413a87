// The elastic simulation on scenarios small enough to compute by hand: fixed step costs instead of the step
// model (a prefill batch costs 1 ms per prompt token on the busiest attention replica, no per-batch
// constant; a decode step a fixed time whatever the batch), layouts of TP2 on 910C-like NPUs of two dies
// (DP3 = 6 dies, DP4 = 8) with no weights unless a test gives them (so P2P and storage loads take 0 s and a
// scaling is its constant components: docs/elastic.md), on a 16-rank star. Each expectation's arithmetic is
// in a comment; metrics are workloads.md's (TTFT = t₁ − a, TPOT = (tₙ − t₁)/(n − 1), SLO attainment = the
// fraction of requests meeting every SLO).
import { starTopology } from "../../helpers/star-topology.js";
import { describe, expect, it } from "vitest";
import { Hooks, Simulator } from "../../../src/engine/index.js";
import { AnalyticalNetwork } from "../../../src/network/analytical.js";
import type { Topology } from "../../../src/topology/topology.js";
import type { SimEvents } from "../../../src/trace/span.js";
import type { Arrival, Request } from "../../../src/workload/serving/request.js";
import { PrefillCost, type DecodeCost } from "../../../src/workload/serving/step-cost.js";
import { elasticMetrics } from "../../../src/workload/elastic/elastic.js";
import { simulateElastic, type ElasticOutcome, type LayoutCost } from "../../../src/workload/elastic/elastic-sim.js";
import { p2pTransfers, type ShardLayout } from "../../../src/workload/elastic/p2p-plan.js";
import { elasticCoreSchema, type ElasticCore } from "../../../src/workload/elastic/schema.js";

const MS = 1e6;
const S = 1e9;

const star = (): Topology => starTopology(16, 100e9, 0, "ub");

/** Prefill: 1 ms per prompt token, prompts spread over the replicas (the batch lasts its busiest replica). */
function prefillCost(dp: number): PrefillCost {
  return Object.assign(Object.create(PrefillCost.prototype) as PrefillCost, { single: { alphaNs: 0, beta: 1 * MS, gamma: 0 }, multi: undefined, floorNs: 0, dp, points: [] });
}

interface LayoutOpts {
  /** Decode step, ms. */
  decodeMs?: number;
  /** KV pool per attention replica, tokens. */
  kvTokensPerReplica?: number;
  /** Dies per NPU (2: 910C, 1: 910B). */
  diesPerNpu?: number;
  /** KV of one token on one die of its replica, B. */
  kvBytesPerTokenPerDie?: number;
  /** Called with each decode step's sequences on its busiest replica, count, and the layout's DP. */
  onDecode?: (busiest: number, dp: number) => void;
}

/** Layout DP`dp` at TP2 with the given step costs and no weights. */
function layout(dp: number, o: LayoutOpts = {}): LayoutCost {
  const dies = 2 * dp;
  const kv = o.kvTokensPerReplica ?? 1e9;
  const decode = { dp, kvTokensPerReplica: kv, tokensPerStep: 1, npus: dies / (o.diesPerNpu ?? 2), stepNs: (b: number) => {
      o.onDecode?.(b, dp);
      return (o.decodeMs ?? 100) * MS;
    } } as unknown as DecodeCost;
  return {
    dp,
    dies,
    npus: dies / (o.diesPerNpu ?? 2),
    prefill: prefillCost(dp),
    decode,
    weightBytesPerDie: 0,
    buffersBytesPerDie: 0,
    hbmBytesPerDie: 64e9,
    kvBytesPerTokenPerDie: o.kvBytesPerTokenPerDie ?? 1,
    kvTokensPerReplica: kv,
    a2aBytesPerToken: 0,
    routedExperts: 0,
    expertSlotsPerDie: 0,
    expertBytes: 0,
    nonExpertBytesPerDie: 0,
  };
}

function config(extra: Record<string, unknown> = {}): ElasticCore {
  return elasticCoreSchema.parse({ kind: "elastic", from: { dp: 3 }, to: { dp: 4 }, drain_s: 100, ...extra });
}

const at = (s: number, input: number, output: number): Arrival => ({ atNs: Math.round(s * S), input, output, hashIds: [] });

interface Run {
  o: ElasticOutcome;
  m: Record<string, unknown>;
  r: readonly Request[];
}

function simulate(cfg: ElasticCore, arrivals: Arrival[], o: LayoutOpts & { ranksPerNpu?: number } = {}): Run {
  const sim = new Simulator(1);
  const outcome = simulateElastic({
    cfg,
    arrivals,
    layoutOf: (dp) => layout(dp, o),
    sim,
    hooks: new Hooks<SimEvents>(),
    net: new AnalyticalNetwork(sim, star()),
    observe: false,
    ranksPerNpu: o.ranksPerNpu ?? 2,
  });
  return { o: outcome, m: elasticMetrics(cfg, outcome), r: outcome.requests };
}

const scaling = (m: Record<string, unknown>, i = 0): Record<string, number> => (m.scalings as Record<string, number>[])[i]!;
const s = (ns: number): number => ns / S;

describe("elastic by hand: the zero-copy switch happens at a step boundary of the old engine", () => {
  // ElasticMoE DP3 → DP4 at 0 s with no weights to copy: device_init 1 + P2P 0 + alloc_ipc 0.15 + warm-up
  // 1.2 = 2.35 s, so the new configuration is ready at 2.35 s
  const up = config({ scaling: { events: [{ at_s: 0, dp: 4 }] } });
  it("a prefill in flight when the new configuration is ready finishes on the old one (not recomputed)", () => {
    // prompt of 3,000 tokens: prefill [0, 3.0) s on the old engine; ready at 2.35 s, mid-prefill. The switch
    // waits for the step: first token at 3.0 s, then two 100 ms decode steps on the new engine → 3.2 s.
    // (Abandoning the step re-prefilled the prompt on the new engine [2.35, 5.35): first token at 5.35 s.)
    const { m, r } = simulate(up, [at(0, 3000, 3)]);
    expect(s(r[0]!.firstTokenNs)).toBeCloseTo(3.0, 9);
    expect(s(r[0]!.lastTokenNs)).toBeCloseTo(3.2, 9);
    // the scaling ends when the new configuration takes over, at the switch
    expect(scaling(m).duration_s).toBeCloseTo(3.0, 9);
    // the sequence moved with its KV: running at the switch, nothing re-prefilled
    expect(scaling(m).running_at_switch).toBe(1);
    expect(m.reprefill_tokens).toBe(0);
    expect(m.downtime_s).toBe(0);
  });
  it("a decode step in flight emits its tokens before the switch", () => {
    // prefill [0, 2.3) s, first decode step [2.3, 2.4) in flight at 2.35 s: its token at 2.4 s, the last
    // step [2.4, 2.5) on the new engine → 2.5 s (abandoning the step: 2.35 + 2 × 0.1 = 2.55 s)
    const { m, r } = simulate(up, [at(0, 2300, 3)]);
    expect(s(r[0]!.firstTokenNs)).toBeCloseTo(2.3, 9);
    expect(s(r[0]!.lastTokenNs)).toBeCloseTo(2.5, 9);
    expect(scaling(m).duration_s).toBeCloseTo(2.4, 9);
  });
});

describe("elastic by hand: NPUs of the cluster's chip (910B: one die per NPU)", () => {
  it("max batch is max_batch_per_npu × NPUs and NPU·s count NPUs, not dies ÷ 2", () => {
    // DP3 × TP2 = 6 dies = 6 NPUs of a 910B; max_batch_per_npu 1 → 6 sequences at once. Six prompts of 100
    // tokens (2 out) at 0: the first, alone when it arrives, prefills [0, 0.1) s; then the other five (2, 2, 1
    // per replica) [0.1, 0.3); one decode step of all six [0.3, 0.4) → all done at 0.4 s. (A max batch of
    // 1 × 6 dies ÷ 2 = 3: the first and two more done at 0.3 s — prefill [0.1, 0.2), decode [0.2, 0.3) —,
    // the last three prefilled [0.3, 0.4) and done at 0.5 s.)
    const cfg = config({ max_batch_per_npu: 1, scaling: { events: [] } });
    const { m, r } = simulate(cfg, Array.from({ length: 6 }, () => at(0, 100, 2)), { diesPerNpu: 1, ranksPerNpu: 1 });
    for (const q of r) expect(s(q.lastTokenNs)).toBeCloseTo(0.4, 9);
    // billed until the last completion: 6 NPUs × 0.4 s = 2.4 NPU·s (= die·s on a 910B; dies ÷ 2 gave half)
    expect(m.die_seconds as number).toBeCloseTo(2.4, 9);
    expect(m.npu_seconds as number).toBeCloseTo(2.4, 9);
  });
});

describe("elastic by hand: a sequence's KV must fit one attention replica", () => {
  it("a DP2 pool of 1,500 tokens per replica holds two 1,000-token sequences, not three", () => {
    // three requests of 900 + 100 tokens (2 out) at 0; each replica holds one (1,000 ≤ 1,500 < 2,000). The
    // first, alone when it arrives, prefills [0, 0.9) s on replica 0; then the second on replica 1
    // [0.9, 1.8) (the third does not fit: both replicas hold 1,000); one decode step of both [1.8, 1.9) →
    // done at 1.9 s; the third then prefills [1.9, 2.8) and decodes [2.8, 2.9) → 2.9 s. (The engine's total,
    // 2 × 1,500 = 3,000 tokens, admitted the second and third together at 0.9 s: all done at 1.9 s.)
    const cfg = config({ from: { dp: 2 }, scaling: { events: [] } });
    const { r } = simulate(cfg, [at(0, 900, 2), at(0, 900, 2), at(0, 900, 2)], { kvTokensPerReplica: 1500 });
    expect(r.map((q) => s(q.lastTokenNs))).toEqual([expect.closeTo(1.9, 9), expect.closeTo(1.9, 9), expect.closeTo(2.9, 9)]);
  });
});

describe("elastic by hand: a decode step is paced by its busiest attention replica (as serving)", () => {
  it("two sequences left on one replica of DP2 cost a step of 2, not ⌈2 / 2⌉ = 1", () => {
    // decode step of b sequences on the busiest replica: 10 ms + 10 ms·b. A (100 + 4 tokens) arrives alone:
    // prefill [0, 0.1) s, KV on replica 0 (104 tokens); B (110 + 2) goes to replica 1 (0 reserved), C (100 + 4)
    // to replica 0 (104 < 112 reserved); their prefill [0.1, 0.21) (B's 110 tokens on one replica). Steps:
    // [0.21, 0.24) with A, C on replica 0 (b = 2) ends B; then A and C, both on replica 0: [0.24, 0.27),
    // [0.27, 0.30) → done at 0.30 s. (Priced at ⌈2 / 2⌉ = 1 per replica: 20 ms steps, done at 0.28 s.)
    const cfg = config({ from: { dp: 2 }, scaling: { events: [] } });
    const sim = new Simulator(1);
    const o = simulateElastic({
      cfg,
      arrivals: [at(0, 100, 4), at(0, 110, 2), at(0, 100, 4)],
      layoutOf: (dp) => {
        const l = layout(dp);
        return { ...l, decode: { ...l.decode, stepNs: (b: number) => (10 + 10 * b) * MS } as unknown as DecodeCost };
      },
      sim,
      hooks: new Hooks<SimEvents>(),
      net: new AnalyticalNetwork(sim, star()),
      observe: false,
      ranksPerNpu: 2,
    });
    expect(o.requests.map((q) => s(q.lastTokenNs))).toEqual([expect.closeTo(0.3, 9), expect.closeTo(0.24, 9), expect.closeTo(0.3, 9)]);
  });
});

describe("elastic by hand: a cold restart", () => {
  // cold restart DP3 → DP4 at 1.02 s, no weights: process_stop 4.6 + process_start 15 + graph_compile 33 +
  // hccl_init 4.4 + device_init 1 + storage 0 + alloc_plain 0.86 + warm-up 1.2 = 60.06 s → back at 61.08 s.
  // Request A (100-token prompt, 1,000 tokens out, 50 ms decode steps): prefill [0, 0.1), steps end at
  // 0.1 + 0.05·k s; the step [1.0, 1.05) in flight at the stop finishes (the tear-down drains it): 19 decode
  // tokens. Request B arrives at 70 s (100 + 2 tokens): prefilled in 0.1 s (after A's step in flight if A
  // runs), one 50 ms step: TTFT ≤ 150 ms, TPOT 50 ms: meets the SLO (2,000 ms, 100 ms).
  const base = { strategy: "cold_restart", scaling: { events: [{ at_s: 1.02, dp: 4 }] } };
  const arrivals = [at(0, 100, 1000), at(70, 100, 2)];
  it("drop: A is dropped (counted rejected) and SLO attainment is over the arrived requests: 1 of 2", () => {
    const { m } = simulate(config({ ...base, on_restart: "drop" }), arrivals, { decodeMs: 50 });
    expect(scaling(m).duration_s).toBeCloseTo(60.06, 9);
    expect(m.downtime_s as number).toBeCloseTo(60.06, 9);
    expect(scaling(m).dropped).toBe(1);
    expect([m.requests_arrived, m.requests_completed, m.requests_rejected, m.requests_unfinished]).toEqual([2, 1, 1, 0]);
    // met ÷ arrived = 1 / 2, as serving (a dropped request misses its SLO); met ÷ completed read 1
    expect(m.slo_attainment).toBe(0.5);
  });
  it("requeue: A is re-prefilled with the 19 tokens it had (119 tokens) and completes", () => {
    const { m, r } = simulate(config(base), arrivals, { decodeMs: 50 });
    expect(m.requests_requeued).toBe(1);
    expect(m.reprefill_tokens).toBe(100 + 19);
    // back at 61.08 s: re-prefill of 119 tokens [61.08, 61.199), then the 1000 − 1 − 19 = 980 tokens left at
    // 50 ms, paused 0.1 s for B's prefill (prefill first) → 61.199 + 49 + 0.1 = 110.299 s; its first token
    // stays the one at 0.1 s
    expect(s(r[0]!.firstTokenNs)).toBeCloseTo(0.1, 9);
    expect(s(r[0]!.lastTokenNs)).toBeCloseTo(110.299, 6);
    expect([m.requests_arrived, m.requests_completed, m.requests_rejected, m.requests_unfinished]).toEqual([2, 2, 0, 0]);
  });
  it("scaling down frees the removed dies once the old instance is torn down, not when the new one is ready", () => {
    // DP4 (8 dies) → DP3 (6) at 1 s, no requests (billed to the run's end, 1 + drain 100 = 101 s): the
    // 2 removed dies are free after process_stop (4.6 s), at 5.6 s: 8 × 5.6 + 6 × (101 − 5.6) = 617.2 die·s
    // (held until the restart ends at 61.06 s: 8 × 61.06 + 6 × 39.94 = 728.12)
    const { o } = simulate(config({ strategy: "cold_restart", from: { dp: 4 }, scaling: { events: [{ at_s: 1, dp: 3 }] } }), []);
    expect(s(o.endNs)).toBe(101);
    expect(o.dieSeconds).toBeCloseTo(617.2, 6);
    expect(o.npuSeconds).toBeCloseTo(308.6, 6);
  });
});

describe("elastic by hand: token and request rates around a scaling", () => {
  // one request at 0: 100-token prompt [0, 0.1) s, 11 tokens out, 1 s decode steps → tokens at 0.1, 1.1, …,
  // 10.1 s. ElasticMoE DP3 → DP4 at 3 s, ready at 3 + 2.35 = 5.35 s; the switch waits for the step in flight
  // and ends the scaling at 6.1 s.
  const cfg = (drain: number): ElasticCore => config({ drain_s: drain, scaling: { events: [{ at_s: 3, dp: 4 }] } });
  it("output tokens/s count tokens when emitted (as serving), not a request's whole output at completion", () => {
    const { m } = simulate(cfg(100), [at(0, 100, 11)], { decodeMs: 1000 });
    const x = scaling(m);
    // before [0, 3): tokens at 0.1, 1.1, 2.1 → 3 / 3 s (at completion: 0)
    expect(x.tokens_per_s_before).toBeCloseTo(1, 9);
    // during [3, 6.1): 3.1, 4.1, 5.1 → 3 / 3.1 s (at completion: 0)
    expect(x.tokens_per_s_during).toBeCloseTo(3 / 3.1, 9);
    // after [6.1, 16.1): 6.1 … 10.1 → 5 / 10 s (at completion: all 11 at 10.1 s → 1.1); the completion at 10.1 s → 0.1 req/s
    expect(x.tokens_per_s_after).toBeCloseTo(0.5, 9);
    expect(x.throughput_rps_after).toBeCloseTo(0.1, 9);
  });
  it("the after-window stops at the run's end", () => {
    // drain 9 s: the run ends at 3 + 9 = 12 s → after = [6.1, 12): 5 tokens and 1 completion over 5.9 s (not 10 s)
    const { m } = simulate(cfg(9), [at(0, 100, 11)], { decodeMs: 1000 });
    expect(scaling(m).tokens_per_s_after).toBeCloseTo(5 / 5.9, 9);
    expect(scaling(m).throughput_rps_after).toBeCloseTo(1 / 5.9, 9);
  });
});

describe("elastic by hand: which die sends which weights in a P2P copy", () => {
  // 128 experts of 1 unit each, a non-expert shard of 10 units per die, TP2
  const ep = (dies: number): ShardLayout => {
    const slots = Math.ceil(128 / dies);
    return { dies, routedExperts: 128, expertSlotsPerDie: slots, expertBytes: 1, nonExpertBytesPerDie: 10 };
  };
  const ranks = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const sum = (ts: { src: number; dst: number; bytes: number }[], key: "src" | "dst"): Map<number, number> => {
    const m = new Map<number, number>();
    for (const t of ts) m.set(t[key], (m.get(t[key]) ?? 0) + t.bytes);
    return m;
  };
  it("scale-up EP6 → EP8: a joining die receives its non-expert shard and 16 experts from the dies that hold them", () => {
    // EP6: 132 slots (128 + 4 redundant), 22 per die; EP8: 16 per die. Dies 0–5 keep 16 of their 22 experts;
    // the 32 they drop (6 of each of dies 0–4, experts 126–127 of die 5) go to dies 6 and 7, 16 each, plus
    // the non-expert shard (10) of their TP rank: 26 units in each, from dies 0–5
    const ts = p2pTransfers(ep(6), ranks(6), ep(8), ranks(8), 2);
    const into = sum(ts, "dst");
    expect([...into.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [6, 26],
      [7, 26],
    ]);
    const from = sum(ts, "src");
    // experts: 6, 6, 6, 6, 6, 2 from dies 0–5; the shard of TP rank 0 from die 0 (first of the least loaded
    // of 0, 2, 4), of TP rank 1 from die 5 (2 < 6)
    expect([0, 1, 2, 3, 4, 5].map((d) => from.get(d))).toEqual([16, 6, 6, 6, 6, 12]);
  });
  it("scale-down EP8 → EP6: the removed dies send their 16 experts each; the 4 redundant slots come from remaining dies", () => {
    // dies 0–5 keep their 16 experts and take 6 more each (36 slots): experts 96–127 exist only on dies 6
    // and 7 (16 each); the 4 redundant slots copy experts 0–3 from die 0, their holder
    const ts = p2pTransfers(ep(8), ranks(8), ep(6), ranks(6), 2);
    const into = sum(ts, "dst");
    for (let d = 0; d < 6; d++) expect(into.get(d)).toBe(6);
    const from = sum(ts, "src");
    expect(from.get(6)).toBe(16);
    expect(from.get(7)).toBe(16);
    expect(from.get(0)).toBe(4);
    // the busiest sender carries 16 units, not 3 destinations × 6 = 18 (one removed die per 3 remaining, round robin)
    expect(Math.max(...from.values())).toBe(16);
  });
});

describe("elastic by hand: a zero-copy scale-down moves the removed replica's sequences with their KV", () => {
  // DP2 → DP1 at 1 s (ElasticMoE, zero-copy, no weights: alloc_ipc 0.15 + warm-up 1.2 = 1.35 s, no device
  // init) → the new configuration is ready at 2.35 s. KV pool 200 tokens per replica (one size for both
  // layouts); a sequence reserves prompt + output = 100 tokens, so each replica holds N = 2. KV 1 MB per
  // token per die; the star's links carry 100 GB/s. Decode steps 100 ms.
  // A (95 in, 5 out) arrives alone: prefill [0, 0.095) s on replica 0. B, C, D (70 in) then prefill together
  // [0.095, 0.235) — B on replica 1, C on replica 0, D on replica 1 (least reserved first; replica 1 has 140
  // prompt tokens). Decode steps from 0.235 s; A's 4 decode tokens end at 0.635 s. The step [2.335, 2.435)
  // is in flight when the new configuration is ready, so the switch looks at the boundary 2.435 s.
  const cfg = config({ from: { dp: 2 }, scaling: { events: [{ at_s: 1, dp: 1 }] } });
  const opts = { kvTokensPerReplica: 200, kvBytesPerTokenPerDie: 1e6 };
  it("holds new admissions until the running sequences fit the remaining replica, moving no KV when none is left", () => {
    // B, C, D (30 out) emit their 29 decode tokens at 0.235 + 2.9 = 3.135 s. At 2.435 s they hold 300 tokens,
    // more than DP1's 200, so the old engine admits nothing (E, 90 + 2 tokens at 2.4 s, waits) and decodes
    // until they fit: all three complete at 3.135 s, nothing is left to move and the switch happens then.
    // (Switching at 2.435 s put all three on DP1's replica and preempted D for a re-prefill.)
    let dp1Busiest = 0;
    const onDecode = (b: number, dp: number): void => {
      if (dp === 1) dp1Busiest = Math.max(dp1Busiest, b);
    };
    const arrivals = [at(0, 95, 5), at(0, 70, 30), at(0, 70, 30), at(0, 70, 30), at(2.4, 90, 2)];
    const { o, m, r } = simulate(cfg, arrivals, { ...opts, onDecode });
    const x = o.scalings[0]!;
    expect(s(x.endNs)).toBeCloseTo(3.135, 9);
    expect(r.slice(1, 4).map((q) => s(q.lastTokenNs))).toEqual([3.135, 3.135, 3.135].map((v) => expect.closeTo(v, 9)));
    expect(x.kvMovedBytes).toBe(0);
    // E then prefills alone [3.135, 3.225) s and decodes its one token [3.225, 3.325) on DP1, which never
    // ran more than its N = 2 sequences (E is the only one it runs)
    expect(s(r[4]!.firstTokenNs)).toBeCloseTo(3.225, 9);
    expect(s(r[4]!.lastTokenNs)).toBeCloseTo(3.325, 9);
    expect(dp1Busiest).toBe(1);
    // no sequence lost its KV: none re-prefilled, every request completed
    expect(m.reprefill_tokens).toBe(0);
    expect(m.requests_requeued).toBe(0);
    expect([m.requests_arrived, m.requests_completed]).toEqual([5, 5]);
  });
  it("the sequences of the removed replica continue on the remaining one once their KV has crossed the fabric", () => {
    // C ends early (8 out): its 7 decode tokens at 0.935 s; replica 0 is then empty and replica 1 holds B and
    // D (200 ≤ 200). At 2.435 s B and D have 70 + 22 = 92 tokens of KV each (22 decode tokens at 0.335 …
    // 2.435 s): each die of replica 1 sends 2 × 92 MB to its TP peer on replica 0 over one 100 GB/s link,
    // 1.84 ms → switch at 2.43684 s; their last 29 − 22 = 7 tokens at 2.53684 … 3.13684 s
    let dp1Busiest = 0;
    const onDecode = (b: number, dp: number): void => {
      if (dp === 1) dp1Busiest = Math.max(dp1Busiest, b);
    };
    const { o, m, r } = simulate(cfg, [at(0, 95, 5), at(0, 70, 30), at(0, 70, 8), at(0, 70, 30)], { ...opts, onDecode });
    const x = o.scalings[0]!;
    expect(s(x.endNs)).toBeCloseTo(2.43684, 9);
    expect(x.runningAtSwitch).toBe(2);
    // 2 sequences × 2 dies × 92 MB
    expect(x.kvMovedBytes).toBe(2 * 2 * 92e6);
    expect(scaling(m).components_s).toMatchObject({ kv_move: expect.closeTo(0.00184, 12) });
    expect(s(r[1]!.lastTokenNs)).toBeCloseTo(3.13684, 9);
    expect(s(r[3]!.lastTokenNs)).toBeCloseTo(3.13684, 9);
    expect(dp1Busiest).toBe(2);
    expect(m.reprefill_tokens).toBe(0);
    expect([m.requests_arrived, m.requests_completed]).toEqual([4, 4]);
  });
});

describe("elastic by hand: a zero-copy scale-up's new replicas take sequences only from the switch", () => {
  it("a sequence that does not fit the old replica's pool waits for the switch, then runs on the new replica", () => {
    // DP1 → DP2 at 0 s (device_init 1 + P2P 0 + alloc_ipc 0.15 + warm-up 1.2 = 2.35 s). KV pool 200 tokens per
    // replica; A, B, C (70 in, 30 out: 100 tokens each) at 0. A prefills [0, 0.07) s, B [0.07, 0.14) (both on
    // the one replica, now full); C waits. Decode steps of A and B from 0.14 s; the step [2.34, 2.44) is in
    // flight at 2.35 s, so the switch is at 2.44 s, where A and B have 23 of their 29 decode tokens and stay
    // on replica 0. C then prefills on the new replica 1 [2.44, 2.51) (A and B pause: prefill first) and
    // decodes 29 tokens → 2.51 + 2.9 = 5.41 s; A and B's last 6 tokens end at 2.51 + 0.6 = 3.11 s.
    let dp1Busiest = 0;
    const onDecode = (b: number, dp: number): void => {
      if (dp === 1) dp1Busiest = Math.max(dp1Busiest, b);
    };
    const cfg = config({ from: { dp: 1 }, to: { dp: 2 }, scaling: { events: [{ at_s: 0, dp: 2 }] } });
    const { o, m, r } = simulate(cfg, [at(0, 70, 30), at(0, 70, 30), at(0, 70, 30)], { kvTokensPerReplica: 200, kvBytesPerTokenPerDie: 1e6, onDecode });
    expect(s(o.scalings[0]!.endNs)).toBeCloseTo(2.44, 9);
    expect(s(r[2]!.firstTokenNs)).toBeCloseTo(2.51, 9);
    expect(s(r[2]!.lastTokenNs)).toBeCloseTo(5.41, 9);
    expect(r.slice(0, 2).map((q) => s(q.lastTokenNs))).toEqual([3.11, 3.11].map((v) => expect.closeTo(v, 9)));
    // the old replica never held more than its 2; nothing moved, nothing re-prefilled
    expect(dp1Busiest).toBe(2);
    expect(o.scalings[0]!.kvMovedBytes).toBe(0);
    expect(m.reprefill_tokens).toBe(0);
  });
});
