import type { JsonValue } from "../workload.js";
import { kvTransferNs, meetsSlo, meetsTpot, meetsTtft, tpotNs, ttftNs } from "./request.js";
import type { Instance } from "./instance.js";
import type { ServingOutcome } from "./serving-sim.js";
import type { ServingCore } from "./schema.js";
import { summarize, type Summary } from "./stats.js";

/*
 * The `--json` metrics of a serving run (names documented in docs/serving.md) and its per-request
 * records. Latencies of completed requests; SLO attainment over every arrived request (a rejected or
 * unfinished request misses its SLOs).
 */

const ms = (ns: number): number => ns / 1e6;

/**
 * Busy time of an instance inside the throughput window [0, windowNs], ns: an iteration is booked whole
 * when it starts, so one still running when the run is cut (drain limit) is clipped at the window end.
 */
function busyWithin(x: Instance, windowNs: number): number {
  if (!x.busy) return x.busyNs;
  const inside = Math.max(0, Math.min(x.iterNs, windowNs - x.iterStartNs));
  return x.busyNs - (x.iterNs - inside);
}

/** A latency summary in the JSON: `count` samples (0: the mean and percentiles are placeholders 0), ms. */
function obj(s: Summary, extra: Record<string, number> = {}): Record<string, JsonValue> {
  return { count: s.count, mean: s.mean, p50: s.p50, p90: s.p90, p99: s.p99, ...extra };
}

/** Metrics of one serving outcome. */
export function servingMetrics(cfg: ServingCore, o: ServingOutcome, skipped: number): Record<string, JsonValue> {
  const arrived = o.requests.length;
  const done = o.requests.filter((r) => r.state === "done");
  const rejected = o.requests.filter((r) => r.state === "rejected").length;
  const ttft = done.map((r) => ms(ttftNs(r)));
  const tpot = done.filter((r) => r.output > 1).map((r) => ms(tpotNs(r)));
  const e2e = done.map((r) => ms(r.lastTokenNs - r.atNs));
  const queue = done.filter((r) => r.prefillStartNs >= 0).map((r) => ms(r.prefillStartNs - r.queuedNs));
  const kv = done.filter((r) => r.kvEndNs >= 0);
  const kvDur = kv.map((r) => ms(kvTransferNs(r)));
  const kvExposed = kv.map((r) => ms(r.kvEndNs - r.prefillEndNs));
  const ttftOk = done.filter((r) => meetsTtft(r, cfg.slo));
  const tpotOk = done.filter((r) => meetsTpot(r, cfg.slo));
  const both = done.filter((r) => meetsSlo(r, cfg.slo));
  const frac = (n: number): number => (arrived > 0 ? n / arrived : 0);
  let lastNs = 0;
  for (const r of done) lastNs = Math.max(lastNs, r.lastTokenNs);
  // throughput window: to the last completion, or to the end of the run when requests are left
  const windowNs = done.length === arrived ? Math.max(lastNs, 1) : Math.max(o.endNs, 1);
  const windowS = windowNs / 1e9;
  const npus = o.instances.reduce((a, x) => a + x.npus, 0);
  let inTok = 0;
  let outTok = 0;
  for (const x of o.instances) {
    inTok += x.promptTokensServed;
    outTok += x.outputTokens;
  }
  // every request that got its first token (the prefill's: not in any instance's decode count), finished or not
  for (const r of o.requests) if (r.firstTokenNs >= 0) outTok++;
  const stage = (role: "prefill" | "decode" | "colocated"): Record<string, JsonValue> | undefined => {
    const xs = o.instances.filter((x) => x.group.role === role);
    if (xs.length === 0) return undefined;
    const n = xs.reduce((a, x) => a + x.npus, 0);
    const busy = xs.reduce((a, x) => a + busyWithin(x, windowNs), 0);
    const pBusy = xs.reduce((a, x) => a + x.prefillBusyNs, 0);
    const dBusy = xs.reduce((a, x) => a + x.decodeBusyNs, 0);
    const computed = xs.reduce((a, x) => a + x.promptTokensComputed, 0);
    const served = xs.reduce((a, x) => a + x.promptTokensServed, 0);
    const out = xs.reduce((a, x) => a + x.outputTokens, 0);
    const npuEach = n / xs.length;
    return {
      instances: xs.length,
      npus: n,
      utilisation: busy / (windowNs * xs.length),
      input_tokens_per_s_per_npu: served / windowS / n,
      output_tokens_per_s_per_npu: out / windowS / n,
      // while busy: comparable to the fixed-batch benchmark (targets.md T1)
      prefill_tokens_per_s_per_npu_busy: pBusy > 0 ? computed / (pBusy / 1e9) / npuEach : 0,
      decode_tokens_per_s_per_npu_busy: dBusy > 0 ? out / (dBusy / 1e9) / npuEach : 0,
    };
  };
  const stages: Record<string, JsonValue> = {};
  for (const role of ["prefill", "decode", "colocated"] as const) {
    const st = stage(role);
    if (st !== undefined) stages[role] = st;
  }
  const looked = o.blocksLooked;
  const sloMet = both.length;
  return {
    requests_arrived: arrived,
    requests_completed: done.length,
    requests_rejected: rejected,
    requests_unfinished: arrived - done.length - rejected,
    requests_rejected_capacity: o.rejectedCapacity,
    requests_rejected_timeout: o.rejectedTimeout,
    trace_lines_skipped: skipped,
    simulated_s: o.endNs / 1e9,
    throughput_window_s: windowS,
    ttft_ms: obj(summarize(ttft), { slo_attainment: frac(ttftOk.length) }),
    tpot_ms: obj(summarize(tpot), { slo_attainment: frac(tpotOk.length) }),
    itl_ms: obj(o.itl.summary()),
    e2e_ms: obj(summarize(e2e)),
    prefill_queue_ms: obj(summarize(queue)),
    kv_transfer_ms: obj(summarize(kvDur)),
    kv_exposed_ms: obj(summarize(kvExposed)),
    slo_attainment: frac(sloMet),
    goodput_requests_per_s: sloMet / windowS,
    goodput_requests_per_s_per_npu: sloMet / windowS / npus,
    requests_per_s: done.length / windowS,
    input_tokens_per_s: inTok / windowS,
    output_tokens_per_s: outTok / windowS,
    tokens_per_s_per_npu: { input: inTok / windowS / npus, output: outTok / windowS / npus, total: (inTok + outTok) / windowS / npus },
    npus,
    prefix_hit_ratio: {
      overall: looked > 0 ? (o.hbmHits + o.poolHits) / looked : 0,
      hbm: looked > 0 ? o.hbmHits / looked : 0,
      pool: looked > 0 ? o.poolHits / looked : 0,
    },
    pool_evictions: o.poolEvictions,
    forwards: o.forwards,
    role_switches: o.switches,
    stages,
    instances: o.instances.map((x) => ({
      name: x.label,
      role: x.role,
      npus: x.npus,
      utilisation: busyWithin(x, windowNs) / windowNs,
      steps: x.steps,
      prompt_tokens: x.promptTokensServed,
      output_tokens: x.outputTokens,
      peak_queue: x.peakQueue,
      peak_batch: x.peakBatch,
      role_switches: x.switches,
    })),
    timeline: o.timeline as unknown as JsonValue,
  };
}

