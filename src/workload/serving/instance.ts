import type { PrefixCache } from "./prefix-cache.js";
import type { Request } from "./request.js";
import type { InstanceGroupConfig, Role } from "./schema.js";
import type { DecodeCost, PrefillCost } from "./step-cost.js";

/*
 * One model instance of the deployment: its ranks on the cluster, its role (which can change under a
 * dynamic P/D ratio), its prefill queue, its decode batch and KV budget, its HBM prefix cache and the
 * counters the metrics read. The serving simulation (serving-sim.ts) drives it.
 */

/** A serving instance. */
export class Instance {
  /** Prefill queue (FIFO from `head`) and the new prompt tokens still to compute in it, tokens. */
  readonly queue: Request[] = [];
  head = 0;
  queuedTokens = 0;
  /** Running decode batch and the requests whose KV arrived, waiting for admission. */
  running: Request[] = [];
  readonly waiting: Request[] = [];
  waitHead = 0;
  /** KV tokens reserved by admitted sequences (prompt + output; colocated role: a decode instance reserves per replica, replicaKv), tokens. */
  kvReserved = 0;
  /** A step (prefill batch, decode step or mixed iteration) is in progress. */
  busy = false;
  /** No new requests are routed here (switching roles), and out of service until `onlineAtNs`. */
  draining = false;
  offline = false;
  /** When the current role switch began draining and when it went offline (−1: none), ns. */
  drainStartNs = -1;
  offlineStartNs = -1;
  /** KV hand-offs on their way to this instance (it cannot switch roles before they land), count. */
  incomingKv = 0;
  /** Sequences assigned per attention replica (decode), count. */
  readonly replicaLoad: Int32Array;
  /** KV tokens reserved per attention replica by its admitted sequences (prompt + output; decode role), tokens. */
  readonly replicaKv: Float64Array;
  /** Scratch of the decode step: running sequences per attention replica, count. */
  readonly replicaRunning: Int32Array;
  /**
   * Busy time, ns (booked when an iteration starts), and work done: prompt tokens computed, output
   * tokens, steps. The prefill / decode parts of the busy time are booked when the iteration ends, with
   * its tokens, so an iteration cut by the drain limit counts in neither (the `*_busy` rates).
   */
  busyNs = 0;
  prefillBusyNs = 0;
  decodeBusyNs = 0;
  promptTokensComputed = 0;
  promptTokensServed = 0;
  outputTokens = 0;
  steps = 0;
  /** Peak prefill queue length and decode batch, count. */
  peakQueue = 0;
  peakBatch = 0;
  /** Role switches done, count. */
  switches = 0;
  /** The iteration in progress: prefill requests and the prompt tokens each computes, whether it decodes, its start and duration (ns). */
  readonly batch: Request[] = [];
  readonly batchTake: number[] = [];
  /** Prefill work of each batch entry (PrefillCost.prefixNs differences), single and micro-batched regimes, ns. */
  readonly batchWork: number[] = [];
  readonly batchWorkMulti: number[] = [];
  /** Attention replica each batch entry must run on (a chunked prompt's earlier chunks' replica), −1 = free. */
  readonly batchPinned: number[] = [];
  batchTokens = 0;
  decodingNow = false;
  iterStartNs = 0;
  iterNs = 0;
  prefillPartNs = 0;
  decodePartNs = 0;

  constructor(
    /** Index in the simulation's instance list. */
    readonly index: number,
    /** `<group name><index in group>`, e.g. `prefill3`. */
    readonly label: string,
    readonly group: InstanceGroupConfig,
    public role: Role,
    /** First cluster rank of the instance and its rank count. */
    readonly firstRank: number,
    readonly ranks: number,
    /** NPUs of the instance, count. */
    readonly npus: number,
    readonly cache: PrefixCache,
    public prefillCost: PrefillCost | undefined,
    public decodeCost: DecodeCost | undefined,
  ) {
    this.replicaLoad = new Int32Array(group.deployment.attention.dp);
    this.replicaKv = new Float64Array(group.deployment.attention.dp);
    this.replicaRunning = new Int32Array(group.deployment.attention.dp);
  }

  /** Requests in the prefill queue, count. */
  get queueLength(): number {
    return this.queue.length - this.head;
  }

  /** Requests waiting for decode admission, count. */
  get waitingLength(): number {
    return this.waiting.length - this.waitHead;
  }

  /** Whether the instance computes prefills now. */
  get prefills(): boolean {
    return this.role !== "decode";
  }

  /** Whether the instance decodes now. */
  get decodes(): boolean {
    return this.role !== "prefill";
  }

  /** KV-cache capacity of the whole instance, tokens. */
  get kvCapacity(): number {
    return this.decodeCost === undefined ? 0 : this.decodeCost.kvTokensPerReplica * this.decodeCost.dp;
  }

  /** Most sequences in the decode batch, count. */
  get maxBatch(): number {
    return this.decodeCost === undefined ? 0 : this.decodeCost.maxPerReplica * this.decodeCost.dp;
  }

  /** Ranks of attention replica `r`: [first, first + tp). */
  replicaRanks(r: number): number[] {
    const tp = this.group.deployment.attention.tp;
    return Array.from({ length: tp }, (_, k) => this.firstRank + r * tp + k);
  }

  /** Drops served entries from the front of the queues once they dominate (amortised O(1)). */
  compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitHead);
      this.waitHead = 0;
    }
  }
}
