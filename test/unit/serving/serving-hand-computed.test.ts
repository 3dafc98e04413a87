// The serving simulation on scenarios small enough to compute by hand: fixed step costs instead of the
// step model (a prefill batch costs α + β·tokens, a decode step D(b) = 10 ms + 1 ms·b), one prefill and one
// decode instance of one die each on an eight-rank star (25 GB/s, 0.5 µs per link), KV bytes per token of
// a 10-layer MLA model (576 elements × 2 B × 10 layers = 11,520 B). Each expectation's arithmetic is in
// a comment: the metric definitions are workloads.md's (TTFT = t₁ − a, TPOT = (tₙ − t₁)/(n − 1),
// E2E = tₙ − a, ITL = each gap tᵢ − tᵢ₋₁).
import { starTopology } from "../../helpers/star-topology.js";
import { describe, expect, it } from "vitest";
import { Hooks, Simulator } from "../../../src/engine/index.js";
import { AnalyticalNetwork } from "../../../src/network/analytical.js";
import { FlowNetwork } from "../../../src/network/flow.js";
import type { Topology } from "../../../src/topology/topology.js";
import type { SimEvents } from "../../../src/trace/span.js";
import { requestRecords, servingMetrics } from "../../../src/workload/serving/metrics.js";
import { PrefixCache } from "../../../src/workload/serving/prefix-cache.js";
import type { Arrival } from "../../../src/workload/serving/request.js";
import { servingCoreSchema, type ServingCore } from "../../../src/workload/serving/schema.js";
import { simulateServing, type ServingOutcome } from "../../../src/workload/serving/serving-sim.js";
import { PrefillCost, type DecodeCost, type StepCostCache } from "../../../src/workload/serving/step-cost.js";

const NIC = 25e9; // B/s
const HOP_NS = 500;
const LAYERS = 10;
const KV_PER_TOKEN = 576 * 2 * LAYERS; // 11,520 B
const MS = 1e6;

const star = (): Topology => starTopology(8, NIC, HOP_NS, "rdma");

/** Prefill: α = 1 ms per batch, β = 1 µs per new token (or as given, ns and ns per token), no quadratic term, no floor. */
function prefillCost(dp = 1, alphaNs = 1 * MS, beta = 1000): PrefillCost {
  return Object.assign(Object.create(PrefillCost.prototype) as PrefillCost, { single: { alphaNs, beta, gamma: 0 }, multi: undefined, floorNs: 0, dp, points: [] });
}

/** Decode: a step of b sequences per replica costs 10 ms + 1 ms·b whatever the KV; capacities as given. */
function decodeCost(o: { dp?: number; kvTokensPerReplica?: number; maxPerReplica?: number; tokensPerStep?: number } = {}): DecodeCost {
  return {
    dp: o.dp ?? 1,
    kvTokensPerReplica: o.kvTokensPerReplica ?? 1e9,
    maxPerReplica: o.maxPerReplica ?? 1000,
    tokensPerStep: o.tokensPerStep ?? 1,
    stepNs: (b: number) => 10 * MS + b * MS,
  } as unknown as DecodeCost;
}

const costs = (d: DecodeCost = decodeCost(), p: PrefillCost = prefillCost()): StepCostCache => ({ prefillOf: () => p, decodeOf: () => d }) as unknown as StepCostCache;

/** A serving section: one prefill and one decode instance of one die each (as `groups` says), bulk KV over rdma. */
function config(extra: Record<string, unknown> = {}, groups?: unknown[]): ServingCore {
  return servingCoreSchema.parse({
    kind: "serving",
    instances: groups ?? [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 4096 },
      { role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
    ],
    kv_transfer: { mode: "bulk" },
    cache: { enabled: false },
    ...extra,
  });
}

const at = (ms: number, input: number, output: number, hashIds: number[] = []): Arrival => ({ atNs: ms * MS, input, output, hashIds });

interface Run {
  o: ServingOutcome;
  m: Record<string, unknown>;
  rec: Record<string, unknown>[];
}

function simulate(cfg: ServingCore, arrivals: Arrival[], o: { costs?: StepCostCache; flow?: boolean; hbmBlocks?: number[]; kvShareOnRank?: (tp: number) => number } = {}): Run {
  const sim = new Simulator(1);
  const topology = star();
  const outcome = simulateServing({
    cfg,
    arrivals,
    costs: o.costs ?? costs(),
    sim,
    hooks: new Hooks<SimEvents>(),
    topology,
    network: o.flow === true ? new FlowNetwork(sim, topology) : new AnalyticalNetwork(sim, topology),
    kvBytesPerToken: KV_PER_TOKEN,
    layers: LAYERS,
    hbmBlocks: o.hbmBlocks ?? cfg.instances.map(() => 0),
    npus: cfg.instances.map((g) => g.deployment.npus ?? 1),
    kvShareOnRank: o.kvShareOnRank ?? (() => 1),
    observe: false,
  });
  return { o: outcome, m: servingMetrics(cfg, outcome, 0), rec: requestRecords(outcome) as Record<string, unknown>[] };
}

const sub = (m: Record<string, unknown>, k: string, q: string): number => (m[k] as Record<string, number>)[q]!;

