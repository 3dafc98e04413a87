import type { Hooks, Simulator } from "../../engine/index.js";
import { partialWindowPending, timelineWindow } from "./timeline-window.js";
import { SupernodeTopology } from "../../topology/supernode-topology.js";
import type { Topology } from "../../topology/topology.js";
import { AnalyticalNetwork } from "../../network/analytical.js";
import type { NetworkModel } from "../../network/network-model.js";
import type { SimEvents } from "../../trace/span.js";
import { GRAPH_LAUNCH_NS } from "../inference-bench/step-sim.js";
import { Instance } from "./instance.js";
import { layerwiseStreamed, piecesLeft, sendPieces, type LayerwiseStep, type Piece } from "./kv-network.js";
import { PrefixCache } from "./prefix-cache.js";
import { BLOCK_TOKENS, insertByQueuedTime, meetsSlo, newRequest, type Arrival, type Request } from "./request.js";
import { DECODE_ROUTERS, PREFILL_ROUTERS, type RouteView } from "./router.js";
import type { ServingCore } from "./schema.js";
import { LogHistogram } from "./stats.js";
import { runningStepNs, type StepCostCache } from "./step-cost.js";

/*
 * The request-level serving simulation. Requests arrive (synthetic or trace), are routed to a prefill
 * (or colocated) instance, queue, are batched by token budget (optionally chunked), look up their prefix
 * blocks in the instance's HBM cache and the EMS pool when their batch forms (a pool hit is loaded over
 * UB before the batch starts), are prefilled at the step model's cost, hand their KV to a decode
 * instance over the RDMA plane (layer-wise, bulk or per block), wait for decode admission (batch and KV
 * capacity), and decode in continuous batches until their output length. Every event is an integer-ns
 * `sim.schedule(delay, fn, arg)` with a handler defined once (no per-event closures).
 */

/**
 * Per-transfer software cost of one fixed-size KV block in `kv_transfer.mode: blocks` (one RDMA work
 * request per block and layer: post, doorbell, completion polling), ns. From memory of RDMA verbs
 * small-message costs of a few µs per operation on RoCE NICs, unverified; not fitted to T4.
 */
export const KV_BLOCK_TRANSFER_OVERHEAD_NS = 5_000;

/**
 * Control-plane cost of forwarding a rejected request to another prefill instance (one RPC round trip
 * between the scheduler and an instance), ns. From memory of intra-datacentre RPC latencies (~0.5–1 ms),
 * unverified.
 */
export const FORWARD_RPC_NS = 1_000_000;

/**
 * Prefill/decode waits below this do not count as "dominating" for the dynamic P/D ratio, ns (100 ms).
 * Assumption: waits this short are small next to a role switch (`switch_cost_s`, seconds), so a switch
 * could not pay off; no published figure.
 */
const PD_MIN_WAIT_NS = 100_000_000;

/** Inputs of one serving simulation. */
export interface ServingSetup {
  readonly cfg: ServingCore;
  readonly arrivals: readonly Arrival[];
  readonly costs: StepCostCache;
  readonly sim: Simulator;
  readonly hooks: Hooks<SimEvents>;
  readonly topology: Topology;
  /** The network model the run's transfers (KV hand-offs, pool loads) go over, on `sim` and `topology`. */
  readonly network: NetworkModel;
  /** KV bytes per prompt token on the wire and in the caches (all layers, BF16), B. */
  readonly kvBytesPerToken: number;
  /** Decoder layers (+ MTP layer when on): KV of a layer moves as one unit in layer-wise and block transfers, count. */
  readonly layers: number;
  /** HBM prefix-cache capacity of one instance of each group, blocks (by group index). */
  readonly hbmBlocks: readonly number[];
  /** NPUs of one instance of each group, count (by group index; step-cost.ts groupNpus). */
  readonly npus: readonly number[];
  /**
   * Fraction of a token's KV one die of an attention-TP group of `tp` dies holds (model/kv-cache.ts
   * kvCacheShareOnRank): 1 for an MLA latent (every rank needs it whole), 1/tp for KV heads split over
   * TP, and more than 1/tp when tp exceeds the KV heads (a head is replicated), dimensionless.
   */
  readonly kvShareOnRank: (tp: number) => number;
  /** Emit spans and progress (only for the primary run, not for compared variants). */
  readonly observe: boolean;
}

/** One row of the timeline: counters of a window and queue samples at its end. */
export interface TimelineRow {
  t_s: number;
  arrivals: number;
  completed: number;
  input_tokens_per_s: number;
  output_tokens_per_s: number;
  prefill_queue: number;
  decode_waiting: number;
  decode_batch: number;
  /** Of the window's completions, fraction; null when none completed (nothing to attain). */
  slo_attainment: number | null;
}

