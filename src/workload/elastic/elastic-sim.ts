import { InputError } from "../../config/errors.js";
import { partialWindowPending, timelineWindow } from "../serving/timeline-window.js";
import type { Hooks, Simulator } from "../../engine/index.js";
import type { NetworkModel, Transfer } from "../../network/network-model.js";
import type { SimEvents } from "../../trace/span.js";
import type { Arrival, Request } from "../serving/request.js";
import { meetsSlo, newRequest } from "../serving/request.js";
import type { DecodeCost, PrefillCost } from "../serving/step-cost.js";
import { ACTIVATION_RESERVE_FRACTION } from "../serving/step-cost.js";
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

/** Step costs and sizes of one layout (dp at fixed tp). */
export interface LayoutCost {
  readonly dp: number;
  readonly dies: number;
  readonly prefill: PrefillCost;
  readonly decode: DecodeCost;
  /** Weights the busiest die of this layout holds, B. */
  readonly weightBytesPerDie: number;
  /** MoE communication buffers of one die, B. */
  readonly buffersBytesPerDie: number;
  /** HBM of one die, B. */
  readonly hbmBytesPerDie: number;
  /** KV bytes of one token of one sequence held on one die of its replica, B. */
  readonly kvBytesPerTokenPerDie: number;
  /** Expert all-to-all bytes per token of a step (decode or prefill) over all MoE layers (dispatch + combine), B. */
  readonly a2aBytesPerToken: number;
}

/** An engine serving requests on a set of dies. */
class Engine {
  readonly queue: Request[] = [];
  running: Request[] = [];
  kvReserved = 0;
  busy = false;
  stopped = false;
  accepting = true;
  kvFraction = 1;
  busyNs = 0;
  batch: Request[] = [];
  decodingNow = false;
  /** The step in progress: start and end, ns, and the tokens its expert all-to-all carries. */
  stepStartNs = 0;
  stepEndNs = 0;
  stepTokens = 0;
  /** KV pool per attention replica, tokens: serving's sizing, or what was left on shared dies (colocated). */
  readonly kvTokensPerReplica: number;
  constructor(readonly layout: LayoutCost, readonly ranks: number[], readonly maxBatch: number, kvTokensPerReplica?: number) {
    this.kvTokensPerReplica = kvTokensPerReplica ?? layout.decode.kvTokensPerReplica;
  }
  get kvCapacity(): number {
    return this.kvTokensPerReplica * this.layout.decode.dp * this.kvFraction;
  }
  /** HBM this engine holds on each of its dies: weights, comm buffers and the KV pool it keeps, B. */
  get bytesPerDie(): number {
    return this.layout.weightBytesPerDie + this.layout.buffersBytesPerDie + this.kvTokensPerReplica * this.layout.kvBytesPerTokenPerDie * this.kvFraction;
  }
}