// 1,000 prompt tokens: 11.52 MB of KV, 0.4608 ms at 25 GB/s + two hops of 0.5 µs = 0.4618 ms
const KV_1000_MS = (1000 * KV_PER_TOKEN) / NIC * 1e3 + 2 * HOP_NS / MS;

describe("serving by hand: one request", () => {
  it.each([false, true])("prefill 2 ms, bulk KV 0.4618 ms, four decode steps of 11 ms (flow network: %s)", (flow) => {
    const { m, rec } = simulate(config(), [at(0, 1000, 5)], { flow });
    const r = rec[0]!;
    // prefill α + β·1000 = 1 + 1 = 2 ms, from arrival (no queue)
    expect(r.queue_ms).toBe(0);
    expect(r.prefill_ms).toBeCloseTo(2, 9);
    expect(r.kv_transfer_ms as number).toBeCloseTo(KV_1000_MS, 6);
    // TTFT = prefill + the whole hand-off (workloads.md: the first-token KV hand-off is part of TTFT)
    const ttft = 2 + KV_1000_MS;
    expect(r.ttft_ms as number).toBeCloseTo(ttft, 6);
    // tokens 2…5: four steps of one sequence, 10 + 1 = 11 ms each
    expect(r.tpot_ms as number).toBeCloseTo(11, 6);
    expect(r.e2e_ms as number).toBeCloseTo(ttft + 44, 6);
    expect(sub(m, "kv_exposed_ms", "mean")).toBeCloseTo(KV_1000_MS, 6);
    // window = the last completion: 46.4618 ms; 1 request, 1,000 input and 5 output tokens in it
    const w = (ttft + 44) / 1e3;
    expect(m.throughput_window_s as number).toBeCloseTo(w, 12);
    expect(m.requests_per_s as number).toBeCloseTo(1 / w, 6);
    expect(m.input_tokens_per_s as number).toBeCloseTo(1000 / w, 3);
    expect(m.output_tokens_per_s as number).toBeCloseTo(5 / w, 6);
    // ITL: the four gaps of 11 ms
    expect(sub(m, "itl_ms", "count")).toBe(4);
    expect(sub(m, "itl_ms", "mean")).toBeCloseTo(11, 6);
  });

  it("a one-token output ends with its first token: TTFT = E2E, no TPOT sample, meets the TPOT SLO", () => {
    const { m, rec } = simulate(config({ slo: { ttft_ms: 100, tpot_ms: 1 } }), [at(0, 1000, 1)]);
    expect(rec[0]!.ttft_ms as number).toBeCloseTo(2 + KV_1000_MS, 6);
    expect(rec[0]!.e2e_ms).toBe(rec[0]!.ttft_ms);
    expect(rec[0]!.tpot_ms).toBeNull();
    expect(sub(m, "tpot_ms", "count")).toBe(0);
    expect(m.slo_attainment).toBe(1);
    expect(m.output_tokens_per_s as number).toBeCloseTo(1 / ((2 + KV_1000_MS) / 1e3), 6);
  });
});

describe("serving by hand: two requests on one prefill and one decode instance", () => {
  // r0 arrives at 0, r1 at 1 ms, 1,000-token prompts, 3 output tokens each.
  // prefill: r0 0 → 2 ms; r1 queues 1 ms, 2 → 4 ms.  KV: r0 at 2.4618, r1 at 4.4618 ms.
  // decode: step 1 (r0) 2.4618 → 13.4618 (11 ms); r1 waits for it and joins the next step:
  // step 2 (r0, r1) 13.4618 → 25.4618 (12 ms): r0's 3rd token (done), r1's 2nd; step 3 (r1) → 36.4618.
  const run = (flow: boolean) => simulate(config(), [at(0, 1000, 3), at(1, 1000, 3)], { flow });
  it.each([false, true])("continuous batching: r1 joins at the next step, leaves when done (flow: %s)", (flow) => {
    const { m, rec } = run(flow);
    const t1 = [2 + KV_1000_MS, 4 + KV_1000_MS];
    expect(rec[1]!.queue_ms as number).toBeCloseTo(1, 9);
    expect(rec[0]!.ttft_ms as number).toBeCloseTo(t1[0]!, 6);
    expect(rec[1]!.ttft_ms as number).toBeCloseTo(t1[1]! - 1, 6);
    expect(rec[0]!.e2e_ms as number).toBeCloseTo(t1[0]! + 23, 6);
    expect(rec[1]!.e2e_ms as number).toBeCloseTo(t1[0]! + 34 - 1, 6);
    // TPOT r0 = (25.4618 − 2.4618)/2 = 11.5; r1 = (36.4618 − 4.4618)/2 = 16
    expect(rec[0]!.tpot_ms as number).toBeCloseTo(11.5, 6);
    expect(rec[1]!.tpot_ms as number).toBeCloseTo(16, 6);
    // nearest rank of [11.5, 16]: p50 = the 1st, p90 = p99 = the 2nd
    expect(sub(m, "tpot_ms", "p50")).toBeCloseTo(11.5, 6);
    expect(sub(m, "tpot_ms", "p90")).toBeCloseTo(16, 6);
    expect(sub(m, "tpot_ms", "mean")).toBeCloseTo(13.75, 6);
    // window to the last completion (36.4618 ms): 2 requests, 6 output tokens, 2,000 input tokens
    const w = (t1[0]! + 34) / 1e3;
    expect(m.requests_per_s as number).toBeCloseTo(2 / w, 6);
    expect(m.output_tokens_per_s as number).toBeCloseTo(6 / w, 6);
  });

  it("ITL is each gap tᵢ − tᵢ₋₁: r1's first gap includes its wait for the running step (21 ms), so ITL sums to Σ(tₙ − t₁)", () => {
    const { m } = run(false);
    // r0: 11, 12; r1: 25.4618 − 4.4618 = 21, then 11  → mean (11 + 12 + 21 + 11)/4 = 13.75 = the TPOTs' token-weighted mean
    expect(sub(m, "itl_ms", "count")).toBe(4);
    expect(sub(m, "itl_ms", "mean")).toBeCloseTo(13.75, 6);
    expect(sub(m, "itl_ms", "p99")).toBeCloseTo(21, 0);
  });
});

