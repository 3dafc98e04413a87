import { partialWindowPending, timelineWindow } from "../serving/timeline-window.js";
import type { Hooks, Simulator } from "../../engine/index.js";
import type { NetworkModel, Transfer } from "../../network/network-model.js";
import type { SimEvents } from "../../trace/span.js";
import type { Arrival, Request } from "../serving/request.js";
import { meetsSlo, newRequest } from "../serving/request.js";
import type { DecodeCost, PrefillCost } from "../serving/step-cost.js";
import { ACTIVATION_RESERVE_FRACTION, runningStepNs } from "../serving/step-cost.js";
import { p2pTransfers, type ShardLayout } from "./p2p-plan.js";
import { scalingPlan, weightsToLoadPerDie, type ScalingPlan } from "./scaling-costs.js";
import { scheduledEvents, type ElasticCore } from "./schema.js";

/*
 * The request-level simulation of a colocated MoE deployment that scales. Engines run continuous
 * batching (prefill first, as serving's colocated role) at the serving step costs; a scaling runs its
 * plan's components one after another (weights by P2P are a transfer group on the network model, so
 * on the flow model they share UB links with the engines' expert all-to-all), while the old engine
 * serves, serves with less KV, or is down. At the switch the new engine takes the queue and — with
 * zero-copy — the running sequences with their KV; a cold restart requeues or drops them.
 *
 * The SLO coordinator keeps its own accumulators over each decision window (scaling.window_s), fed as
 * requests are judged and as engines change their sequences, and reset at each decision: SLO attainment of
 * the requests judged in the window (a miss as soon as a TTFT deadline passes without a first token, else
 * at completion), and utilisation = time-averaged demand ÷ capacity, where demand is
 * the sequences in the system (queued, being prefilled or decoding, or waiting for an engine) and
 * capacity the engines' max batch (max_batch_per_npu × NPUs), sequences ÷ sequences.
 */

/** The HBM sizes of one layout that its KV sizing reads. */
export interface LayoutMemory {
  /** Weights the busiest die of this layout holds, B. */
  readonly weightBytesPerDie: number;
  /** MoE communication buffers of one die, B. */
  readonly buffersBytesPerDie: number;
  /** HBM of one die, B. */
  readonly hbmBytesPerDie: number;
  /** KV bytes of one token of one sequence held on one die of its replica, B. */
  readonly kvBytesPerTokenPerDie: number;
  /** KV pool per attention replica as serving sizes it alone on its dies (HBM × 0.9 − weights − buffers), tokens. */
  readonly kvTokensPerReplica: number;
}

/** HBM one die of a configuration holds: weights, comm buffers and `kvFraction` of a KV pool of `kvTokensPerReplica`, B. */
export function configBytesPerDie(l: LayoutMemory, kvTokensPerReplica: number, kvFraction = 1): number {
  return l.weightBytesPerDie + l.buffersBytesPerDie + kvTokensPerReplica * l.kvBytesPerTokenPerDie * kvFraction;
}

/**
 * KV pool per attention replica of an instance of layout `l` started on dies where the fullest already holds
 * `residentBytes` (a copy still serving there, colocated; 0 on fresh dies): the usable HBM (capacity × (1 −
 * the activation reserve), as serving sizes it) less the resident bytes and the instance's own weights and
 * buffers, one size for every rank (vLLM takes the minimum over its workers), never more than serving's
 * own sizing, tokens. The colocated config check (elastic.ts) and the run size the new copy with this.
 */
export function kvPoolBesideTokens(l: LayoutMemory, residentBytes: number): number {
  const left = l.hbmBytesPerDie * (1 - ACTIVATION_RESERVE_FRACTION) - residentBytes - l.weightBytesPerDie - l.buffersBytesPerDie;
  return Math.min(l.kvTokensPerReplica, Math.max(0, Math.floor(left / l.kvBytesPerTokenPerDie)));
}

/** Step costs and sizes of one layout (dp at fixed tp). */
export interface LayoutCost extends LayoutMemory, ShardLayout {
  readonly dp: number;
  readonly dies: number;
  /** NPUs of the layout (dies ÷ dies per NPU), count. */
  readonly npus: number;
  readonly prefill: PrefillCost;
  readonly decode: DecodeCost;
  /** Expert all-to-all bytes per token of a step (decode or prefill) over all MoE layers (dispatch + combine), B. */
  readonly a2aBytesPerToken: number;
}