/** One scaling operation as it happened. */
export interface ScalingRecord {
  kind: "up" | "down";
  fromDp: number;
  toDp: number;
  startNs: number;
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
  /** End of that billing window, ns. */
  readonly billedUntilNs: number;
  readonly endNs: number;
  readonly rejected: number;
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
  const ranksPerNpu = 2;
  const maxBatchOf = (l: LayoutCost): number => Math.max(1, Math.floor((cfg.max_batch_per_npu * l.dies) / ranksPerNpu));
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
    // a pool shrunk under its reservations (colocated: the serving copy gives up KV to the loading one)
    // preempts its newest sequences at the step boundary; they are re-prefilled later (vLLM's recompute)
    while (e.kvReserved > e.kvCapacity && e.running.length > 0) {
      const r = e.running.pop()!;
      e.kvReserved -= r.input + r.output;
      requeue(r);
      e.queue.unshift(r);
    }
    e.batch = [];
    const work: number[] = [];
    const workMulti: number[] = [];
    let tokens = 0;
    const budget = cfg.token_budget * e.layout.dp;
    while (e.queue.length > 0 && tokens < budget) {
      const r = e.queue[0]!;
      if (e.running.length + e.batch.length >= e.maxBatch || e.kvReserved + r.input + r.output > e.kvCapacity) break;
      // a re-prefill (recompute after preemption or a restart) runs the prompt and the tokens generated so far
      const len = r.input + Math.floor(r.emitted);
      if (tokens > 0 && tokens + len > budget) break;
      e.queue.shift();
      e.kvReserved += r.input + r.output;
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
      let kv = 0;
      for (const r of e.running) kv += r.input + r.emitted;
      const n = e.running.length;
      dur = e.layout.decode.stepNs(Math.ceil(n / e.layout.decode.dp), kv / n);
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
        win.outTok += got;
        if (r.emitted >= r.output - 1 - 1e-9) {
          r.lastTokenNs = now;
          e.kvReserved -= r.input + r.output;
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
        win.outTok += 1;
      }
      if (r.output <= 1 || r.emitted >= r.output - 1) {
        r.lastTokenNs = now;
        e.kvReserved -= r.input + r.output;
        complete(r);
      } else e.running.push(r);
    }
    e.batch = [];
    if (e.stopped) return;
    if (!e.accepting && e.queue.length === 0 && e.running.length === 0) retire(e);
    else tryRun(e);
  };

  const retire = (e: Engine): void => {
    bill();
    touch();
    e.stopped = true;
    engines = engines.filter((x) => x !== e);
    for (const r of e.ranks) if (!engines.some((x) => x.ranks.includes(r))) {
      held.delete(r);
      freeRanks.push(r);
    }
  };

  // ---- scaling ----
  let p2pInFlight = 0;
  /** Starts the next scheduled event that came due during the scaling that just ended (set below). */
  let startDeferred = (): void => {};
  const startScaling = (toDp: number): void => {
    if (scaling !== undefined) return;
    const cur = engines.reduce((a, e) => a + e.layout.dp, 0);
    if (toDp === cur) return;
    const up = toDp > cur;
    const old = engines[engines.length - 1]!;
    const strategy = cfg.strategy === "horizontal" && !up && engines.length === 1 ? "cold_restart" : cfg.strategy;
    const newLayout = s.layoutOf(strategy === "horizontal" ? Math.abs(toDp - cur) : toDp);
    // with zero-copy the dies that stay keep their weights resident and load only what they lack
    const resident = strategy === "elastic" && cfg.mechanisms.zero_copy;
    const plan: ScalingPlan = scalingPlan(strategy, cfg.mechanisms, up, weightsToLoadPerDie(resident, up, newLayout.weightBytesPerDie, old.layout.weightBytesPerDie));
    bill();
    touch();
    // dies of the new instance
    let ranks: number[];
    if (strategy === "horizontal") ranks = up ? take(newLayout.dies) : old.ranks;
    else if (plan.freshDies) ranks = take(newLayout.dies);
    else if (up) ranks = [...old.ranks, ...take(newLayout.dies - old.ranks.length)];
    else ranks = old.ranks.slice(0, newLayout.dies);
    const newRanks = ranks.filter((r) => !held.has(r));
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
      newKvTokensPerReplica: newLayout.decode.kvTokensPerReplica,
    };
    scaling = rec;
    // colocated: the serving copy gives up part of its KV pool (kept reduced until it retires)
    if (plan.during === "old_reduced_kv") old.kvFraction = cfg.colocated_kv_fraction;
    // HBM held on each die by the configurations already there: weights, comm buffers, KV pool kept
    const perDie = new Map<number, number>();
    for (const e of engines) for (const r of e.ranks) perDie.set(r, (perDie.get(r) ?? 0) + e.bytesPerDie);
    let oldBytes = 0;
    for (const b of perDie.values()) oldBytes += b;
    const newFixed = newLayout.weightBytesPerDie + newLayout.buffersBytesPerDie;
    const startsInstance = !(strategy === "horizontal" && !up);
    if (plan.during !== "none" && strategy !== "elastic" && startsInstance) {
      // a second instance beside a serving one sizes its KV pool from the HBM left on its fullest die
      // (one pool size for all ranks: vLLM takes the minimum over its workers), within the same
      // activation reserve serving keeps
      const usable = newLayout.hbmBytesPerDie * (1 - ACTIVATION_RESERVE_FRACTION);
      let left = Infinity;
      for (const r of ranks) left = Math.min(left, usable - (perDie.get(r) ?? 0) - newFixed);
      rec.newKvTokensPerReplica = Math.min(newLayout.decode.kvTokensPerReplica, Math.max(0, Math.floor(left / newLayout.kvBytesPerTokenPerDie)));
      if (rec.newKvTokensPerReplica * newLayout.decode.dp < cfg.load.input_tokens + cfg.load.output_tokens) {
        // the config check (elastic.ts colocatedKvProblems) refuses this along the scalings it foresees
        const pool = rec.newKvTokensPerReplica * newLayout.decode.dp;
        throw new InputError([{ path: "workload.colocated_kv_fraction", message: `${strategy} dp ${cur} → ${toDp}: expected HBM for the new copy's KV pool of at least one request (${cfg.load.input_tokens + cfg.load.output_tokens} tokens), got room for ${pool} tokens; lower colocated_kv_fraction` }]);
      }
    }
    const newBytes = newFixed + rec.newKvTokensPerReplica * newLayout.kvBytesPerTokenPerDie;
    // peak memory, summed over dies: both configurations where they coexist; a cold restart frees the
    // old one first and zero-copy remaps the old pools (the IPC/no-IPC memory difference is not modelled)
    if (plan.during === "none" || strategy === "elastic") rec.peakMemoryBytes = Math.max(oldBytes, ranks.length * newBytes);
    else rec.peakMemoryBytes = oldBytes + (startsInstance ? ranks.length * newBytes : 0);
    if (plan.during === "none") {
      old.stopped = true;
      old.accepting = false;
    }
    if (emit) hooks.emit("span", { start: sim.now, dur: 0, kind: "scaling", where: `elastic/scaling`, what: `${cfg.strategy} dp ${cur} → ${toDp} start`, attrs: { from: cur, to: toDp } });

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
        sim.schedule(c.ns, next);
        return;
      }
      // P2P: one HCCL send/recv pair per receiving die, from a die that holds the weights (round robin)
      const srcs = up ? old.ranks : old.ranks.filter((r) => !ranks.includes(r));
      const dsts = up ? newRanks : ranks;
      const perDst = weightsToLoadPerDie(true, up, newLayout.weightBytesPerDie, old.layout.weightBytesPerDie);
      rec.p2pBytesPerDie = perDst;
      const ts: Transfer[] = [];
      dsts.forEach((d, k) => ts.push({ src: srcs[k % srcs.length]!, dst: d, bytes: perDst }));
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
    const finish = (): void => {
      bill();
      touch();
      rec.endNs = sim.now;
      if (plan.during === "none") rec.downtimeNs = rec.endNs - rec.startNs;
      const ne = new Engine(newLayout, ranks, maxBatchOf(newLayout), rec.newKvTokensPerReplica);
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
          // zero-copy: running sequences continue on the new layout with their KV (no re-prefill)
          ne.running = old.running;
          for (const r of ne.running) ne.kvReserved += r.input + r.output;
          old.running = [];
          if (old.busy) {
            // the step in flight finishes on the old layout; its prefill batch joins the new engine's queue start
            for (const r of old.batch) {
              old.kvReserved -= r.input + r.output;
              r.prefillStartNs = -1;
              moved.unshift(r);
            }
            old.batch = [];
            old.decodingNow = false;
          }
          old.stopped = true;
          old.accepting = false;
          old.busy = false;
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
        for (const r of old.ranks) if (!ranks.includes(r) && (old.stopped || plan.keepsKv)) {
          held.delete(r);
          freeRanks.push(r);
        }
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
      startDeferred();
    };
    next();
  };

  // ---- scheduled events and the SLO coordinator ----
  // an event due while a scaling is in progress waits for it to end (one scaling at a time), then starts
  const deferred: number[] = [];
  const onEvent = (dp: number): void => {
    if (scaling !== undefined) deferred.push(dp);
    else startScaling(dp);
  };
  startDeferred = () => {
    const dp = deferred.shift();
    if (dp !== undefined) startScaling(dp);
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
    const cur = engines.reduce((a, e) => a + e.layout.dp, 0);
    let action: ElasticDecision["action"] = scaling !== undefined ? "scaling" : "hold";
    if (scaling === undefined && sim.now - lastScaleEndNs >= cfg.scaling.cooldown_s * 1e9) {
      if (att < cfg.scaling.up_threshold && cur < cfg.to.dp) {
        action = "scale_up";
        startScaling(cfg.to.dp);
      } else if (util < cfg.scaling.down_utilisation && cur > cfg.from.dp) {
        if (++lowWindows >= cfg.scaling.down_windows) {
          lowWindows = 0;
          action = "scale_down";
          startScaling(cfg.from.dp);
        }
      } else lowWindows = 0;
    } else if (scaling === undefined) action = "cooldown";
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
  return { requests: reqs, scalings, timeline, decisions, dieSeconds: dieNs / 1e9, billedUntilNs: Math.min(sim.now, billUntil), endNs: sim.now, rejected, requeued: requeuedTotal, reprefillTokens: reprefill };
}