describe("serving by hand: two requests on one colocated instance", () => {
  // r0 (1,000 tokens, 3 out) at 0: prefill 0 → 2 ms, first token at 2; decode step (1 seq) 2 → 13.
  // r1 (1,000, 3 out) at 5 ms waits; at 13 the prefill goes first (vLLM's default): 13 → 15, r1's first
  // token at 15 (TTFT 10 ms); step (r0, r1) 15 → 27: r0's 3rd token (done), r1's 2nd; step (r1) 27 → 38.
  const cfg = config({}, [{ role: "colocated", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } }]);
  it("TTFT ends at the prefill; the prefill iteration r0 sits through is part of its TPOT and of its ITL gap", () => {
    const { m, rec } = simulate(cfg, [at(0, 1000, 3), at(5, 1000, 3)]);
    expect(rec[0]!.ttft_ms as number).toBeCloseTo(2, 9);
    expect(rec[1]!.ttft_ms as number).toBeCloseTo(10, 9);
    expect(rec[0]!.e2e_ms as number).toBeCloseTo(27, 9);
    expect(rec[1]!.e2e_ms as number).toBeCloseTo(33, 9);
    expect(rec[0]!.tpot_ms as number).toBeCloseTo(12.5, 9); // (27 − 2)/2
    expect(rec[1]!.tpot_ms as number).toBeCloseTo(11.5, 9); // (38 − 15)/2
    // gaps: r0 11, 14 (13 → 27: the 2 ms prefill + the 12 ms step); r1 12, 11 → mean 12
    expect(sub(m, "itl_ms", "mean")).toBeCloseTo(12, 9);
    expect(m.output_tokens_per_s as number).toBeCloseTo(6 / 0.038, 6);
  });
});