/** An engine serving requests on a set of dies. */
class Engine {
  readonly queue: Request[] = [];
  running: Request[] = [];
  /** KV reserved on each attention replica (prompt + output of each sequence it holds there), tokens. */
  readonly replicaKv: number[];
  /** Scratch of the decode step: running sequences per attention replica, count. */
  readonly replicaRunning: Int32Array;
  busy = false;
  stopped = false;
  accepting = true;
  /** Admits no new sequence (a zero-copy scale-down waits for its running sequences to fit the new layout's pools). */
  holding = false;
  kvFraction = 1;
  busyNs = 0;
  batch: Request[] = [];
  decodingNow = false;
  /** The step in progress: start and end, ns, and the tokens its expert all-to-all carries. */
  stepStartNs = 0;
  stepEndNs = 0;
  stepTokens = 0;
  /** Runs at the end of the step in flight, before the next one (a zero-copy switch waits for the step boundary). */
  atBoundary: (() => void) | undefined;
  /** KV pool per attention replica, tokens: serving's sizing, or what was left on shared dies (colocated). */
  readonly kvTokensPerReplica: number;
  constructor(readonly layout: LayoutCost, readonly ranks: number[], readonly maxBatch: number, kvTokensPerReplica?: number) {
    this.kvTokensPerReplica = kvTokensPerReplica ?? layout.kvTokensPerReplica;
    this.replicaKv = new Array<number>(layout.dp).fill(0);
    this.replicaRunning = new Int32Array(layout.dp);
  }
  /** KV one attention replica may hold now (its pool, or the kept fraction of it), tokens. */
  get replicaCap(): number {
    return this.kvTokensPerReplica * this.kvFraction;
  }
  /** HBM this engine holds on each of its dies: weights, comm buffers and the KV pool it keeps, B. */
  get bytesPerDie(): number {
    return configBytesPerDie(this.layout, this.kvTokensPerReplica, this.kvFraction);
  }
  /**
   * Reserves the KV of `r` (prompt + output) on the replica with the least reserved that can hold it — a
   * sequence lives on one attention replica, so it must fit there, not just in the engine's total; false
   * when none can.
   */
  reserve(r: Request): boolean {
    const need = r.input + r.output;
    let best = -1;
    for (let k = 0; k < this.replicaKv.length; k++) if (this.replicaKv[k]! + need <= this.replicaCap && (best < 0 || this.replicaKv[k]! < this.replicaKv[best]!)) best = k;
    if (best < 0) return false;
    this.replicaKv[best]! += need;
    r.decodeReplica = best;
    return true;
  }
  release(r: Request): void {
    this.replicaKv[r.decodeReplica]! -= r.input + r.output;
    r.decodeReplica = -1;
  }
  /**
   * Where this engine would hold `running` (a zero-copy switch keeps their KV): a sequence stays on its
   * replica when the layout keeps it (its dies stay), one of a removed replica goes to the least loaded
   * replica with room; undefined when they do not all fit the pools.
   */
  placement(running: readonly Request[]): number[] | undefined {
    const kv = new Array<number>(this.replicaKv.length).fill(0);
    const at = running.map((r) => (r.decodeReplica < kv.length ? r.decodeReplica : -1));
    running.forEach((r, i) => {
      if (at[i]! >= 0) kv[at[i]!]! += r.input + r.output;
    });
    if (kv.some((x) => x > this.replicaCap)) return undefined;
    for (let i = 0; i < running.length; i++) {
      if (at[i]! >= 0) continue;
      const need = running[i]!.input + running[i]!.output;
      let best = -1;
      for (let k = 0; k < kv.length; k++) if (kv[k]! + need <= this.replicaCap && (best < 0 || kv[k]! < kv[best]!)) best = k;
      if (best < 0) return undefined;
      kv[best]! += need;
      at[i] = best;
    }
    return at;
  }
  /** Takes over a running sequence with its KV on replica `k` (zero-copy switch, from `placement`). */
  adopt(r: Request, k: number): void {
    this.replicaKv[k]! += r.input + r.output;
    r.decodeReplica = k;
  }
}

/** One scaling operation as it happened. */
export interface ScalingRecord {
  kind: "up" | "down";
  fromDp: number;
  toDp: number;
  startNs: number;
  /** When the new configuration takes over, ns: its last component ends, then a zero-copy switch waits for the old engine's step in flight (≤ one step). */
  endNs: number;
  downtimeNs: number;
  p2pNs: number;
  p2pBytesPerDie: number;
  components: { name: string; s: number }[];
  peakMemoryBytes: number;
  runningAtSwitch: number;
  requeued: number;
  dropped: number;
  /** KV pool of the new instance per attention replica, tokens. */
  newKvTokensPerReplica: number;
  /** KV copied at a zero-copy switch (sequences of removed replicas to remaining ones), summed over dies, B. */
  kvMovedBytes: number;
}

/** Inputs of one elastic simulation. */
export interface ElasticSetup {
  readonly cfg: ElasticCore;
  readonly arrivals: readonly Arrival[];
  readonly layoutOf: (dp: number) => LayoutCost;
  readonly sim: Simulator;
  readonly hooks: Hooks<SimEvents>;
  readonly net: NetworkModel;
  readonly observe: boolean;
  /** Dies per NPU of the cluster (2 on a 910C, 1 on a 910B), count. */
  readonly ranksPerNpu: number;
}

/** A timeline row (one window). */
export interface ElasticWindow {
  t_s: number;
  arrivals: number;
  completed: number;
  /** Of the window's completions, fraction; null when none completed (nothing to attain). */
  slo_attainment: number | null;
  output_tokens_per_s: number;
  dies: number;
  dp: number;
  scaling: boolean;
}

