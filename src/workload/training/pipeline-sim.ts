import type { Simulator } from "../../engine/index.js";
import type { Hooks } from "../../engine/index.js";
import type { SimEvents } from "../../trace/span.js";
import { stageOrder, type StageTask } from "./schedule.js";
import { COMM_KIND_NAMES, SEG, type TaskSegments } from "./stage-costs.js";

/*
 * The pipeline of one DP replica on the engine. Each stage has a compute stream, a communication stream
 * (TP, EP, CP collectives and PP sends), a DP stream (gradient reduce-scatter, parameter all-gather)
 * and a host-swap stream. A task (F or B of one micro-batch on one chunk) runs its segments in order,
 * each on its stream, FIFO. A task starts when its input is there (the previous virtual stage's F, or
 * the next one's B) and, without overlap, when the stage's previous task has finished; with `overlap`
 * (adaptive pipe overlap) two tasks may be in flight, so the communication of one runs under the
 * compute of the other. DP: the reduce-scatter of a chunk's gradients starts when the chunk's last
 * backward ends (overlapping the remaining backward), then (first and last stage of a shared embedding)
 * the embedding-group all-reduce, the optimizer step and the parameter all-gather of the stage.
 */

/** Inputs of the pipeline simulation. */
export interface PipelineSpec {
  readonly schedule: "gpipe" | "1f1b" | "interleaved";
  readonly pp: number;
  readonly vpp: number;
  readonly microBatches: number;
  readonly overlap: boolean;
  /** Segments of F and B of virtual stage v = chunk·pp + stage. */
  readonly F: readonly TaskSegments[];
  readonly B: readonly TaskSegments[];
  /** Host swap per micro-batch of virtual stage v: out after F, in before B, ns (0 = none). */
  readonly swapNs: readonly number[];
  /** DP reduce-scatter of chunk c of stage s, at index v, ns. */
  readonly dpReduceScatterNs: readonly number[];
  /** Embedding-group gradient all-reduce of stage s after its DP reduce-scatters (first and last stage of a tied or MTP embedding; absent or 0: none), ns. */
  readonly embeddingAllReduceNs?: readonly number[];
  /** Optimizer step of stage s, ns. */
  readonly optimizerNs: readonly number[];
  /** DP parameter all-gather of stage s, ns. */
  readonly dpAllGatherNs: readonly number[];
  /** Emit spans with this prefix on `where` (undefined: no spans). */
  readonly spans?: { readonly hooks: Hooks<SimEvents>; readonly prefix: string };
}

/** What the pipeline simulation measured. */
export interface PipelineResult {
  /** Step time: first task start to the last stage's parameter all-gather, ns. */
  readonly stepNs: number;
  /** End of the last backward (pipeline flush), ns. */
  readonly flushNs: number;
  /** Mean over stages of the idle fraction of [0, flush] (no task in flight). */
  readonly bubbleRatio: number;
  /** Mean over stages of the communication time not hidden under compute, by kind, ns. */
  readonly exposedNs: Record<string, number>;
  /** Mean over stages of the communication time, by kind, ns. */
  readonly totalCommNs: Record<string, number>;
}

const STREAM_COMPUTE = 0;
const STREAM_COMM = 1;
const STREAM_DP = 2;
const STREAM_SWAP = 3;
/** Extra kinds recorded on the DP and swap streams. */
const KIND_DP = COMM_KIND_NAMES.length;
const KIND_SWAP = KIND_DP + 1;
const KIND_NAMES = [...COMM_KIND_NAMES, "dp", "swap"];

interface Job {
  stage: number;
  stream: number;
  dur: number;
  kind: number;
  label: string;
  /** Priority on its stream: the task's position in the stage's schedule (lower runs first). */
  prio: number;
  done: (end: number) => void;
}

interface Stream {
  busy: boolean;
  running: Job | undefined;
  runStart: number;
  runEnd: number;
  runId: number;
  /** Waiting jobs (a handful at most: one per task in flight, plus DP/swap work). */
  queue: Job[];
}

/**
 * Runs one step of the pipeline on `sim` from its current time and returns its measurements, relative
 * to that start (exact mode runs every expert-DP replica's step one after another on one simulator).
 */