describe("serving by hand: prefill batches by token budget", () => {
  // token budget 1,000; r0 (600 tokens) at 0 runs 0 → 1.6 ms (1 + 0.6); r1, r2 (600 each) arrive at
  // 0.1 ms. At 1.6 ms the batch takes r1 (600 ≤ 1,000) and not r2 (1,200 > 1,000): r1 runs 1.6 → 3.2,
  // r2 3.2 → 4.8 ms. r2 queued 3.2 − 0.1 = 3.1 ms and prefilled 1.6 ms.
  const cfg = config({}, [
    { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 1000 },
    { role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
  ]);
  it("a prompt left out of a batch starts its prefill (and its queue time ends) with the batch it runs in", () => {
    const { m, rec } = simulate(cfg, [at(0, 600, 1), at(0.1, 600, 1), at(0.1, 600, 1)]);
    expect(rec[1]!.queue_ms as number).toBeCloseTo(1.5, 9);
    expect(rec[1]!.prefill_ms as number).toBeCloseTo(1.6, 9);
    expect(rec[2]!.queue_ms as number).toBeCloseTo(3.1, 9);
    expect(rec[2]!.prefill_ms as number).toBeCloseTo(1.6, 9);
    // prefill_queue_ms over the three: 0, 1.5, 3.1 → mean 1.5333
    expect(sub(m, "prefill_queue_ms", "mean")).toBeCloseTo(4.6 / 3, 9);
  });

  it("a prompt longer than the budget runs alone, whole (no chunking)", () => {
    const { rec } = simulate(cfg, [at(0, 2500, 1)]);
    expect(rec[0]!.prefill_ms as number).toBeCloseTo(3.5, 9); // 1 + 2.5 ms
  });

  it("with chunked prefill a 2,500-token prompt runs as 1,000 + 1,000 + 500-token chunks", () => {
    const c = config({}, [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 1000, chunked_prefill: true },
      { role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
    ]);
    const { rec } = simulate(c, [at(0, 2500, 1)]);
    expect(rec[0]!.prefill_ms as number).toBeCloseTo(2 + 2 + 1.5, 9); // three batches: α each + 2.5 ms of tokens
  });
});

describe("serving by hand: prefix cache", () => {
  const withCache = config({ cache: { enabled: true } });

  it("a cached prefix skips its prefill tokens (512-token blocks; at most input − 1 cached)", () => {
    // r0 [1,2,3,4] (2,048 tokens) fills the cache; r1 at 100 ms shares blocks 1, 2: 1,024 cached, 1,024 computed
    const { rec } = simulate(withCache, [at(0, 2048, 1, [1, 2, 3, 4]), at(100, 2048, 1, [1, 2, 9, 10]), at(200, 2048, 1, [1, 2, 3, 4])], { hbmBlocks: [Infinity, 0] });
    expect(rec[1]!.cached_tokens).toBe(1024);
    expect(rec[1]!.prefill_ms as number).toBeCloseTo(1 + 1.024, 9);
    // the whole prompt cached: the last token is still computed (2,047 cached)
    expect(rec[2]!.cached_tokens).toBe(2047);
    expect(rec[2]!.prefill_ms as number).toBeCloseTo(1 + 0.001, 9);
  });

  it("PrefixCache.touchPrefix: a 3-block cache given [1,2,3,4] keeps 1,2,3 (one eviction, the tail)", () => {
    const c = new PrefixCache(3);
    c.touchPrefix([1, 2, 3, 4]);
    expect(c.leadingHits([1, 2, 3, 4])).toBe(3);
    expect(c.evictions).toBe(1);
  });

  it("LRU keeps a prompt's leading blocks over its tail: a 3-block cache after [1,2,3,4] serves 3 blocks of the same prompt", () => {
    // a block is useless without the blocks before it (the lookup stops at the first miss), so of blocks
    // used at the same time the tail goes first. Evicting block 1 first would leave {2,3,4}: 0 hits.
    const { rec } = simulate(withCache, [at(0, 2048, 1, [1, 2, 3, 4]), at(100, 2048, 1, [1, 2, 3, 4])], { hbmBlocks: [3, 0] });
    expect(rec[1]!.cached_tokens).toBe(3 * 512);
    expect(rec[1]!.prefill_ms as number).toBeCloseTo(1 + 0.512, 9);
  });

  it("a hit refreshes the hit blocks tail first too: after a 2-block hit of [1,2,5] the LRU block is r0's tail, 4, not 3", () => {
    // capacity 4. r0 [1,2,3,4] → {1,2,3,4}. r1 [1,2,5] hits 1,2 and then inserts 5: the LRU block goes.
    // Tail-first: r0 left recency 4,3,2,1 (1 most recent); r1's hits keep 1 most recent; inserting r1's
    // blocks 5,2,1 (tail first) evicts 4 → {3,5,2,1}. r2 [1,2,3,4] then hits 1,2,3 (1,536 tokens).
    const { rec } = simulate(withCache, [at(0, 2048, 1, [1, 2, 3, 4]), at(100, 1536, 1, [1, 2, 5]), at(200, 2048, 1, [1, 2, 3, 4])], { hbmBlocks: [4, 0] });
    expect(rec[1]!.cached_tokens).toBe(1024);
    expect(rec[2]!.cached_tokens).toBe(1536);
  });
});

describe("serving by hand: KV hand-off", () => {
  it("bulk: prompt tokens × 576 elements × 2 B × layers over the link (0.4608 ms for 1,000 tokens at 25 GB/s)", () => {
    const { rec } = simulate(config(), [at(0, 1000, 2)]);
    expect(rec[0]!.kv_transfer_ms as number).toBeCloseTo(KV_1000_MS, 6);
  });

  it("blocks: one 5 µs work request per layer and 128-token block on top of the same bytes", () => {
    // ⌈1000/128⌉ = 8 blocks × 10 layers = 80 work requests × 5 µs = 0.4 ms
    const { rec } = simulate(config({ kv_transfer: { mode: "blocks", block_tokens: 128 } }), [at(0, 1000, 2)]);
    expect(rec[0]!.kv_transfer_ms as number).toBeCloseTo(KV_1000_MS + 0.4, 6);
  });

  it("two hand-offs into one decode die share its port on the flow model", () => {
    // two prefill instances end their 2 ms prefills together; 2 × 11.52 MB into one port: 0.9216 ms + 1 µs
    const cfg = config({ routing: { prefill: "round-robin" } }, [
      { role: "prefill", count: 2, deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
      { role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
    ]);
    const { rec } = simulate(cfg, [at(0, 1000, 2), at(0, 1000, 2)], { flow: true });
    expect(rec[0]!.kv_transfer_ms as number).toBeCloseTo(2 * (1000 * KV_PER_TOKEN) / NIC * 1e3 + 0.001, 6);
    expect(rec[1]!.kv_transfer_ms as number).toBeCloseTo(2 * (1000 * KV_PER_TOKEN) / NIC * 1e3 + 0.001, 6);
  });

  it("a decode die receives the share of the KV it holds: one KV head over decode TP 2 is replicated, so each die gets all of it", () => {
    // GQA with 1 KV head (kvCacheShareOnRank = max(1, 1/2)/1 = 1): the source die sends 11.52 MB to each of
    // the 2 decode dies through its one port: 23.04 MB at 25 GB/s = 0.9216 ms + 1 µs
    const cfg = config({}, [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
      { role: "decode", deployment: { npus: 2, attention: { dp: 1, tp: 2 } } },
    ]);
    const share = (tp: number): number => Math.max(1, 1 / tp) / 1;
    const { rec } = simulate(cfg, [at(0, 1000, 2)], { kvShareOnRank: share });
    expect(rec[0]!.kv_transfer_ms as number).toBeCloseTo(2 * (1000 * KV_PER_TOKEN) / NIC * 1e3 + 0.001, 6);
    // 8 KV heads over TP 2: each die holds half, the source sends 11.52 MB in all (0.4608 ms + 1 µs)
    const half = simulate(cfg, [at(0, 1000, 2)], { kvShareOnRank: (tp) => Math.max(1, 8 / tp) / 8 });
    expect(half.rec[0]!.kv_transfer_ms as number).toBeCloseTo(KV_1000_MS, 6);
  });

  describe("layer-wise, a 2,000-token prompt prefilled in two 1,000-token chunks (23.04 MB of KV, 0.9216 ms alone)", () => {
    // Each chunk's step computes its 10 layers evenly; chunk c's layer l exists once its step has
    // computed it, and the sender streams it from then on, whichever step the prompt ends in.
    const chunked = config({ kv_transfer: { mode: "layerwise" } }, [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 1000, chunked_prefill: true },
      { role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
    ]);
    const KV_2000_MS = (2000 * KV_PER_TOKEN) / NIC * 1e3; // 0.9216 ms

    it("a network that keeps up leaves only the last chunk's last layer after the prefill", () => {
      // steps 0 → 2 ms and 2 → 4 ms (1 + 1 ms each); a layer of a chunk (2.304 MB) takes 0.09216 ms, less
      // than the 0.2 ms to compute it. Left at 4 ms: chunk 2's last layer, 1.152 MB = 0.04608 ms + 1 µs.
      // (Were the whole prompt's KV produced in the last step, 10 % would be left: 0.09216 ms + 1 µs.)
      const { m, rec } = simulate(chunked, [at(0, 2000, 2)]);
      expect(rec[0]!.prefill_ms as number).toBeCloseTo(4, 9);
      expect(sub(m, "kv_exposed_ms", "mean")).toBeCloseTo(KV_2000_MS / 20 + 0.001, 5);
      // kv_transfer_ms is the time on the wire, not the wait for the prefill: 95 % of the KV streamed during
      // the prefill at the alone rate (0.95 × 0.9216 ms), the rest in 0.04608 ms + 1 µs after it: the whole
      // transfer's 0.9216 ms + 1 µs. (From the first byte ready, chunk 1's first layer at 0.2 ms, it was
      // 4 − 0.2 + 0.04708 = 3.847 ms: mostly the prefill of both chunks.)
      expect(rec[0]!.kv_transfer_ms as number).toBeCloseTo(KV_2000_MS + 0.001, 5);
      expect(sub(m, "kv_transfer_ms", "mean")).toBeCloseTo(KV_2000_MS + 0.001, 5);
    });

    it("a slow network leaves the tail of the whole transfer, streamed since chunk 1's first layer", () => {
      // α = 0.1 ms, β = 0.1 µs per token: steps 0 → 0.2 ms and 0.2 → 0.4 ms, slower than the 0.9216 ms
      // transfer. Busy from chunk 1's first layer (0.02 ms) on, it has sent 0.38 ms of it by 0.4 ms:
      // 0.5416 ms left + 1 µs. (Counted from chunk 2's first layer, 0.22 ms, it would be 0.7416 ms.)
      const fast = costs(decodeCost(), prefillCost(1, 0.1 * MS, 100));
      const { m, rec } = simulate(chunked, [at(0, 2000, 2)], { costs: fast });
      expect(rec[0]!.prefill_ms as number).toBeCloseTo(0.4, 9);
      expect(sub(m, "kv_exposed_ms", "mean")).toBeCloseTo(KV_2000_MS - 0.38 + 0.001, 5);
      // on the wire: 0.38 ms during the prefill + 0.5416 ms + 1 µs after it, the whole transfer alone
      expect(rec[0]!.kv_transfer_ms as number).toBeCloseTo(KV_2000_MS + 0.001, 5);
    });

    it("blocks mode waits for the prefill's end and counts every chunk's blocks: ⌈2,000/128⌉ = 16 per layer", () => {
      // 16 blocks × 10 layers × 5 µs = 0.8 ms of work requests on top of the 0.9216 ms of bytes, + 1 µs
      const blocks = config({ kv_transfer: { mode: "blocks", block_tokens: 128 } }, chunked.instances);
      const { m } = simulate(blocks, [at(0, 2000, 2)]);
      expect(sub(m, "kv_exposed_ms", "mean")).toBeCloseTo(KV_2000_MS + 0.8 + 0.001, 5);
    });
  });

  describe("layer-wise with a cached prefix: r1 (2,048 tokens) finds 1,024 in the HBM cache r0 left, computes 1,024 in one step", () => {
    // the cached half's KV exists whole when r1's step starts, and is on the wire from then; the computed
    // half's 10 layers appear over the step. 2,048 tokens: 23.59 MB of KV, 0.943718 ms alone.
    const cfg = config({ kv_transfer: { mode: "layerwise" }, cache: { enabled: true } });
    const KV_2048_MS = (2048 * KV_PER_TOKEN) / NIC * 1e3;
    const load = [at(0, 2048, 1, [1, 2, 3, 4]), at(100, 2048, 1, [1, 2, 9, 10])];

    it("a network that keeps up leaves the computed half's last layer: 5 % of the KV (10 % were the cached half computed over the step)", () => {
      // step 100 → 102.024 ms (1 + 1.024 ms), a computed layer (1.18 MB, 0.047 ms) every 0.2024 ms
      const { o, rec } = simulate(cfg, load, { hbmBlocks: [Infinity, 0] });
      expect(rec[1]!.cached_tokens).toBe(1024);
      const exposed = (i: number): number => (o.requests[i]!.kvEndNs - o.requests[i]!.prefillEndNs) / MS;
      expect(exposed(1)).toBeCloseTo(KV_2048_MS / 20 + 0.001, 5);
      // r0, nothing cached: its last layer, 10 % (unchanged)
      expect(exposed(0)).toBeCloseTo(KV_2048_MS / 10 + 0.001, 5);
      // on the wire: the whole transfer alone either way
      expect(rec[1]!.kv_transfer_ms as number).toBeCloseTo(KV_2048_MS + 0.001, 5);
    });

    it("a slow network has been busy since the step's start, not its first layer: 0.0202 ms less exposed", () => {
      // α = 0.1 ms, β = 0.1 µs per token: r1's step 100 → 100.2024 ms. Busy from its start (the cached half),
      // 0.2024 ms sent by its end: 0.943718 − 0.2024 ms left + 1 µs. (From its first layer, 100.02024 ms: 0.18216 ms sent.)
      const fast = costs(decodeCost(), prefillCost(1, 0.1 * MS, 100));
      const { o } = simulate(cfg, load, { hbmBlocks: [Infinity, 0], costs: fast });
      const r1 = o.requests[1]!;
      expect((r1.kvEndNs - r1.prefillEndNs) / MS).toBeCloseTo(KV_2048_MS - 0.2024 + 0.001, 5);
      expect(r1.kvStartNs).toBe(r1.prefillStartNs);
    });
  });

  it("no token is decoded before the KV has arrived", () => {
    const { o } = simulate(config(), [at(0, 1000, 4), at(0.5, 3000, 4), at(1, 200, 4)]);
    for (const r of o.requests) {
      expect(r.firstTokenNs).toBeGreaterThanOrEqual(r.kvEndNs);
      expect(r.lastTokenNs - r.firstTokenNs).toBeGreaterThanOrEqual(3 * 11 * MS - 1);
    }
  });
});

describe("serving by hand: decode KV capacity per attention replica", () => {
  // decode DP2, 10,000 KV tokens per replica (20,000 per instance). A (9,000 tokens) → replica 0,
  // B (100) → replica 1, C (9,000) → replica 0 (least loaded by count, ties to the lowest). The instance
  // holds 18,100 ≤ 20,000 tokens, but replica 0 would hold 18,000 > 10,000: C waits until A is done.
  it("a sequence is admitted only when its replica's KV fits", () => {
    const cfg = config({}, [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 16384 },
      { role: "decode", deployment: { npus: 2, attention: { dp: 2, tp: 1 } } },
    ]);
    const d = decodeCost({ dp: 2, kvTokensPerReplica: 10_000 });
    const { o } = simulate(cfg, [at(0, 8990, 10), at(20, 90, 10), at(40, 8990, 10)], { costs: costs(d) });
    const [a, , c] = o.requests;
    expect(c!.decodeReplica).toBe(a!.decodeReplica);
    // A: prefill 1 + 8.99 ms, KV 8,990 × 11,520 B = 103.56 MB in 4.1425 ms, first token at 14.13 ms, 9 steps of
    // 11 ms (one sequence per replica) → done 113.13 ms. C: KV at 40 + 9.99 + 4.14 = 54.13 ms, admitted at
    // A's last step boundary (113.13), 9 steps of 11 ms (B and C: one per replica) → 212.13 ms
    expect(c!.lastTokenNs - a!.lastTokenNs).toBeCloseTo(99 * MS, 0);
  });
});

describe("serving by hand: a decode step is paced by its busiest replica", () => {
  it("two sequences left on one of two replicas step at D(2), not D(⌈2/2⌉)", () => {
    const cfg = config({}, [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 16384 },
      { role: "decode", deployment: { npus: 2, attention: { dp: 2, tp: 1 } } },
    ]);
    // four 100-token prompts at 0 with 10, 2, 10, 2 output tokens. r0 prefills alone (1 + 0.1 ms), its KV
    // (1.152 MB) lands at 1.14708 ms on replica 0; r1–r3 prefill next (1 + 0.3 ms) and land at 2.44708 ms on
    // replicas 1, 0, 1 (fewest sequences, ties to the lowest). Steps: r0 alone, 10 + 1 = 11 ms (→ 12.147);
    // all four, two per replica, 12 ms (→ 24.147: r1 and r3 done); then r0 and r2 both on replica 0:
    // 12 ms per step, not the 11 ms of ⌈2 sequences / 2 replicas⌉ = 1. r0's last 7 tokens: 24.147 + 7 × 12.
    const { o } = simulate(cfg, [at(0, 100, 10), at(0, 100, 2), at(0, 100, 10), at(0, 100, 2)], { costs: costs(decodeCost({ dp: 2 })) });
    const [r0, r1, r2, r3] = o.requests;
    expect([r0!.decodeReplica, r1!.decodeReplica, r2!.decodeReplica, r3!.decodeReplica]).toEqual([0, 1, 0, 1]);
    expect(r1!.lastTokenNs).toBe(24_147_080);
    expect(r0!.lastTokenNs).toBe(24_147_080 + 7 * 12 * MS);
    // r2 finishes alone: one more step of 11 ms
    expect(r2!.lastTokenNs).toBe(24_147_080 + 7 * 12 * MS + 11 * MS);
  });
});

describe("serving by hand: the KV hand-off leaves from the prefill replica that ran the prompt", () => {
  it("a batch's prompts hand off from the replicas batchNs placed them on (flow network)", () => {
    const cfg = config({}, [
      { role: "prefill", deployment: { npus: 2, attention: { dp: 2, tp: 1 } }, token_budget: 16384 },
      { role: "decode", deployment: { npus: 3, attention: { dp: 3, tp: 1 } } },
    ]);
    // D (100 tokens, id 0) prefills alone from 0 to 1.1 ms and hands off in 46 µs; A = 3,000, B = 2,000,
    // C = 1,000 tokens (ids 1, 2, 3) arrive meanwhile and form one batch: longest first to the least loaded
    // replica puts A on replica 0 (rank 0), B and C on replica 1 (rank 1). They hand off together to three
    // decode replicas, so only the senders' uplinks are shared: A alone, 34.56 MB / 25 GB/s = 1.3824 ms;
    // C (11.52 MB) shares rank 1's uplink with B (23.04 MB): 11.52 MB at 12.5 GB/s = 0.9216 ms, then B
    // alone for its last 11.52 MB, 0.4608 ms more. (Sent by id mod dp, A and C shared rank 1 and A took
    // 0.9216 + 23.04 MB / 25 GB/s = 1.8432 ms.) Plus two hops of 0.5 µs.
    const arrivals = [at(0, 100, 2), at(0.05, 3000, 2), at(0.05, 2000, 2), at(0.05, 1000, 2)];
    const { rec } = simulate(cfg, arrivals, { costs: costs(decodeCost({ dp: 3 }), prefillCost(2)), flow: true });
    expect(rec[1]!.kv_transfer_ms as number).toBeCloseTo(1.3824 + 0.001, 5);
    expect(rec[3]!.kv_transfer_ms as number).toBeCloseTo(0.9216 + 0.001, 5);
    expect(rec[2]!.kv_transfer_ms as number).toBeCloseTo(1.3824 + 0.001, 5);
  });
});

describe("serving by hand: a chunked prompt stays on the prefill replica of its first chunk", () => {
  it("its last chunk runs where its KV is, even when longest-first would put it on the other replica", () => {
    const cfg = config({}, [
      { role: "prefill", deployment: { npus: 2, attention: { dp: 2, tp: 1 } }, token_budget: 1000, chunked_prefill: true },
      { role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
    ]);
    // A (1,500 tokens) at 0: its first chunk, 1,000 tokens (one replica's budget), runs alone on replica 0,
    // 0 → 2 ms (α 1 ms + 1 ms). B (800 tokens) arrives at 0.5 ms. At 2 ms the batch is A's last 500 tokens
    // and B's 800: longest first would put B on replica 0 and A on replica 1, away from the KV of A's first
    // chunk; A stays on replica 0 and B goes to replica 1. The batch costs its busiest replica,
    // α + 0.8 ms = 1.8 ms: both prefills end at 3.8 ms.
    const { o, rec } = simulate(cfg, [at(0, 1500, 1), at(0.5, 800, 1)], { costs: costs(decodeCost(), prefillCost(2)) });
    const [a, b] = o.requests;
    expect(a!.prefillReplica).toBe(0);
    expect(b!.prefillReplica).toBe(1);
    expect(rec[0]!.prefill_ms as number).toBeCloseTo(3.8, 9);
    expect(rec[1]!.queue_ms as number).toBeCloseTo(1.5, 9);
    expect(rec[1]!.prefill_ms as number).toBeCloseTo(1.8, 9);
  });
});

describe("serving by hand: decode routing by KV capacity", () => {
  it("a request goes to a decode instance one of whose replicas can hold it, not to one where it would wait forever", () => {
    // decode group `small` holds 5,000 KV tokens per replica, `big` 50,000; a request of 9,998 + 2 tokens (fits
    // only `big`) is not rejected on arrival. Least-load ties go to the first instance, `small0`, where it would
    // head the waiting queue for ever (unfinished). Sent to big0: prefill 1 + 9.998 ms, KV 9,998 × 11,520 B
    // = 115.18 MB in 4.6071 ms + 1 µs, one decode step of 11 ms → E2E 26.606 ms.
    const cfg = config({}, [
      { role: "prefill", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 16384 },
      { name: "small", role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } } },
      { name: "big", role: "decode", deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, max_batch_per_npu: 95 },
    ]);
    const small = decodeCost({ kvTokensPerReplica: 5_000 });
    const big = decodeCost({ kvTokensPerReplica: 50_000 });
    const c = { prefillOf: () => prefillCost(), decodeOf: (g: { max_batch_per_npu: number }) => (g.max_batch_per_npu === 95 ? big : small) } as unknown as StepCostCache;
    const { m, rec } = simulate(cfg, [at(0, 9998, 2)], { costs: c });
    expect(m.requests_completed).toBe(1);
    expect(rec[0]!.decode_instance).toBe("big0");
    expect(rec[0]!.e2e_ms as number).toBeCloseTo(10.998 + ((9998 * KV_PER_TOKEN) / NIC) * 1e3 + 0.001 + 11, 5); // the KV end rounds up to whole ns
  });
});