/** One decision of the SLO coordinator, over the window that ends at `t_s`. */
export interface ElasticDecision {
  t_s: number;
  /** Requests given their SLO verdict in the window, count. */
  judged: number;
  /** SLO attainment of the requests judged in the window (met ÷ judged; 1 when none was), fraction. */
  slo_attainment: number;
  /** Time-averaged demand ÷ capacity (sequences in the system ÷ the engines' max batch), fraction (> 1 under backlog). */
  utilisation: number;
  /** DP serving (or being replaced) when deciding, replicas. */
  dp: number;
  action: "hold" | "scale_up" | "scale_down" | "cooldown" | "scaling";
}

/** What an elastic simulation produced. */
export interface ElasticOutcome {
  readonly requests: readonly Request[];
  readonly scalings: readonly ScalingRecord[];
  readonly timeline: readonly ElasticWindow[];
  /** The SLO coordinator's decisions (policy `slo`). */
  readonly decisions: readonly ElasticDecision[];
  /** Die-seconds billed (dies held × time) from t = 0 until the last request completes or is dropped (the run's end if some never do), die·s. */
  readonly dieSeconds: number;
  /** The same in NPUs (dies held ÷ dies per NPU: layouts fill whole NPUs), NPU·s. */
  readonly npuSeconds: number;
  /** Output tokens emitted (first tokens included) as a step function: after time `t[i]` (ns), `cum[i]` tokens in all, tokens. */
  readonly emitted: { readonly t: readonly number[]; readonly cum: readonly number[] };
  /** End of that billing window, ns. */
  readonly billedUntilNs: number;
  readonly endNs: number;
  readonly rejected: number;
  /** Requests still in the system at the run's end (waiting for an engine, queued, in a prefill batch or decoding), counted where they are, count. */
  readonly unfinished: number;
  readonly requeued: number;
  readonly reprefillTokens: number;
}