export function simulatePipeline(sim: Simulator, spec: PipelineSpec): PipelineResult {
  const { pp, vpp, microBatches: m } = spec;
  const origin = sim.now;
  const V = pp * vpp;
  const orders: StageTask[][] = [];
  for (let s = 0; s < pp; s++) orders.push(stageOrder(spec.schedule, s, pp, vpp, m));
  const fDone = new Uint8Array(V * m);
  const bDone = new Uint8Array(V * m);
  const swapInDone = new Uint8Array(V * m);
  const next = new Int32Array(pp);
  const inFlight = new Int32Array(pp);
  const busyStart = new Float64Array(pp);
  const busyTotal = new Float64Array(pp);
  const lastB = new Float64Array(pp);
  const bLeft = new Int32Array(V).fill(m);
  const rsLeft = new Int32Array(pp).fill(vpp);
  const stepEnd = new Float64Array(pp);
  const streams: Stream[][] = [];
  // intervals for exposure: compute per stage, comm per stage per kind
  const computeIv: number[][] = [];
  const commIv: number[][][] = [];
  for (let s = 0; s < pp; s++) {
    streams.push([0, 1, 2, 3].map(() => ({ busy: false, running: undefined, runStart: 0, runEnd: 0, runId: -1, queue: [] as Job[] })));
    computeIv.push([]);
    commIv.push(KIND_NAMES.map(() => []));
  }
  const maxInFlight = spec.overlap ? 2 : 1;
  const spans = spec.spans;

  const record = (job: Job, t0: number, t1: number): void => {
    if (t1 <= t0) return;
    if (job.kind === SEG.compute) computeIv[job.stage]!.push(t0, t1);
    else commIv[job.stage]![job.kind]!.push(t0, t1);
    if (spans !== undefined) {
      const where = `${spans.prefix}stage${job.stage}/${job.stream === STREAM_COMPUTE ? "compute" : job.stream === STREAM_COMM ? "comm" : job.stream === STREAM_DP ? "dp" : "swap"}`;
      spans.hooks.emit("span", { start: t0, dur: t1 - t0, kind: "train", where, what: job.label, attrs: { comm: KIND_NAMES[job.kind]! } });
    }
  };
  const startJob = (st: Stream, job: Job): void => {
    st.busy = true;
    const t0 = sim.now;
    const end = t0 + Math.round(job.dur);
    st.running = job;
    st.runStart = t0;
    st.runEnd = end;
    st.runId = sim.scheduleAt(end, () => {
      record(job, t0, end);
      st.busy = false;
      st.running = undefined;
      if (st.queue.length > 0) startJob(st, popBest(st));
      job.done(end);
    });
  };
  const popBest = (st: Stream): Job => {
    // the earliest task of the schedule first: a later task only fills the stream while the earlier one communicates
    let best = 0;
    for (let q = 1; q < st.queue.length; q++) if (st.queue[q]!.prio < st.queue[best]!.prio) best = q;
    const nxt = st.queue[best]!;
    st.queue.splice(best, 1);
    return nxt;
  };
  const submit = (job: Job): void => {
    const st = streams[job.stage]![job.stream]!;
    if (!st.busy) {
      startJob(st, job);
      return;
    }
    const run = st.running!;
    if (spec.overlap && job.stream === STREAM_COMPUTE && job.prio < run.prio) {
      // operators are short next to a task: the earlier task takes the cores back at the next kernel boundary
      sim.cancel(st.runId);
      record(run, st.runStart, sim.now);
      run.dur = st.runEnd - sim.now;
      st.queue.push(run);
      startJob(st, job);
      return;
    }
    st.queue.push(job);
  };
  const streamOfKind = (k: number): number => (k === SEG.compute ? STREAM_COMPUTE : STREAM_COMM);

  const ready = (s: number, t: StageTask): boolean => {
    const v = t.chunk * pp + s;
    if (!t.backward) return v === 0 || fDone[(v - 1) * m + t.mb] === 1;
    if (spec.swapNs[v]! > 0 && swapInDone[v * m + t.mb] !== 1) return false;
    return v === V - 1 ? fDone[v * m + t.mb] === 1 : bDone[(v + 1) * m + t.mb] === 1;
  };

  const tryStart = (s: number): void => {
    const order = orders[s]!;
    while (next[s]! < order.length && inFlight[s]! < maxInFlight && ready(s, order[next[s]!]!)) {
      const t = order[next[s]!]!;
      next[s]!++;
      if (inFlight[s] === 0) busyStart[s] = sim.now;
      inFlight[s]!++;
      // prefetch the swap-in of the task after this one
      const after = order[next[s]!];
      if (after !== undefined && after.backward) issueSwapIn(s, after);
      runTask(s, t, next[s]! - 1);
    }
  };

  const issued = new Uint8Array(V * m);
  const issueSwapIn = (s: number, t: StageTask): void => {
    const v = t.chunk * pp + s;
    const ns = spec.swapNs[v]!;
    if (ns <= 0 || issued[v * m + t.mb] === 1) return;
    issued[v * m + t.mb] = 1;
    submit({ stage: s, stream: STREAM_SWAP, dur: ns, kind: KIND_SWAP, label: `swap-in mb${t.mb} v${t.chunk}`, prio: 0, done: () => {
      swapInDone[v * m + t.mb] = 1;
      tryStart(s);
    } });
  };

  const runTask = (s: number, t: StageTask, prio: number): void => {
    const v = t.chunk * pp + s;
    const segs = t.backward ? spec.B[v]! : spec.F[v]!;
    const tag = `${t.backward ? "B" : "F"} mb${t.mb} v${t.chunk}`;
    let i = 0;
    const step = (): void => {
      if (i === segs.dur.length) {
        finishTask(s, t, v);
        return;
      }
      const k = segs.kind[i]!;
      const label = spans === undefined ? "" : `${tag} ${segs.label[i]}`;
      const dur = segs.dur[i]!;
      i++;
      submit({ stage: s, stream: streamOfKind(k), dur, kind: k, label, prio, done: step });
    };
    step();
  };

  const finishTask = (s: number, t: StageTask, v: number): void => {
    inFlight[s]!--;
    if (inFlight[s] === 0) busyTotal[s]! += sim.now - busyStart[s]!;
    if (!t.backward) {
      fDone[v * m + t.mb] = 1;
      if (spec.swapNs[v]! > 0) {
        submit({ stage: s, stream: STREAM_SWAP, dur: spec.swapNs[v]!, kind: KIND_SWAP, label: `swap-out mb${t.mb} v${t.chunk}`, prio: 0, done: () => {
          // a backward whose swap-in was prefetched before the swap-out ended re-checks
          tryStart(s);
        } });
      }
      if (v < V - 1) tryStart((v + 1) % pp);
    } else {
      bDone[v * m + t.mb] = 1;
      lastB[s] = sim.now;
      if (--bLeft[v]! === 0) {
        submit({ stage: s, stream: STREAM_DP, dur: spec.dpReduceScatterNs[v]!, kind: KIND_DP, label: `DP reduce-scatter grads v${t.chunk}`, prio: 0, done: () => {
          if (--rsLeft[s]! === 0) {
            const optimize = (): void =>
              submit({ stage: s, stream: STREAM_COMPUTE, dur: spec.optimizerNs[s]!, kind: SEG.compute, label: "optimizer step", prio: 1e9, done: () => {
                submit({ stage: s, stream: STREAM_DP, dur: spec.dpAllGatherNs[s]!, kind: KIND_DP, label: "DP all-gather params", prio: 0, done: (e) => (stepEnd[s] = e) });
              } });
            const emb = spec.embeddingAllReduceNs?.[s] ?? 0;
            if (emb > 0) submit({ stage: s, stream: STREAM_DP, dur: emb, kind: KIND_DP, label: "embedding-group all-reduce grads", prio: 0, done: optimize });
            else optimize();
          }
        } });
      }
      if (v > 0) tryStart((v - 1 + pp) % pp);
    }
    tryStart(s);
  };

  for (let s = 0; s < pp; s++) tryStart(s);
  sim.run();
  for (let s = 0; s < pp; s++) {
    if (next[s] !== orders[s]!.length) throw new Error(`pipeline deadlock at stage ${s}, task ${next[s]} of ${orders[s]!.length}`);
  }
  let flush = 0;
  let stepNs = 0;
  for (let s = 0; s < pp; s++) {
    flush = Math.max(flush, lastB[s]! - origin);
    stepNs = Math.max(stepNs, stepEnd[s]! - origin);
  }
  let bubble = 0;
  for (let s = 0; s < pp; s++) bubble += flush > 0 ? 1 - busyTotal[s]! / flush : 0;
  const exposedNs: Record<string, number> = {};
  const totalCommNs: Record<string, number> = {};
  for (let k = 1; k < KIND_NAMES.length; k++) {
    let exp = 0;
    let tot = 0;
    for (let s = 0; s < pp; s++) {
      const r = exposure(commIv[s]![k]!, computeIv[s]!);
      exp += r.exposed;
      tot += r.total;
    }
    exposedNs[KIND_NAMES[k]!] = exp / pp;
    totalCommNs[KIND_NAMES[k]!] = tot / pp;
  }
  return { stepNs, flushNs: flush, bubbleRatio: bubble / pp, exposedNs, totalCommNs };
}

/** Time of the intervals `iv` (flat [start, end, …], sorted) not covered by the sorted disjoint `cover`, ns. */
function exposure(iv: readonly number[], cover: readonly number[]): { exposed: number; total: number } {
  let total = 0;
  let hidden = 0;
  let j = 0;
  for (let i = 0; i < iv.length; i += 2) {
    const a = iv[i]!;
    const b = iv[i + 1]!;
    total += b - a;
    while (j < cover.length && cover[j + 1]! <= a) j += 2;
    for (let k = j; k < cover.length && cover[k]! < b; k += 2) hidden += Math.max(0, Math.min(b, cover[k + 1]!) - Math.max(a, cover[k]!));
  }
  return { exposed: total - hidden, total };
}