/** What a serving simulation produced. */
export interface ServingOutcome {
  readonly requests: readonly Request[];
  readonly instances: readonly Instance[];
  /** Simulated time at the end, ns. */
  readonly endNs: number;
  /** Inter-token latency, ms (weighted by tokens). */
  readonly itl: LogHistogram;
  readonly timeline: TimelineRow[];
  readonly forwards: number;
  readonly switches: number;
  readonly rejectedCapacity: number;
  readonly rejectedTimeout: number;
  /** Prompt blocks looked up, hit in HBM and in the pool, count. */
  readonly blocksLooked: number;
  readonly hbmHits: number;
  readonly poolHits: number;
  readonly poolEvictions: number;
}

/** Runs the serving simulation of `s` on `s.sim` to the end of arrivals + drain. */
export function simulateServing(s: ServingSetup): ServingOutcome {
  const { cfg, sim, hooks, arrivals } = s;
  const emit = s.observe && hooks.has("span");
  const progress = s.observe && hooks.has("progress");
  const net = s.network;
  // prices a layer-wise hand-off as it would stream alone (layerwiseStreamed)
  const alone = new AnalyticalNetwork(sim, s.topology);
  const supernode = s.topology instanceof SupernodeTopology ? s.topology : undefined;
  const pool = cfg.cache.enabled && cfg.cache.pool.enabled ? new PrefixCache(poolBlocks(cfg, s.kvBytesPerToken)) : undefined;
  const blockBytes = BLOCK_TOKENS * s.kvBytesPerToken;

  // ---- instances, placed on consecutive ranks in group order ----
  const instances: Instance[] = [];
  let rank = 0;
  cfg.instances.forEach((g, gi) => {
    const name = g.name ?? g.role;
    const ranks = g.deployment.attention.dp * g.deployment.attention.tp;
    const npus = s.npus[gi]!;
    for (let k = 0; k < g.count; k++) {
      const cache = new PrefixCache(cfg.cache.enabled ? s.hbmBlocks[gi]! : 0);
      const pc = g.role !== "decode" ? s.costs.prefillOf(g) : undefined;
      const dc = g.role !== "prefill" ? s.costs.decodeOf(g) : undefined;
      instances.push(new Instance(instances.length, `${name}${k}`, g, g.role, rank, ranks, npus, cache, pc, dc));
      rank += ranks;
    }
  });
  const hasDecode = instances.some((x) => x.decodes);
  const maxSeqTokens = (): number => {
    let m = 0;
    for (const x of instances) if (x.decodes || (cfg.pd_ratio.dynamic && x.decodeCost !== undefined)) m = Math.max(m, x.decodeCost!.kvTokensPerReplica);
    return m;
  };
  const seqCap = maxSeqTokens();

  // ---- accounting ----
  const reqs: Request[] = [];
  const itl = new LogHistogram();
  let accounted = 0;
  let forwards = 0;
  let switches = 0;
  let rejectedCapacity = 0;
  let rejectedTimeout = 0;
  let blocksLooked = 0;
  let hbmHits = 0;
  let poolHits = 0;
  const winNs = Math.round(cfg.timeline_window_s * 1e9);
  const timeline: TimelineRow[] = [];
  const win = { arrivals: 0, completed: 0, met: 0, inTok: 0, outTok: 0 };
  const progressEvery = Math.max(1, Math.floor(arrivals.length / 100));
  const pending: Request[] = [];
  let pendingHead = 0;
  let turnP = 0;
  let turnD = 0;
  // wait statistics for the dynamic P/D ratio (since the last decision)
  let pWaitSum = 0;
  let pWaitCnt = 0;
  let dWaitSum = 0;
  let dWaitCnt = 0;
  let switching: Instance | undefined;


  let lastAccountNs = 0;
  const account = (): void => {
    accounted++;
    lastAccountNs = sim.now;
    if (progress && (accounted % progressEvery === 0 || accounted === arrivals.length)) hooks.emit("progress", { done: accounted, total: arrivals.length, unit: "requests" });
  };

  const spansOf = (r: Request): void => {
    const p = r.prefillInst >= 0 ? instances[r.prefillInst]! : undefined;
    const d = r.decodeInst >= 0 ? instances[r.decodeInst]! : undefined;
    const attrs = { id: r.id, input: r.input, output: r.output, cached: r.cachedTokens };
    const span = (where: string, a: number, b: number, what: string): void => {
      if (a >= 0 && b >= a) hooks.emit("span", { start: a, dur: b - a, kind: "request", where, what: `req ${r.id} ${what}`, attrs });
    };
    if (p !== undefined) {
      span(`${p.label}/queue`, r.queuedNs, r.prefillStartNs, "queue");
      span(`${p.label}/prefill`, r.prefillStartNs, r.prefillEndNs, "prefill");
    }
    if (d !== undefined && d !== p) span(`${d.label}/kv`, r.kvStartNs, r.kvEndNs, "kv transfer");
    if (d !== undefined) span(`${d.label}/batch`, r.firstTokenNs, r.lastTokenNs, "decode");
  };

  const complete = (r: Request): void => {
    r.state = "done";
    win.completed++;
    if (meetsSlo(r, cfg.slo)) win.met++;
    if (emit) spansOf(r);
    account();
  };

  const reject = (r: Request, why: "capacity" | "timeout"): void => {
    r.state = "rejected";
    if (why === "capacity") rejectedCapacity++;
    else rejectedTimeout++;
    if (emit) hooks.emit("span", { start: r.atNs, dur: sim.now - r.atNs, kind: "request", where: "router/rejected", what: `req ${r.id} rejected (${why})`, attrs: { id: r.id, input: r.input, output: r.output } });
    account();
  };

  // ---- load reports (possibly stale) ----
  const reportNs = Math.round(cfg.routing.report_interval_s * 1e9);
  const reports = new Float64Array(instances.length);
  let reportEpoch = -1;
  const liveLoad = (x: Instance, prefill: boolean): number => (prefill ? x.queuedTokens + x.batchTokens : x.running.length + x.waitingLength);
  let reportPrefill = true;
  const reported = (x: Instance): number => {
    if (reportNs === 0) return liveLoad(x, reportPrefill);
    const e = Math.floor(sim.now / reportNs);
    if (e !== reportEpoch) {
      reportEpoch = e;
      for (const y of instances) reports[y.index] = liveLoad(y, y.prefills);
    }
    return reports[x.index]!;
  };

  // ---- routing to prefill ----
  const prefillPolicy = PREFILL_ROUTERS[cfg.routing.prefill]!;
  const decodePolicy = DECODE_ROUTERS[cfg.routing.decode]!;
  const budgetOf = (x: Instance): number => x.group.token_budget * x.group.deployment.attention.dp;
  // an idle instance with nothing queued takes a request whatever the threshold; one between two iterations
  // (iterationDone → pullPending) or stuck on admission is judged by its queue, as a busy one
  const accepts = (x: Instance): boolean => (!x.busy && x.queueLength === 0) || x.queuedTokens < cfg.routing.reject_queue_batches * budgetOf(x);

  const enqueue = (x: Instance, r: Request): void => {
    r.state = "queued";
    r.prefillInst = x.index;
    if (r.queuedNs < 0) r.queuedNs = sim.now;
    // behind a head whose chunked prefill has started, else anywhere from the head on
    insertByQueuedTime(x.queue, x.head < x.queue.length && x.queue[x.head]!.prefillStartNs >= 0 ? x.head + 1 : x.head, r);
    x.queuedTokens += r.input - r.prefilled;
    x.peakQueue = Math.max(x.peakQueue, x.queueLength);
    tryRun(x);
  };
  const enqueueLater = (arg: unknown): void => {
    const r = arg as Request;
    const x = instances[r.prefillInst]!;
    if (x.draining || x.offline || !x.prefills) routePrefill(r);
    else enqueue(x, r);
  };

  const routePrefill = (r: Request): void => {
    const cands = instances.filter((x) => x.prefills && !x.draining && !x.offline);
    if (cands.length === 0) {
      waitForInstance(r);
      return;
    }
    reportPrefill = true;
    const view: RouteView = { candidates: cands, reported, turn: turnP++ };
    const first = prefillPolicy(r, view);
    if (cfg.routing.prefill !== "forward-on-reject") {
      enqueue(first, r);
      return;
    }
    // requests already waiting for an instance go first: an arrival joins them (the gateway offers the
    // oldest rejected request to the next instance with room, so none is overtaken indefinitely)
    if (pendingHead < pending.length) {
      waitForInstance(r);
      for (const x of cands) pullPending(x);
      return;
    }
    const start = cands.indexOf(first);
    for (let k = 0; k < cands.length; k++) {
      const x = cands[(start + k) % cands.length]!;
      if (accepts(x)) {
        if (k === 0) enqueue(x, r);
        else {
          r.prefillInst = x.index;
          if (r.queuedNs < 0) r.queuedNs = sim.now;
          sim.schedule(k * FORWARD_RPC_NS, enqueueLater, r);
        }
        return;
      }
      r.forwards++;
      forwards++;
    }
    // every instance is busy: wait for the first one to go idle (on-demand forwarding)
    waitForInstance(r);
  };
  /** Makes `r` wait for a prefill instance, in first-queued order (a request re-routed from a draining instance keeps its place). */
  const waitForInstance = (r: Request): void => {
    if (r.queuedNs < 0) r.queuedNs = sim.now;
    insertByQueuedTime(pending, pendingHead, r);
  };

  /**
   * Hands waiting requests to `x`, oldest first: with forward-on-reject while `x` accepts (its queue is
   * below the rejection threshold), else all of them (they waited for any prefill instance to exist).
   */
  const pullPending = (x: Instance): void => {
    const fwd = cfg.routing.prefill === "forward-on-reject";
    while (pendingHead < pending.length && x.prefills && !x.draining && !x.offline && (!fwd || accepts(x))) {
      const r = pending[pendingHead++]!;
      // one that waited past the limit is rejected here rather than occupying the instance's queue until its head
      if (cfg.reject_after_s !== null && sim.now - r.queuedNs > cfg.reject_after_s * 1e9) reject(r, "timeout");
      else enqueue(x, r);
    }
  };

  /** Pool loads of the batch being formed (reused: sendPieces copies them out synchronously). */
  const loads: Piece[] = [];

  /** Prompt tokens of `r` its `blocks` leading cached blocks spare, tokens (at least the last prompt token is computed). */
  const cachedTokens = (r: Request, blocks: number): number => Math.min(blocks * BLOCK_TOKENS, r.input - 1);

  // ---- prefix cache lookup when a request's first batch forms; pool loads join `loads` (sent when the batch starts) ----
  const lookup = (x: Instance, r: Request): void => {
    const ids = r.hashIds;
    blocksLooked += ids.length;
    if (!cfg.cache.enabled) return;
    let h = 0;
    let p = 0;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j]!;
      if (x.cache.has(id)) h++;
      else if (pool !== undefined && pool.has(id)) {
        p++;
        if (supernode !== undefined) {
          const cpu = supernode.ranks + (((id % supernode.cpus) + supernode.cpus) % supernode.cpus);
          loads.push({ src: cpu, dst: x.firstRank + (j % x.ranks), bytes: blockBytes });
        }
      } else break;
    }
    // the hit blocks become most recent in their tier, tail first (prefix-cache.ts: the head outlives the tail)
    for (let j = h + p - 1; j >= 0; j--) {
      const id = ids[j]!;
      if (x.cache.has(id)) x.cache.touch(id);
      else pool!.touch(id);
    }
    r.hbmHitBlocks = h;
    r.poolHitBlocks = p;
    hbmHits += h;
    poolHits += p;
    r.cachedTokens = cachedTokens(r, h + p);
    r.prefilled = r.cachedTokens;
  };

  /** Prompt tokens of `r` that `lookup` would find cached on `x` now, without touching or loading anything, tokens. */
  const cachedNow = (x: Instance, r: Request): number => {
    if (!cfg.cache.enabled) return 0;
    const ids = r.hashIds;
    let n = 0;
    while (n < ids.length && (x.cache.has(ids[n]!) || (pool !== undefined && pool.has(ids[n]!)))) n++;
    return cachedTokens(r, n);
  };

  // ---- one iteration of an instance: a prefill batch, a decode step, or both (colocated) ----
  const tryRun = (x: Instance): void => {
    if (x.busy || x.offline) return;
    const now = sim.now;
    loads.length = 0;
    const work = x.batchWork;
    const workMulti = x.batchWorkMulti;
    const pinned = x.batchPinned;
    work.length = workMulti.length = pinned.length = 0;
    x.batch.length = 0;
    x.batchTake.length = 0;
    x.batchTokens = 0;
    const colo = x.role === "colocated";
    const chunked = x.group.chunked_prefill;
    if (x.prefills && x.prefillCost !== undefined) {
      const pc = x.prefillCost;
      let budget = budgetOf(x);
      if (colo && chunked) budget = Math.max(1, budget - x.running.length);
      let seqs = x.running.length;
      while (x.head < x.queue.length && x.batchTokens < budget) {
        const r = x.queue[x.head]!;
        if (r.prefillStartNs < 0) {
          if (cfg.reject_after_s !== null && now - r.queuedNs > cfg.reject_after_s * 1e9) {
            x.head++;
            x.queuedTokens -= r.input - r.prefilled;
            reject(r, "timeout");
            continue;
          }
          // admission: a colocated sequence's KV (prompt + output) and a batch slot are reserved when its prefill starts
          if (colo && (seqs >= x.maxBatch || x.kvReserved + r.input + r.output > x.kvCapacity)) break;
          // a whole prompt that would overflow the batch waits for the next one without starting: its prefix
          // lookup, pool loads and queue time belong to the batch it runs in
          if (!chunked && x.batchTokens > 0 && x.batchTokens + r.input - cachedNow(x, r) > budget) break;
          if (colo) x.kvReserved += r.input + r.output;
          const before = r.input - r.prefilled;
          lookup(x, r);
          x.queuedTokens -= before - (r.input - r.prefilled);
          r.prefillStartNs = now;
          r.state = "prefill";
          pWaitSum += now - r.queuedNs;
          pWaitCnt++;
        }
        if (colo) seqs++;
        const left = r.input - r.prefilled;
        // a chunk runs on one attention replica, so it never exceeds one replica's budget
        const take = chunked ? Math.min(left, budget - x.batchTokens, x.group.token_budget) : left;
        if (!chunked && x.batchTokens > 0 && x.batchTokens + take > budget) break;
        work.push(pc.prefixNs(r.prefilled + take) - pc.prefixNs(r.prefilled));
        workMulti.push(pc.prefixNs(r.prefilled + take, true) - pc.prefixNs(r.prefilled, true));
        // a prompt with chunks done stays on their replica: its KV is there
        pinned.push(r.earlierSteps !== undefined ? r.prefillReplica : -1);
        x.batch.push(r);
        x.batchTake.push(take);
        x.batchTokens += take;
        x.queuedTokens -= take; // the running batch is not queued (liveLoad adds batchTokens)
        if (take === left) x.head++;
        else break;
      }
    }
    let decodeNs = 0;
    x.decodingNow = false;
    if (x.decodes && x.decodeCost !== undefined && !(colo && !chunked && x.batch.length > 0)) {
      const dc = x.decodeCost;
      if (!colo) {
        while (x.waitHead < x.waiting.length && x.running.length < x.maxBatch) {
          const r = x.waiting[x.waitHead]!;
          const need = r.input + r.output;
          // the sequence's KV lives on its attention replica: it must fit there, not just in the instance's total
          if (x.replicaKv[r.decodeReplica]! + need > dc.kvTokensPerReplica) break;
          x.replicaKv[r.decodeReplica]! += need;
          x.waitHead++;
          r.state = "decode";
          x.running.push(r);
          dWaitSum += now - r.kvEndNs;
          dWaitCnt++;
        }
      }
      const n = x.running.length;
      if (n > 0) {
        decodeNs = runningStepNs(dc, x.running, x.replicaRunning);
        x.decodingNow = true;
        x.peakBatch = Math.max(x.peakBatch, n);
      }
    }
    const prefillNs = x.batch.length > 0 ? x.prefillCost!.batchNs(work, workMulti, pinned) : 0;
    for (let i = 0; i < x.batch.length; i++) x.batch[i]!.prefillReplica = x.prefillCost!.replicaOf(i);
    if (prefillNs === 0 && decodeNs === 0) {
      x.compact();
      checkDrained(x);
      return;
    }
    const dur = prefillNs + decodeNs - (prefillNs > 0 && decodeNs > 0 ? GRAPH_LAUNCH_NS : 0);
    x.busy = true;
    // the iteration starts once the batch's pool loads have arrived
    if (loads.length > 0) sendPieces(net, loads, now, "ub", (loadEnd) => beginIteration(x, dur, prefillNs, decodeNs, loadEnd));
    else beginIteration(x, dur, prefillNs, decodeNs, now);
  };
  /** Books an iteration of `dur` ns (prefill and decode parts, ns) starting when its loads have arrived (`loadEnd`, exact ns). */
  const beginIteration = (x: Instance, dur: number, prefillNs: number, decodeNs: number, loadEnd: number): void => {
    const t = sim.now;
    const start = Math.max(t, Math.ceil(loadEnd));
    x.iterStartNs = start;
    x.iterNs = dur;
    x.prefillPartNs = prefillNs;
    x.decodePartNs = decodeNs;
    x.busyNs += dur;
    x.steps++;
    sim.schedule(start + dur - t, iterationDone, x);
  };

  const iterationDone = (arg: unknown): void => {
    const x = arg as Instance;
    x.busy = false;
    x.prefillBusyNs += x.prefillPartNs;
    x.decodeBusyNs += x.decodePartNs;
    const now = sim.now;
    // decode part first: the sequences that were running when the iteration started
    if (x.decodingNow) {
      const dc = x.decodeCost!;
      const tps = dc.tokensPerStep;
      let w = 0;
      const run = x.running;
      for (let i = 0; i < run.length; i++) {
        const r = run[i]!;
        const left = r.output - 1 - r.emitted;
        const got = Math.min(tps, left);
        r.emitted += got;
        x.outputTokens += got;
        win.outTok += got;
        // ITL (workloads.md: each gap tᵢ − tᵢ₋₁): the time since the request's previous token over the step's
        // tokens — a sequence's first step also counts its wait for admission and for the step in progress,
        // a colocated one's the prefill iterations it sat through; so Σ gaps = tₙ − t₁ (MTP: a step's tokens share it)
        itl.add((now - r.prevTokenNs) / got / 1e6, got);
        r.prevTokenNs = now;
        if (r.emitted >= r.output - 1 - 1e-9) {
          r.lastTokenNs = now;
          if (r.decodeReplica >= 0) {
            x.replicaLoad[r.decodeReplica]!--;
            x.replicaKv[r.decodeReplica]! -= r.input + r.output;
          } else x.kvReserved -= r.input + r.output;
          complete(r);
        } else run[w++] = r;
      }
      run.length = w;
    }
    // prefill part
    for (let i = 0; i < x.batch.length; i++) {
      const r = x.batch[i]!;
      const take = x.batchTake[i]!;
      // (the first step starts after the cached prefix)
      const from = r.prefilled / r.input;
      r.prefilled += take;
      x.promptTokensComputed += take;
      if (r.prefilled < r.input) {
        // a chunk: its KV exists layer by layer over this step
        (r.earlierSteps ??= cachedStep(x, r)).push(stepOf(x, from, r.prefilled / r.input, x.iterStartNs + x.prefillPartNs));
      } else {
        r.prefillEndNs = now;
        x.promptTokensServed += r.input;
        win.inTok += r.input;
        if (cfg.cache.enabled) {
          x.cache.touchPrefix(r.hashIds);
          pool?.touchPrefix(r.hashIds);
        }
        afterPrefill(x, r);
        // the chunks' steps served the hand-off just priced: not kept for the rest of the run
        r.earlierSteps = undefined;
      }
    }
    x.batch.length = 0;
    x.batchTake.length = 0;
    x.batchTokens = 0;
    if (x.queueLength === 0 || cfg.routing.prefill === "forward-on-reject") pullPending(x);
    tryRun(x);
  };

  /** `r`'s first token is out now (the prefill's; in disaggregated serving once its KV has reached the decode instance). */
  const firstToken = (r: Request): void => {
    r.firstTokenNs = r.prevTokenNs = sim.now;
    win.outTok++;
  };

  // ---- prefill → decode hand-off ----
  /** The step `x` has just run, ending at `endNs`, as a layer-wise step computing the hand-off's bytes from share `before` to `after` (fractions). */
  const stepOf = (x: Instance, before: number, after: number, endNs: number): LayerwiseStep => ({
    firstLayerNs: Math.min(endNs, x.iterStartNs + x.prefillPartNs / s.layers),
    lastLayerNs: endNs,
    before,
    after,
  });
  /**
   * The cached prefix of `r`, whose first step `x` has just run, as a step of its own (none without one): its
   * KV exists whole when that step starts (HBM hits, and pool hits loaded before it), so every layer of it
   * is there at once.
   */
  const cachedStep = (x: Instance, r: Request): LayerwiseStep[] =>
    r.cachedTokens > 0 ? [{ firstLayerNs: x.iterStartNs, lastLayerNs: x.iterStartNs, before: 0, after: r.cachedTokens / r.input }] : [];
  const afterPrefill = (x: Instance, r: Request): void => {
    if (x.role === "colocated") {
      r.decodeInst = x.index;
      firstToken(r);
      if (r.output <= 1) {
        r.lastTokenNs = sim.now;
        x.kvReserved -= r.input + r.output;
        complete(r);
      } else {
        r.state = "decode";
        x.running.push(r);
      }
      return;
    }
    if (!hasDecode) {
      // a prefill-only deployment (the config check allows it only for one-token outputs): the request ends with its first token
      firstToken(r);
      r.lastTokenNs = sim.now;
      complete(r);
      return;
    }
    // only where one attention replica can hold the sequence (prompt + output): elsewhere it would head the
    // waiting queue for ever (onArrival rejects a request no decoding instance can hold)
    const need = r.input + r.output;
    const decodesIt = (y: Instance): boolean => y.role === "decode" && y.decodeCost !== undefined && y.decodeCost.kvTokensPerReplica >= need;
    const cands = instances.filter((y) => decodesIt(y) && !y.draining && !y.offline);
    const fit = cands.length > 0 ? cands : instances.filter(decodesIt);
    const pool2 = fit.length > 0 ? fit : instances.filter((y) => y.role === "decode");
    reportPrefill = false;
    const d = decodePolicy(r, { candidates: pool2, reported: (y) => liveLoad(y, false), turn: turnD++ });
    let rep = 0;
    for (let k = 1; k < d.replicaLoad.length; k++) if (d.replicaLoad[k]! < d.replicaLoad[rep]!) rep = k;
    d.replicaLoad[rep]!++;
    d.incomingKv++;
    r.decodeInst = d.index;
    r.decodeReplica = rep;
    r.state = "transfer";
    const srcs = x.replicaRanks(r.prefillReplica);
    const dsts = d.replicaRanks(rep);
    const bytes = r.input * s.kvBytesPerToken;
    // each decode die receives the share it holds: an MLA latent whole on every TP rank, KV heads split
    // over TP (a head replicated on every die sharing it when TP exceeds the KV heads)
    const perDst = bytes * s.kvShareOnRank(dsts.length);
    const mode = cfg.kv_transfer.mode;
    const blocks = s.layers * Math.ceil(r.input / cfg.kv_transfer.block_tokens);
    const overheadNs = mode === "blocks" ? (Math.ceil(blocks / srcs.length) * KV_BLOCK_TRANSFER_OVERHEAD_NS) : 0;
    const pieces: Piece[] = [];
    for (const dst of dsts) for (const src of srcs) pieces.push({ src, dst, bytes: perDst / srcs.length, overheadNs });
    const now = sim.now;
    let ready = now;
    let steps: LayerwiseStep[] | undefined;
    if (mode === "layerwise") {
      // a chunked prompt's earlier chunks have been streaming since their own steps computed them, a cached
      // prefix since the first step started
      const earlier = r.earlierSteps ?? cachedStep(x, r);
      const last = stepOf(x, earlier.length === 0 ? 0 : earlier[earlier.length - 1]!.after, 1, now);
      steps = [...earlier, last];
      ready = steps[0]!.firstLayerNs;
    }
    r.kvStartNs = Math.round(ready);
    const arrived = (end: number): void => {
      const t = sim.now;
      r.kvEndNs = Math.max(t, Math.ceil(end));
      sim.schedule(r.kvEndNs - t, kvArrived, r);
    };
    // layer-wise: each layer computed before now (any chunk's) has been streaming since it was computed; what is left goes now
    let rest = pieces;
    if (steps !== undefined && ready < now) {
      const { sent, wireNs } = layerwiseStreamed(alone, pieces, cfg.kv_transfer.plane, now, s.layers, steps);
      rest = piecesLeft(pieces, sent);
      r.kvStreamedNs = wireNs;
    }
    sendPieces(net, rest, now, cfg.kv_transfer.plane, arrived);
  };

  const kvArrived = (arg: unknown): void => {
    const r = arg as Request;
    const d = instances[r.decodeInst]!;
    d.incomingKv--;
    firstToken(r);
    if (r.output <= 1) {
      r.lastTokenNs = sim.now;
      d.replicaLoad[r.decodeReplica]!--;
      complete(r);
      checkDrained(d);
      return;
    }
    r.state = "waiting";
    d.waiting.push(r);
    tryRun(d);
  };

  // ---- dynamic P/D ratio ----
  const checkDrained = (x: Instance): void => {
    if (x !== switching || !x.draining || x.offline || x.busy) return;
    if (x.queueLength > 0 || x.running.length > 0 || x.waitingLength > 0 || x.incomingKv > 0) return;
    x.offline = true;
    x.offlineStartNs = sim.now;
    sim.schedule(Math.round(cfg.pd_ratio.switch_cost_s * 1e9), switchDone, x);
  };
  const switchDone = (arg: unknown): void => {
    const x = arg as Instance;
    const from = x.role;
    x.role = x.role === "prefill" ? "decode" : "prefill";
    if (emit) {
      // a role switch on the instance's own track: the drain (no new work, running work finishes), then the switch itself
      const where = `${x.label}/role`;
      const attrs = { from, to: x.role };
      hooks.emit("span", { start: x.drainStartNs, dur: x.offlineStartNs - x.drainStartNs, kind: "instance", where, what: `drain for ${from} → ${x.role}`, attrs });
      hooks.emit("span", { start: x.offlineStartNs, dur: sim.now - x.offlineStartNs, kind: "instance", where, what: `switch ${from} → ${x.role}`, attrs });
    }
    if (x.role === "prefill") x.prefillCost ??= s.costs.prefillOf(x.group);
    else x.decodeCost ??= s.costs.decodeOf(x.group);
    x.offline = false;
    x.draining = false;
    x.switches++;
    switches++;
    switching = undefined;
    if (x.prefills) pullPending(x);
    tryRun(x);
  };
  const oldestAge = (prefill: boolean): number => {
    let age = 0;
    for (const x of instances) {
      if (prefill && x.prefills && x.head < x.queue.length) age = Math.max(age, sim.now - x.queue[x.head]!.queuedNs);
      if (!prefill && x.role === "decode" && x.waitHead < x.waiting.length) age = Math.max(age, sim.now - x.waiting[x.waitHead]!.kvEndNs);
    }
    if (prefill && pendingHead < pending.length) age = Math.max(age, sim.now - pending[pendingHead]!.queuedNs);
    return age;
  };
  const controller = (): void => {
    if (accounted >= arrivals.length) return;
    const pw = Math.max(pWaitCnt > 0 ? pWaitSum / pWaitCnt : 0, oldestAge(true));
    const dw = Math.max(dWaitCnt > 0 ? dWaitSum / dWaitCnt : 0, oldestAge(false));
    pWaitSum = pWaitCnt = dWaitSum = dWaitCnt = 0;
    const thr = cfg.pd_ratio.threshold;
    if (switching === undefined) {
      const active = (role: string) => instances.filter((x) => x.role === role && !x.draining && !x.offline);
      const P = active("prefill");
      const D = active("decode");
      let pick: Instance | undefined;
      if (pw > PD_MIN_WAIT_NS && pw > thr * dw && D.length > 1) pick = D.reduce((a, b) => (b.running.length + b.waitingLength < a.running.length + a.waitingLength ? b : a));
      else if (dw > PD_MIN_WAIT_NS && dw > thr * pw && P.length > 1) pick = P.reduce((a, b) => (b.queuedTokens < a.queuedTokens ? b : a));
      if (pick !== undefined) {
        switching = pick;
        pick.draining = true;
        pick.drainStartNs = sim.now;
        if (pick.role === "prefill") {
          // requests not yet started move to the other prefill instances
          const moved: Request[] = [];
          while (pick.head < pick.queue.length && pick.queue[pick.queue.length - 1]!.prefillStartNs < 0) {
            const r = pick.queue.pop()!;
            pick.queuedTokens -= r.input - r.prefilled;
            moved.push(r);
          }
          for (const r of moved.reverse()) routePrefill(r);
        }
        checkDrained(pick);
      }
    }
    sim.schedule(Math.round(cfg.pd_ratio.interval_s * 1e9), controller);
  };

  // ---- timeline sampler ----
  /** Records the window that ends now (or, for the last, partial one, at `partialEndNs`). */
  const sample = (partialEndNs?: number): void => {
    let pq = pending.length - pendingHead;
    let dq = 0;
    let db = 0;
    for (const x of instances) {
      pq += x.queueLength;
      dq += x.waitingLength;
      db += x.running.length;
    }
    const { endS, spanS: w } = timelineWindow(timeline.length, cfg.timeline_window_s, partialEndNs);
    timeline.push({
      t_s: endS,
      arrivals: win.arrivals,
      completed: win.completed,
      input_tokens_per_s: win.inTok / w,
      output_tokens_per_s: win.outTok / w,
      prefill_queue: pq,
      decode_waiting: dq,
      decode_batch: db,
      slo_attainment: win.completed > 0 ? win.met / win.completed : null,
    });
    win.arrivals = win.completed = win.met = win.inTok = win.outTok = 0;
    if (partialEndNs === undefined && accounted < arrivals.length) sim.schedule(winNs, sample);
  };

  // ---- arrivals ----
  const onArrival = (arg: unknown): void => {
    const i = arg as number;
    const r = newRequest(i, arrivals[i]!);
    reqs.push(r);
    win.arrivals++;
    if (i + 1 < arrivals.length) sim.scheduleAt(arrivals[i + 1]!.atNs, onArrival, i + 1);
    // a request no decode replica can hold is rejected (the config check refuses a load where all are)
    if (hasDecode && r.input + r.output > seqCap) {
      reject(r, "capacity");
      return;
    }
    routePrefill(r);
  };

  if (arrivals.length > 0) {
    sim.scheduleAt(arrivals[0]!.atNs, onArrival, 0);
    sim.schedule(winNs, sample);
    if (cfg.pd_ratio.dynamic) sim.schedule(Math.round(cfg.pd_ratio.interval_s * 1e9), controller);
  }
  const lastArrival = arrivals.length > 0 ? arrivals[arrivals.length - 1]!.atNs : 0;
  sim.run(lastArrival + Math.round(cfg.drain_s * 1e9));
  if (partialWindowPending(timeline.length, win.arrivals + win.completed, sim.now, winNs)) {
    // the last, partial window: a run cut by the drain limit, or one shorter than a window (a run has at least one row)
    sample(sim.now);
  }
  return {
    requests: reqs,
    instances,
    // the run ends with the last request accounted for, or at the drain limit with requests left
    endNs: accounted >= arrivals.length ? lastAccountNs : sim.now,
    itl,
    timeline,
    forwards,
    switches,
    rejectedCapacity,
    rejectedTimeout,
    blocksLooked,
    hbmHits,
    poolHits,
    poolEvictions: pool?.evictions ?? 0,
  };
}

/** Capacity of the EMS pool, blocks. */
function poolBlocks(cfg: ServingCore, kvBytesPerToken: number): number {
  const c = cfg.cache.pool.capacity;
  return c === "unbounded" ? Infinity : Math.floor(c.value / (BLOCK_TOKENS * kvBytesPerToken));
}