/** Runs the elastic simulation. */
export function simulateElastic(s: ElasticSetup): ElasticOutcome {
  const { cfg, sim, hooks, arrivals, net } = s;
  // P2P weight copies and the expert all-to-all share the scale-up fabric: the cluster's default plane
  // (UB on a supernode; HCCS inside a server and the RoCE Clos across elsewhere)
  const fabric = net.topology.planes[0]!;
  const emit = s.observe && hooks.has("span");
  const tp = cfg.tp;
  // max_batch_per_npu × the layout's NPUs (a 910C NPU is two dies, a 910B NPU one)
  const maxBatchOf = (l: LayoutCost): number => Math.max(1, cfg.max_batch_per_npu * l.npus);
  let nextRank = 0;
  const freeRanks: number[] = [];
  const take = (n: number): number[] => {
    const out: number[] = [];
    freeRanks.sort((a, b) => a - b);
    while (out.length < n && freeRanks.length > 0) out.push(freeRanks.shift()!);
    while (out.length < n) out.push(nextRank++);
    return out;
  };
  const firstLayout = s.layoutOf(cfg.from.dp);
  let engines: Engine[] = [new Engine(firstLayout, take(cfg.from.dp * tp), maxBatchOf(firstLayout))];
  const held = new Set<number>(engines[0]!.ranks);
  /** Gives a die back (billing stops at the last bill()). */
  const release = (r: number): void => {
    if (held.delete(r)) freeRanks.push(r);
  };
  // billing window: from t = 0 until the last request is accounted (completed or dropped), not the idle drain after it
  let dieNs = 0;
  let lastBill = 0;
  let billUntil = Infinity;
  const bill = (): void => {
    const t = Math.min(sim.now, billUntil);
    if (t > lastBill) dieNs += held.size * (t - lastBill);
    lastBill = Math.max(lastBill, t);
  };

  const reqs: Request[] = [];
  let accounted = 0;
  let rejected = 0;
  let requeuedTotal = 0;
  let reprefill = 0;
  const win = { arrivals: 0, completed: 0, met: 0, outTok: 0 };
  // output tokens emitted, as a step function of time (for the token rates around each scaling)
  const tokT: number[] = [];
  const tokCum: number[] = [];
  let cumTok = 0;
  const emitTokens = (n: number): void => {
    win.outTok += n;
    cumTok += n;
    if (tokT.length > 0 && tokT[tokT.length - 1] === sim.now) tokCum[tokCum.length - 1] = cumTok;
    else {
      tokT.push(sim.now);
      tokCum.push(cumTok);
    }
  };
  const timeline: ElasticWindow[] = [];
  const decisions: ElasticDecision[] = [];
  const scalings: ScalingRecord[] = [];
  let scaling: ScalingRecord | undefined;
  let lastScaleEndNs = -Infinity;
  let lowWindows = 0;
  const pending: Request[] = [];

  // the coordinator's accumulators over its decision window: SLO verdicts (judged, of which met), and
  // ∫demand dt, ∫capacity dt (sequence·ns). A request gets one verdict, as early as it is known: a miss
  // once its TTFT deadline has passed without a first token in time (found at the next decision: a
  // backlog shows before it drains), else at completion; a dropped request is a miss.
  const dec = { judged: 0, met: 0, demandArea: 0, capacityArea: 0, lastNs: 0 };
  const judged = new Uint8Array(arrivals.length);
  const ttftNs = cfg.slo.ttft_ms * 1e6;
  const judgeMiss = (r: Request): void => {
    if (judged[r.id] === 1) return;
    judged[r.id] = 1;
    dec.judged++;
  };
  /** Judges the requests in the system whose TTFT deadline has passed without a first token by then. */
  const judgeOverdue = (): void => {
    const overdue = (r: Request): void => {
      if (judged[r.id] === 0 && sim.now - r.atNs > ttftNs && (r.firstTokenNs < 0 || r.firstTokenNs - r.atNs > ttftNs)) judgeMiss(r);
    };
    pending.forEach(overdue);
    for (const e of engines) {
      e.queue.forEach(overdue);
      e.batch.forEach(overdue);
      e.running.forEach(overdue);
    }
  };
  const demandNow = (): number => {
    let n = pending.length;
    for (const e of engines) n += e.queue.length + e.batch.length + e.running.length;
    return n;
  };
  const capacityNow = (): number => engines.reduce((a, e) => a + (e.stopped ? 0 : e.maxBatch), 0);
  /** Integrates demand and capacity up to now; called before anything changes either. */
  const touch = (): void => {
    const dt = sim.now - dec.lastNs;
    if (dt > 0) {
      dec.demandArea += dt * demandNow();
      dec.capacityArea += dt * capacityNow();
    }
    dec.lastNs = sim.now;
  };

  const account = (): void => {
    if (++accounted === arrivals.length) {
      bill();
      billUntil = sim.now;
    }
  };
  const complete = (r: Request): void => {
    r.state = "done";
    win.completed++;
    const met = meetsSlo(r, cfg.slo);
    if (met) win.met++;
    if (judged[r.id] === 0) {
      judged[r.id] = 1;
      dec.judged++;
      if (met) dec.met++;
    }
    if (emit) hooks.emit("span", { start: r.atNs, dur: r.lastTokenNs - r.atNs, kind: "request", where: "elastic/requests", what: `req ${r.id}`, attrs: { id: r.id } });
    account();
  };
  const drop = (r: Request): void => {
    r.state = "rejected";
    rejected++;
    judgeMiss(r);
    account();
  };
  /** A sequence that lost its KV (preempted, or running at a cold restart) goes back for a re-prefill of its prompt and the tokens generated so far; the caller queues it. */
  const requeue = (r: Request): void => {
    requeuedTotal++;
    reprefill += r.input + Math.floor(r.emitted);
    if (scaling !== undefined) scaling.requeued++;
    r.prefillStartNs = -1;
  };

  const route = (r: Request): void => {
    touch();
    const cands = engines.filter((e) => e.accepting && !e.stopped);
    if (cands.length === 0) {
      pending.push(r);
      return;
    }
    let best = cands[0]!;
    for (const e of cands) if (e.queue.length + e.running.length < best.queue.length + best.running.length) best = e;
    best.queue.push(r);
    tryRun(best);
  };

  const a2a = (e: Engine, tokens: number): void => {
    // expert all-to-all of a step on the network, only while a P2P copy is in flight (all it can affect);
    // a step's all-to-alls are spread over its layers, here one group of the step's (remaining) bytes
    if (scaling === undefined || p2pInFlight === 0) return;
    const per = (tokens * e.layout.a2aBytesPerToken) / e.ranks.length / Math.max(1, e.ranks.length - 1);
    if (!(per > 0)) return;
    const ts: Transfer[] = [];
    for (const a of e.ranks) for (const b of e.ranks) if (a !== b) ts.push({ src: a, dst: b, bytes: per });
    net.runGroup(ts, sim.now, () => undefined, fabric);
  };

  const tryRun = (e: Engine): void => {
    if (e.busy || e.stopped) return;
    touch();
    const now = sim.now;
    // a replica whose pool shrank under its reservations (colocated: the serving copy gives up KV to the
    // loading one) preempts its newest sequences at the step boundary; they are re-prefilled later (vLLM's
    // recompute). A zero-copy switch never gets here: it waits until the sequences fit (switchWhenFits)
    for (let i = e.running.length - 1; i >= 0; i--) {
      const r = e.running[i]!;
      if (e.replicaKv[r.decodeReplica]! <= e.replicaCap) continue;
      e.running.splice(i, 1);
      e.release(r);
      requeue(r);
      e.queue.unshift(r);
    }
    e.batch = [];
    const work: number[] = [];
    const workMulti: number[] = [];
    let tokens = 0;
    const budget = cfg.token_budget * e.layout.dp;
    while (!e.holding && e.queue.length > 0 && tokens < budget) {
      const r = e.queue[0]!;
      if (e.running.length + e.batch.length >= e.maxBatch) break;
      // a re-prefill (recompute after preemption or a restart) runs the prompt and the tokens generated so far
      const len = r.input + Math.floor(r.emitted);
      if (tokens > 0 && tokens + len > budget) break;
      if (!e.reserve(r)) break;
      e.queue.shift();
      if (r.prefillStartNs < 0) r.prefillStartNs = now;
      work.push(e.layout.prefill.prefixNs(len) - e.layout.prefill.prefixNs(0));
      workMulti.push(e.layout.prefill.prefixNs(len, true) - e.layout.prefill.prefixNs(0, true));
      tokens += len;
      e.batch.push(r);
    }
    let dur = 0;
    e.decodingNow = false;
    if (e.batch.length > 0) dur = e.layout.prefill.batchNs(work, workMulti);
    else if (e.running.length > 0) {
      // paced by the attention replica with the most sequences, as serving prices it
      const n = e.running.length;
      dur = runningStepNs(e.layout.decode, e.running, e.replicaRunning);
      e.decodingNow = true;
      tokens = n;
    }
    if (dur === 0) return;
    e.stepStartNs = now;
    e.stepEndNs = now + dur;
    e.stepTokens = tokens;
    a2a(e, tokens);
    e.busy = true;
    e.busyNs += dur;
    sim.schedule(dur, stepDone, e);
  };

  const stepDone = (arg: unknown): void => {
    const e = arg as Engine;
    touch();
    e.busy = false;
    const now = sim.now;
    if (e.decodingNow) {
      const tps = e.layout.decode.tokensPerStep;
      const keep: Request[] = [];
      for (const r of e.running) {
        const got = Math.min(tps, r.output - 1 - r.emitted);
        r.emitted += got;
        emitTokens(got);
        if (r.emitted >= r.output - 1 - 1e-9) {
          r.lastTokenNs = now;
          e.release(r);
          complete(r);
        } else keep.push(r);
      }
      e.running = keep;
    }
    for (const r of e.batch) {
      r.prefillEndNs = now;
      // the first token is emitted once; a re-prefill emits nothing new
      if (r.firstTokenNs < 0) {
        r.firstTokenNs = now;
        emitTokens(1);
      }
      if (r.output <= 1 || r.emitted >= r.output - 1) {
        r.lastTokenNs = now;
        e.release(r);
        complete(r);
      } else e.running.push(r);
    }
    e.batch = [];
    const boundary = e.atBoundary;
    if (boundary !== undefined) {
      e.atBoundary = undefined;
      boundary();
      return;
    }
    if (e.stopped) return;
    if (!e.accepting && e.queue.length === 0 && e.running.length === 0) retire(e);
    else tryRun(e);
  };

  const retire = (e: Engine): void => {
    bill();
    touch();
    e.stopped = true;
    engines = engines.filter((x) => x !== e);
    for (const r of e.ranks) if (!engines.some((x) => x.ranks.includes(r))) release(r);
    // a colocated scaling waits for the copy retiring on its dies (a die holds at most two copies)
    pump();
  };

  // ---- scaling ----
  let p2pInFlight = 0;
  /** Engines that count as the deployment: all but a retired-to-be copy draining its last sequences (baselines, horizontal scale-down). */
  const deployed = (): Engine[] => engines.filter((e) => e.accepting || e.stopped);
  const deployedDp = (): number => deployed().reduce((a, e) => a + e.layout.dp, 0);
  // scalings due (scheduled events, coordinator decisions) wait for the one in progress to end (one at a
  // time), and a colocated one for the copy retiring on its dies, then start in order
  const deferred: number[] = [];
  const pump = (): void => {
    while (scaling === undefined && deferred.length > 0) {
      if (cfg.strategy === "colocated" && engines.some((e) => !e.accepting && !e.stopped)) return;
      startScaling(deferred.shift()!);
    }
  };
  const startScaling = (toDp: number): void => {
    if (scaling !== undefined) return;
    const cur = deployedDp();
    if (toDp === cur) return;
    const up = toDp > cur;
    const serving = deployed();
    const old = serving[serving.length - 1]!;
    const strategy = cfg.strategy === "horizontal" && !up && serving.length === 1 ? "cold_restart" : cfg.strategy;
    const newLayout = s.layoutOf(strategy === "horizontal" ? Math.abs(toDp - cur) : toDp);
    // with zero-copy the dies that stay keep their weights resident and load only what they lack
    const resident = strategy === "elastic" && cfg.mechanisms.zero_copy;
    const plan: ScalingPlan = scalingPlan(strategy, cfg.mechanisms, up, weightsToLoadPerDie(resident, up, newLayout.weightBytesPerDie, old.layout.weightBytesPerDie));
    bill();
    touch();
    // dies of the new instance (the old layout's EP ranks keep their positions: a die that stays keeps its shard)
    let ranks: number[];
    if (strategy === "horizontal") ranks = up ? take(newLayout.dies) : old.ranks;
    else if (plan.freshDies) ranks = take(newLayout.dies);
    else if (up) ranks = [...old.ranks, ...take(newLayout.dies - old.ranks.length)];
    else ranks = old.ranks.slice(0, newLayout.dies);
    for (const r of ranks) held.add(r);
    const rec: ScalingRecord = {
      kind: up ? "up" : "down",
      fromDp: cur,
      toDp,
      startNs: sim.now,
      endNs: -1,
      downtimeNs: 0,
      p2pNs: 0,
      p2pBytesPerDie: 0,
      components: [],
      peakMemoryBytes: 0,
      runningAtSwitch: 0,
      requeued: 0,
      dropped: 0,
      newKvTokensPerReplica: newLayout.kvTokensPerReplica,
      kvMovedBytes: 0,
    };
    scaling = rec;
    // colocated: the serving copy gives up part of its KV pool (kept reduced until it retires)
    if (plan.during === "old_reduced_kv") old.kvFraction = cfg.colocated_kv_fraction;
    // HBM held on each die by the configurations already there: weights, comm buffers, KV pool kept
    const perDie = new Map<number, number>();
    for (const e of engines) for (const r of e.ranks) perDie.set(r, (perDie.get(r) ?? 0) + e.bytesPerDie);
    let oldBytes = 0;
    for (const b of perDie.values()) oldBytes += b;
    const startsInstance = !(strategy === "horizontal" && !up);
    if (plan.during !== "none" && strategy !== "elastic" && startsInstance) {
      // a second instance beside a serving one (colocated; fresh dies for horizontal and extravagant)
      // sizes its KV pool from the HBM left on its fullest die — as the config check does
      let fullest = 0;
      for (const r of ranks) fullest = Math.max(fullest, perDie.get(r) ?? 0);
      rec.newKvTokensPerReplica = kvPoolBesideTokens(newLayout, fullest);
      const one = cfg.load.input_tokens + cfg.load.output_tokens;
      // the config check (elastic.ts colocatedKvProblems) refuses this along the same scalings
      if (rec.newKvTokensPerReplica < one) throw new Error(`elastic: ${strategy} dp ${cur} → ${toDp} left the new copy a KV pool of ${rec.newKvTokensPerReplica} tokens per replica, less than one request (${one} tokens), which the config check should have refused`);
    }
    const newBytes = configBytesPerDie(newLayout, rec.newKvTokensPerReplica);
    // peak memory, summed over dies: both configurations where they coexist; a cold restart frees the old
    // one first; with zero-copy a die that stays holds the old configuration and the weights it receives
    // until the switch remaps its pools to the new one, a joining die the new configuration, a leaving die
    // the old one until the switch (the IPC/no-IPC memory difference is not modelled)
    if (plan.during === "none") rec.peakMemoryBytes = Math.max(oldBytes, ranks.length * newBytes);
    else if (strategy === "elastic") {
      const incoming = Math.max(0, newLayout.weightBytesPerDie - old.layout.weightBytesPerDie);
      const inNew = new Set(ranks);
      let peak = 0;
      for (const [r, b] of perDie) peak += inNew.has(r) ? Math.max(b + incoming, newBytes) : b;
      for (const r of ranks) if (!perDie.has(r)) peak += newBytes;
      rec.peakMemoryBytes = peak;
    } else rec.peakMemoryBytes = oldBytes + (startsInstance ? ranks.length * newBytes : 0);
    if (plan.during === "none") {
      old.stopped = true;
      old.accepting = false;
    }
    if (emit) hooks.emit("span", { start: sim.now, dur: 0, kind: "scaling", where: `elastic/scaling`, what: `${cfg.strategy} dp ${cur} → ${toDp} start`, attrs: { from: cur, to: toDp } });

    /** After a cold restart's tear-down the dies the new instance does not use are free. */
    const releaseStopped = (): void => {
      bill();
      for (const r of old.ranks) if (!ranks.includes(r)) release(r);
      next();
    };
    let i = 0;
    const next = (): void => {
      if (i >= plan.components.length) {
        finish();
        return;
      }
      const c = plan.components[i++]!;
      const t0 = sim.now;
      if (c.name !== "weights_p2p") {
        rec.components.push({ name: c.name, s: c.ns / 1e9 });
        if (emit) hooks.emit("span", { start: t0, dur: c.ns, kind: "scaling", where: `elastic/scaling/${c.name}`, what: c.name, attrs: {} });
        sim.schedule(c.ns, c.name === "process_stop" ? releaseStopped : next);
        return;
      }
      // P2P: each expert from a die that holds it, a joining die's non-expert shard from a die of its TP rank (p2p-plan.ts)
      const ts = p2pTransfers(old.layout, old.ranks, newLayout, ranks, tp);
      const into = new Map<number, number>();
      for (const t of ts) into.set(t.dst, (into.get(t.dst) ?? 0) + t.bytes);
      const perDst = Math.max(0, ...into.values());
      rec.p2pBytesPerDie = perDst;
      p2pInFlight++;
      // steps already running keep sending their remaining expert all-to-all bytes during the copy
      for (const e of engines) {
        if (!e.busy || e.stepEndNs <= t0) continue;
        a2a(e, (e.stepTokens * (e.stepEndNs - t0)) / (e.stepEndNs - e.stepStartNs));
      }
      net.runGroup(ts, sim.now, (endNs) => {
        p2pInFlight--;
        const dur = Math.max(0, Math.round(endNs) - t0);
        rec.p2pNs = dur;
        rec.components.push({ name: c.name, s: dur / 1e9 });
        if (emit) hooks.emit("span", { start: t0, dur, kind: "scaling", where: "elastic/scaling/weights_p2p", what: "weights_p2p", attrs: { bytes_per_die: perDst } });
        next();
      }, fabric);
    };
    /** The new configuration is ready; a zero-copy switch waits for the old engine's step in flight (its tokens and prefills are kept), the scaling ends at the switch. */
    const finish = (): void => {
      bill();
      touch();
      // a cold restart serves nothing from its start until the new instance is ready (it switches at once)
      if (plan.during === "none") rec.downtimeNs = sim.now - rec.startNs;
      const ne = new Engine(newLayout, ranks, maxBatchOf(newLayout), rec.newKvTokensPerReplica);
      if (!plan.keepsKv) switchTo(ne, []);
      else if (old.busy) old.atBoundary = () => switchWhenFits(ne);
      else switchWhenFits(ne);
    };
    /**
     * Zero-copy, at a step boundary of the old engine: once its running sequences fit the new layout's KV
     * pools (a scale-down's remaining replicas hold less: fewer replicas, more weights per die) the old
     * engine stops and the KV of the sequences of removed replicas is copied to their new replica, die to
     * die of the same TP rank, over the fabric; then the new engine runs them (no re-prefill). Until they
     * fit, the old engine admits nothing and decodes, one step at a time.
     */
    const switchWhenFits = (ne: Engine): void => {
      const at = ne.placement(old.running);
      if (at === undefined) {
        old.holding = true;
        tryRun(old);
        old.atBoundary = () => switchWhenFits(ne);
        return;
      }
      const ts: Transfer[] = [];
      old.running.forEach((r, i) => {
        if (at[i] === r.decodeReplica) return;
        const bytes = (r.input + Math.floor(r.emitted)) * old.layout.kvBytesPerTokenPerDie;
        for (let t = 0; t < tp; t++) ts.push({ src: old.ranks[r.decodeReplica * tp + t]!, dst: ranks[at[i]! * tp + t]!, bytes });
      });
      if (ts.length === 0) {
        switchTo(ne, at);
        return;
      }
      touch();
      old.stopped = true;
      old.accepting = false;
      const t0 = sim.now;
      for (const t of ts) rec.kvMovedBytes += t.bytes;
      net.runGroup(ts, t0, (endNs) => {
        const dur = Math.max(0, Math.round(endNs) - t0);
        rec.components.push({ name: "kv_move", s: dur / 1e9 });
        // nothing decodes while the KV crosses
        rec.downtimeNs += dur;
        if (emit) hooks.emit("span", { start: t0, dur, kind: "scaling", where: "elastic/scaling/kv_move", what: "kv_move", attrs: { bytes: rec.kvMovedBytes } });
        switchTo(ne, at);
      }, fabric);
    };
    /** The new engine takes over; `at` = the replica of each running sequence of the old engine on the new one (zero-copy). */
    const switchTo = (ne: Engine, at: readonly number[]): void => {
      bill();
      touch();
      rec.endNs = sim.now;
      if (strategy === "horizontal") {
        if (up) engines.push(ne);
        else {
          old.accepting = false;
          for (const r of old.queue.splice(0)) pending.push(r);
          if (!old.busy && old.running.length === 0) retire(old);
        }
      } else {
        const moved = old.queue.splice(0);
        rec.runningAtSwitch = old.running.length;
        if (plan.keepsKv) {
          // zero-copy, at a step boundary of the old engine: running sequences continue on the new layout
          // with their KV (no re-prefill)
          old.running.forEach((r, i) => ne.adopt(r, at[i]!));
          ne.running = old.running;
          old.running = [];
          old.stopped = true;
          old.accepting = false;
          engines = engines.filter((x) => x !== old);
        } else if (plan.during === "none") {
          // cold restart: what was running (or in the stopped step) is requeued for re-prefill or dropped
          const lost = [...old.batch, ...old.running];
          old.running = [];
          old.batch = [];
          engines = engines.filter((x) => x !== old);
          for (const r of lost) {
            if (cfg.on_restart === "drop") {
              rec.dropped++;
              drop(r);
            } else {
              requeue(r); // scaling is rec until the switch completes
              moved.unshift(r);
            }
          }
        } else {
          // baselines: the old instance finishes its running sequences in the KV it kept, then its dies are released
          old.accepting = false;
        }
        if (old.stopped) for (const r of old.ranks) if (!ranks.includes(r)) release(r);
        engines.push(ne);
        for (const r of moved) ne.queue.push(r);
        if (!old.stopped && !old.busy && old.running.length === 0) retire(old);
        else if (!old.stopped) tryRun(old);
      }
      while (pending.length > 0) route(pending.shift()!);
      for (const e of engines) tryRun(e);
      scalings.push(rec);
      scaling = undefined;
      lastScaleEndNs = sim.now;
      if (emit) hooks.emit("span", { start: rec.startNs, dur: rec.endNs - rec.startNs, kind: "scaling", where: "elastic/scaling", what: `${cfg.strategy} dp ${rec.fromDp} → ${rec.toDp}`, attrs: { downtime_s: rec.downtimeNs / 1e9 } });
      pump();
    };
    next();
  };

  // ---- scheduled events and the SLO coordinator ----
  const onEvent = (dp: number): void => {
    deferred.push(dp);
    pump();
  };
  for (const ev of scheduledEvents(cfg)) sim.scheduleAt(Math.round(ev.at_s * 1e9), (a) => onEvent(a as number), ev.dp);

  const winNs = Math.round(cfg.timeline_window_s * 1e9);
  const decNs = Math.round(cfg.scaling.window_s * 1e9);
  const decide = (): void => {
    if (accounted >= arrivals.length) return;
    touch();
    judgeOverdue();
    const judgedNow = dec.judged;
    const att = judgedNow > 0 ? dec.met / judgedNow : 1;
    // demand ÷ capacity over the window; no capacity (all engines down) is no evidence of low load
    const util = dec.capacityArea > 0 ? dec.demandArea / dec.capacityArea : 1;
    dec.judged = dec.met = dec.demandArea = dec.capacityArea = 0;
    const cur = deployedDp();
    const inProgress = scaling !== undefined || deferred.length > 0;
    let action: ElasticDecision["action"] = inProgress ? "scaling" : "hold";
    if (!inProgress && sim.now - lastScaleEndNs >= cfg.scaling.cooldown_s * 1e9) {
      if (att < cfg.scaling.up_threshold && cur < cfg.to.dp) {
        action = "scale_up";
        onEvent(cfg.to.dp);
      } else if (util < cfg.scaling.down_utilisation && cur > cfg.from.dp) {
        if (++lowWindows >= cfg.scaling.down_windows) {
          lowWindows = 0;
          action = "scale_down";
          onEvent(cfg.from.dp);
        }
      } else lowWindows = 0;
    } else if (!inProgress) action = "cooldown";
    decisions.push({ t_s: sim.now / 1e9, judged: judgedNow, slo_attainment: att, utilisation: util, dp: cur, action });
    sim.schedule(decNs, decide);
  };

  /** Records the window that ends now (or, for the last, partial one, at `partialEndNs`: its rate over the part the run covered). */
  const sample = (partialEndNs?: number): void => {
    const { endS, spanS: w } = timelineWindow(timeline.length, cfg.timeline_window_s, partialEndNs);
    timeline.push({
      t_s: endS,
      arrivals: win.arrivals,
      completed: win.completed,
      slo_attainment: win.completed > 0 ? win.met / win.completed : null,
      output_tokens_per_s: win.outTok / w,
      dies: held.size,
      dp: engines.reduce((a, e) => a + (e.accepting ? e.layout.dp : 0), 0),
      scaling: scaling !== undefined,
    });
    win.arrivals = win.completed = win.met = win.outTok = 0;
    if (partialEndNs === undefined && accounted < arrivals.length) sim.schedule(winNs, sample);
  };

  const onArrival = (arg: unknown): void => {
    const i = arg as number;
    const r = newRequest(i, arrivals[i]!);
    r.queuedNs = sim.now;
    reqs.push(r);
    win.arrivals++;
    if (i + 1 < arrivals.length) sim.scheduleAt(arrivals[i + 1]!.atNs, onArrival, i + 1);
    route(r);
  };
  if (arrivals.length > 0) {
    sim.scheduleAt(arrivals[0]!.atNs, onArrival, 0);
    sim.schedule(winNs, sample);
    if (cfg.scaling.policy === "slo") sim.schedule(decNs, decide);
  }
  const last = arrivals.length > 0 ? arrivals[arrivals.length - 1]!.atNs : 0;
  const stopAt = Math.max(last, ...scheduledEvents(cfg).map((e) => Math.round(e.at_s * 1e9))) + Math.round(cfg.drain_s * 1e9);
  sim.run(stopAt);
  bill();
  // the last, partial window: a run cut by the drain limit, or one shorter than a window (a run has at least one row)
  if (partialWindowPending(timeline.length, win.arrivals + win.completed, sim.now, winNs)) sample(sim.now);
  let unfinished = pending.length;
  for (const e of engines) unfinished += e.queue.length + e.batch.length + e.running.length;
  return {
    requests: reqs,
    scalings,
    timeline,
    decisions,
    dieSeconds: dieNs / 1e9,
    npuSeconds: dieNs / s.ranksPerNpu / 1e9,
    emitted: { t: tokT, cum: tokCum },
    billedUntilNs: Math.min(sim.now, billUntil),
    endNs: sim.now,
    rejected,
    unfinished,
    requeued: requeuedTotal,
    reprefillTokens: reprefill,
  };
}
