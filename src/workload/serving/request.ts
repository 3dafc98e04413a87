import type { LayerwiseStep } from "./kv-network.js";

/*
 * One request of a serving simulation and the times it passes. Plain mutable records: the event loop
 * updates them in place (no per-event allocation), and metrics read them at the end.
 */

/** Tokens per prefix-cache block: the Mooncake trace's `hash_ids` are 512-token blocks (workloads.md). */
export const BLOCK_TOKENS = 512;

/** What arrives: time, lengths and the prefix blocks. */
export interface Arrival {
  /** Arrival time, ns. */
  readonly atNs: number;
  /** Prompt tokens, tokens. */
  readonly input: number;
  /** Output tokens (≥ 1), tokens. */
  readonly output: number;
  /** Prefix block hashes of the prompt's 512-token blocks (shared ids = shared prefix KV). */
  readonly hashIds: readonly number[];
}

/** Where a request is. */
export type RequestState = "queued" | "prefill" | "transfer" | "waiting" | "decode" | "done" | "rejected";

/** A request in flight, with every time stamp of its life (ns; −1 = not reached). */
export interface Request extends Arrival {
  readonly id: number;
  state: RequestState;
  /** Prompt tokens served from the prefix cache (HBM and pool), tokens. */
  cachedTokens: number;
  hbmHitBlocks: number;
  poolHitBlocks: number;
  /** Prompt tokens already prefilled (chunked prefill), tokens. */
  prefilled: number;
  /** The prefill steps of a chunked prompt before its last, after its cached prefix's (a layer-wise hand-off streams their KV early); undefined until one ends. */
  earlierSteps: LayerwiseStep[] | undefined;
  /** Instance indices (into the simulation's instance list), −1 = none yet. */
  prefillInst: number;
  decodeInst: number;
  /** Attention replica of the decode instance holding the sequence. */
  decodeReplica: number;
  /** Attention replica of the prefill instance that ran the prompt (every chunk of it: the first decides): the KV hand-off's source. */
  prefillReplica: number;
  queuedNs: number;
  prefillStartNs: number;
  prefillEndNs: number;
  /** The KV hand-off's first byte ready (layer-wise: the first layer computed, maybe of an earlier chunk) and its arrival, ns. */
  kvStartNs: number;
  kvEndNs: number;
  /** Time the layer-wise hand-off's bytes were on the wire before the prefill ended, ns (0: bulk, blocks). */
  kvStreamedNs: number;
  firstTokenNs: number;
  lastTokenNs: number;
  /** Time of the latest token emitted so far (the start of the next inter-token gap), ns; −1 before the first. */
  prevTokenNs: number;
  /** Output tokens emitted so far (fractional with MTP: expected tokens per step), tokens. */
  emitted: number;
  /** Times the request was rejected by a busy prefill instance and forwarded, count. */
  forwards: number;
}

/**
 * A fresh request record for an arrival. Every field is written out in one literal (no `...a` spread):
 * V8 gives such an object its fields in place, whereas a spread followed by 22 more keys turned each
 * request into a dictionary-mode object of about 1.5 kB (heap snapshot of a 50,000-request run, Node 20).
 */
export function newRequest(id: number, a: Arrival): Request {
  return {
    atNs: a.atNs,
    input: a.input,
    output: a.output,
    hashIds: a.hashIds,
    id,
    state: "queued",
    cachedTokens: 0,
    hbmHitBlocks: 0,
    poolHitBlocks: 0,
    prefilled: 0,
    earlierSteps: undefined,
    prefillInst: -1,
    decodeInst: -1,
    decodeReplica: -1,
    prefillReplica: 0,
    queuedNs: -1,
    prefillStartNs: -1,
    prefillEndNs: -1,
    kvStartNs: -1,
    kvEndNs: -1,
    kvStreamedNs: 0,
    firstTokenNs: -1,
    lastTokenNs: -1,
    prevTokenNs: -1,
    emitted: 0,
    forwards: 0,
  };
}

/** Latency objectives of a run, ms (the `workload.slo` section). */
export interface SloTargets {
  readonly ttft_ms: number;
  readonly tpot_ms: number;
}

/**
 * Time the request's KV hand-off was on the wire, ns (`kv_transfer_ms`; P/D-Serve's D2D KV transfer
 * time): the layer-wise share streamed during the prefill plus the rest, from the prefill's end to its
 * arrival. Not from the first byte ready: a chunked prompt's first layer is computed seconds before its
 * last, and that wait for the prefill is not transfer time.
 */
export function kvTransferNs(r: Request): number {
  return r.kvStreamedNs + r.kvEndNs - r.prefillEndNs;
}

/** Time to first token of a completed request, ns. */
export function ttftNs(r: Request): number {
  return r.firstTokenNs - r.atNs;
}

/** Time per output token after the first, ns (0 for single-token outputs). */
export function tpotNs(r: Request): number {
  return r.output > 1 ? (r.lastTokenNs - r.firstTokenNs) / (r.output - 1) : 0;
}

/** Whether a completed request met the TTFT objective. */
export function meetsTtft(r: Request, slo: SloTargets): boolean {
  return ttftNs(r) <= slo.ttft_ms * 1e6;
}

/** Whether a completed request met the TPOT objective (single-token outputs always do). */
export function meetsTpot(r: Request, slo: SloTargets): boolean {
  return tpotNs(r) <= slo.tpot_ms * 1e6;
}

/** Whether a completed request met every objective (workloads.md: SLO attainment). */
export function meetsSlo(r: Request, slo: SloTargets): boolean {
  return meetsTtft(r, slo) && meetsTpot(r, slo);
}

/**
 * Puts `r` into `list` at or after index `from`, after every request first queued no later than it: a
 * FIFO by first-queued time, so a request moved from one queue to another keeps its place ahead of
 * newer arrivals. The usual case (r queued now, the newest) is an append.
 */
export function insertByQueuedTime(list: Request[], from: number, r: Request): void {
  let i = list.length;
  list.push(r);
  while (i > from && list[i - 1]!.queuedNs > r.queuedNs) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = r;
}