/** One JSON record per request (the `--requests FILE` JSONL), times in ms. */
export function requestRecords(o: ServingOutcome): Record<string, JsonValue>[] {
  const t = (a: number, b: number): number | null => (a >= 0 && b >= 0 ? ms(b - a) : null);
  return o.requests.map((r) => ({
    id: r.id,
    arrival_ms: ms(r.atNs),
    input: r.input,
    output: r.output,
    state: r.state === "done" || r.state === "rejected" ? r.state : "unfinished",
    cached_tokens: r.cachedTokens,
    hbm_hit_blocks: r.hbmHitBlocks,
    pool_hit_blocks: r.poolHitBlocks,
    prefill_instance: r.prefillInst >= 0 ? o.instances[r.prefillInst]!.label : null,
    decode_instance: r.decodeInst >= 0 ? o.instances[r.decodeInst]!.label : null,
    forwards: r.forwards,
    queue_ms: t(r.queuedNs, r.prefillStartNs),
    prefill_ms: t(r.prefillStartNs, r.prefillEndNs),
    kv_transfer_ms: r.kvEndNs >= 0 ? ms(kvTransferNs(r)) : null,
    ttft_ms: t(r.atNs, r.firstTokenNs),
    tpot_ms: r.output > 1 && r.lastTokenNs >= 0 ? ms(r.lastTokenNs - r.firstTokenNs) / (r.output - 1) : null,
    e2e_ms: t(r.atNs, r.lastTokenNs),
  }));
}