describe("serving by hand: conservation", () => {
  it("on a mixed load every request ends in one state, once; prompt and output tokens add up; no decode before the KV", () => {
    // two prefill instances (forward-on-reject), a decode instance of DP2 with 20,000 KV tokens per
    // replica, shared prefixes over a 6-block HBM cache, 60 requests every 3 ms, one too long to ever fit
    const cfg = config({ cache: { enabled: true }, routing: { prefill: "forward-on-reject" }, reject_after_s: 0.5 }, [
      { role: "prefill", count: 2, deployment: { npus: 1, attention: { dp: 1, tp: 1 } }, token_budget: 3000 },
      { role: "decode", deployment: { npus: 2, attention: { dp: 2, tp: 1 } }, max_batch_per_npu: 4 },
    ]);
    const arrivals: Arrival[] = [];
    for (let i = 0; i < 60; i++) {
      const input = 300 + ((i * 733) % 2500);
      const blocks = Math.ceil(input / 512);
      const ids = Array.from({ length: blocks }, (_, j) => (j < 2 ? (i % 3) * 100 + j : 10_000 + i * 10 + j));
      arrivals.push(at(3 * i, i === 7 ? 30_000 : input, 1 + ((i * 37) % 40), ids));
    }
    const d = decodeCost({ dp: 2, kvTokensPerReplica: 20_000, maxPerReplica: 4 });
    const { m, o } = simulate(cfg, arrivals, { costs: costs(d), hbmBlocks: [6, 6, 0] });
    const states = o.requests.map((r) => r.state);
    expect(o.requests).toHaveLength(60);
    expect(m.requests_arrived).toBe(60);
    expect(m.requests_rejected_capacity).toBe(1); // 30,000 + output > 20,000 per replica
    expect((m.requests_completed as number) + (m.requests_rejected as number) + (m.requests_unfinished as number)).toBe(60);
    expect(states.filter((x) => x === "done").length).toBe(m.requests_completed);
    expect(m.requests_unfinished).toBe(0); // the 120 s drain serves the rest
    let served = 0;
    let computed = 0;
    let decoded = 0;
    for (const x of o.instances) {
      served += x.promptTokensServed;
      computed += x.promptTokensComputed;
      decoded += x.outputTokens;
    }
    const prefilled = o.requests.filter((r) => r.prefillEndNs >= 0);
    expect(served).toBe(prefilled.reduce((a, r) => a + r.input, 0));
    // computed + cached = served: a cached token is never computed, a prompt token never computed twice
    expect(computed + prefilled.reduce((a, r) => a + r.cachedTokens, 0)).toBe(served);
    const done = o.requests.filter((r) => r.state === "done");
    // decode tokens + the first token of each = the outputs
    expect(decoded + done.length).toBe(done.reduce((a, r) => a + r.output, 0));
    for (const r of done) {
      expect(r.kvEndNs).toBeGreaterThanOrEqual(r.prefillEndNs);
      expect(r.firstTokenNs).toBe(r.kvEndNs);
      expect(r.lastTokenNs).toBeGreaterThanOrEqual(r.firstTokenNs);
      if (r.output > 1) expect(r.lastTokenNs - r.firstTokenNs).toBeGreaterThanOrEqual((r.output - 1) * 11 * MS);
    }
    // the ITL histogram holds one weight per decode token
    expect(sub(m, "itl_ms", "count")).toBe(decoded);
    // every reservation released
    for (const x of o.instances) {
      expect(x.kvReserved).toBe(0);
      expect(Array.from(x.replicaKv).every((v) => v === 0)).toBe(true);
    }
  });

  it("a run cut by the drain limit: done + rejected + unfinished = arrived; output tokens count first tokens of unfinished requests", () => {
    // r0: first token 2.4618 ms, step alone → 13.4618; r1 (arrival 10 ms): KV at 12.4618, joins at 13.4618;
    // steps of two (12 ms) end 25.46, 37.46, 49.46 (r0's 5th token: done). The run stops 40 ms after the last
    // arrival (50 ms) inside r1's next step: r1 has its first token and 3 decode tokens, r0 4 decode tokens
    const { m, o } = simulate(config({ drain_s: 0.04 }), [at(0, 1000, 5), at(10, 1000, 100)]);
    expect(m.requests_completed).toBe(1);
    expect(m.requests_unfinished).toBe(1);
    const decoded = o.instances.reduce((a, x) => a + x.outputTokens, 0);
    expect(decoded).toBe(7);
    const w = m.throughput_window_s as number;
    // every emitted token counts once: decode tokens + one first token per request that got it (2)
    expect(m.output_tokens_per_s as number).toBeCloseTo((decoded + 2) / w, 6);
    const tl = (m.timeline as { output_tokens_per_s: number; t_s: number }[]);
    let tokens = 0;
    let prev = 0;
    for (const row of tl) {
      tokens += row.output_tokens_per_s * (row.t_s - prev);
      prev = row.t_s;
    }
    expect(tokens).toBeCloseTo(decoded + 2, 6);
  });
});
