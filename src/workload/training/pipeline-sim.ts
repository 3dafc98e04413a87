import type { Simulator } from "../../engine/index.js";
import type { Hooks } from "../../engine/index.js";
import type { SimEvents } from "../../trace/span.js";
import { stageOrder, type StageTask } from "./schedule.js";
import { COMM_KIND_NAMES, SEG, type TaskSegments } from "./stage-costs.js";

/*
 * The pipeline of one DP replica on the engine. Each stage has a compute stream, a communication stream
 * (TP, EP, CP collectives and PP sends), a DP stream (gradient reduce-scatter, parameter all-gather)
 * and a host-swap stream. A task (F or B of one micro-batch on one chunk) runs its segments in order,
 * each on its stream. The compute, communication and DP streams run their jobs in a fixed program
 * order (the order the host issues the kernels, as CUDA/CANN streams do), never "first ready": every
 * start is then a max of sums of durations, so the step cannot get longer when a duration gets
 * shorter (a first-ready stream can: Graham's list-scheduling anomaly, up to ~40 ms on T2).
 * A task starts when its input is there (the previous virtual stage's F, or the next one's B) and the
 * stage's previous unit of work has finished. Without overlap a unit is one task. With `overlap`
 * (adaptive pipe overlap) each backward of the 1F1B steady state is fused with the forward that
 * follows it (at a stage with w warm-up forwards B(i) with F(i + w + 1), which does not depend on it; as
 * Megatron-core's combined 1F1B and DualPipe's overlapped chunks, from memory, unverified), their blocks
 * (a compute segment and the collectives after it) issued alternately in proportion to each task's block
 * count, so one's communication runs under the other's compute; warm-up forwards and cool-down
 * backwards run alone. DP: the reduce-scatter of a chunk's gradients is issued when the chunk's last
 * backward ends (overlapping the remaining backward), then (first and last stage of a shared embedding)
 * the embedding-group all-reduce, the optimizer step and the parameter all-gather of the stage. The
 * swap stream runs in program order too: task by task, the swap-in a backward prefetches when the task
 * before it starts, then a forward's swap-out when it ends; a backward waits for its swap-in.
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
  /** Host swap per micro-batch of virtual stage v: out after F, in before B (prefetched when the task before B starts), ns (0 = none). */
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
  /** Mean over stages of the idle fraction of [0, flush] (no F/B segment running on the stage). */
  readonly bubbleRatio: number;
  /** Mean over stages of the communication time not hidden under compute, by kind, ns. */
  readonly exposedNs: Record<string, number>;
  /** Mean over stages of the communication time, by kind, ns. */
  readonly totalCommNs: Record<string, number>;
  /** Backward + forward pairs the overlap fused, over all stages (0 without overlap, or with nothing to fuse), count. */
  readonly fusedPairs: number;
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
  done: (end: number) => void;
  /** A segment of an F or B task (counts against the bubble); DP, swap and optimizer work does not. */
  task?: boolean;
}

interface Stream {
  busy: boolean;
  /** Jobs by program position (submitted ones wait for their turn), and the next position. */
  program: (Job | undefined)[];
  pos: number;
}

/** A stage's program: which tasks run together, and each segment's position on its stream. */
interface StageProgram {
  /** Units in order: one task, or a fused backward + forward pair (task indices into the order). */
  units: number[][];
  /** Position of segment j of task i on its stream. */
  segPos: Int32Array[];
  /** Position of the optimizer step on the compute stream. */
  optimizerPos: number;
  /** Position of chunk c's DP reduce-scatter on the DP stream (chunks in the order their last backward is issued). */
  rsPos: Int32Array;
  /** Position of task i's copy on the swap stream (a forward's swap-out, a backward's swap-in; -1: none). */
  swapPos: Int32Array;
}

/** Whether adaptive pipe overlap fuses task i of a stage's order with the next one: a backward followed by a forward. */
function fusedWithNext(order: readonly StageTask[], i: number): boolean {
  return order[i]!.backward && i + 1 < order.length && !order[i + 1]!.backward;
}

/** Splits a task's segments into blocks: each compute segment with the collectives after it (leading collectives join the first). */
function blocksOf(segs: TaskSegments): number[][] {
  const blocks: number[][] = [[]];
  let computed = false; // the current block has its compute segment
  for (let j = 0; j < segs.dur.length; j++) {
    if (segs.kind[j] === SEG.compute) {
      if (computed) blocks.push([]);
      computed = true;
    }
    blocks[blocks.length - 1]!.push(j);
  }
  return blocks;
}

/**
 * The program of one stage: its units (with `overlap`, a steady-state backward fused with the forward
 * after it) and the static order of every segment on its stream. In a fused pair the two tasks'
 * blocks are interleaved by their relative position (block i of n at (i + ½)/n, the backward first on
 * a tie), independent of any duration. On the swap stream (tasks `swaps` says copy), task by task: the
 * swap-in of the next task if it is a backward (prefetched when this task starts), then this task's
 * swap-out if it is a forward (when it ends).
 */
function stageProgram(order: readonly StageTask[], segsOf: (t: StageTask) => TaskSegments, swaps: (t: StageTask) => boolean, overlap: boolean, vpp: number): StageProgram {
  const units: number[][] = [];
  for (let i = 0; i < order.length; i++) {
    if (overlap && fusedWithNext(order, i)) units.push([i, ++i]);
    else units.push([i]);
  }
  const segPos = order.map((t) => new Int32Array(segsOf(t).dur.length));
  const count = [0, 0];
  const lastBackward = new Int32Array(vpp).fill(-1);
  for (const u of units) {
    const issue: { key: number; task: number; segs: number[] }[] = [];
    for (const i of u) {
      const blocks = blocksOf(segsOf(order[i]!));
      blocks.forEach((b, k) => issue.push({ key: (k + 0.5) / blocks.length, task: i, segs: b }));
    }
    issue.sort((a, b) => a.key - b.key || a.task - b.task);
    for (const { task, segs } of issue) {
      const kinds = segsOf(order[task]!).kind;
      for (const j of segs) segPos[task]![j] = count[kinds[j] === SEG.compute ? STREAM_COMPUTE : STREAM_COMM]!++;
    }
    for (const i of u) if (order[i]!.backward) lastBackward[order[i]!.chunk] = i;
  }
  const chunks = Array.from({ length: vpp }, (_, c) => c).sort((a, b) => lastBackward[a]! - lastBackward[b]!);
  const rsPos = new Int32Array(vpp);
  chunks.forEach((c, k) => (rsPos[c] = k));
  const swapPos = new Int32Array(order.length).fill(-1);
  let copies = 0;
  for (let i = 0; i < order.length; i++) {
    const next = order[i + 1];
    if (next !== undefined && next.backward && swaps(next)) swapPos[i + 1] = copies++;
    if (!order[i]!.backward && swaps(order[i]!)) swapPos[i] = copies++;
  }
  return { units, segPos, optimizerPos: count[STREAM_COMPUTE]!, rsPos, swapPos };
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
  const programs: StageProgram[] = [];
  for (let s = 0; s < pp; s++) {
    const order = stageOrder(spec.schedule, s, pp, vpp, m);
    orders.push(order);
    programs.push(stageProgram(order, (t) => (t.backward ? spec.B : spec.F)[t.chunk * pp + s]!, (t) => spec.swapNs[t.chunk * pp + s]! > 0, spec.overlap, vpp));
  }
  const fDone = new Uint8Array(V * m);
  const bDone = new Uint8Array(V * m);
  const swapInDone = new Uint8Array(V * m);
  /** Per stage: the unit whose tasks may start, its tasks not yet finished, and which tasks have started. */
  const unit = new Int32Array(pp);
  const unitLeft = new Int32Array(pp);
  const started: Uint8Array[] = orders.map((o) => new Uint8Array(o.length));
  /** F/B segments running per stage, and since when the stage has had one. */
  const running = new Int32Array(pp);
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
    streams.push([0, 1, 2, 3].map(() => ({ busy: false, program: [] as (Job | undefined)[], pos: 0 })));
    computeIv.push([]);
    commIv.push(KIND_NAMES.map(() => []));
    unitLeft[s] = programs[s]!.units[0]?.length ?? 0;
  }
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
  const pump = (st: Stream): void => {
    if (st.busy) return;
    const job = st.program[st.pos];
    if (job === undefined) return;
    st.program[st.pos++] = undefined;
    st.busy = true;
    const t0 = sim.now;
    const end = t0 + Math.round(job.dur);
    if (job.task === true && running[job.stage]!++ === 0) busyStart[job.stage] = t0;
    sim.scheduleAt(end, () => {
      record(job, t0, end);
      if (job.task === true && --running[job.stage]! === 0) busyTotal[job.stage]! += end - busyStart[job.stage]!;
      st.busy = false;
      pump(st);
      job.done(end);
    });
  };
  /** Submits a job at program position `pos` of its stream (it runs when every earlier position has run). */
  const submit = (job: Job, pos: number): void => {
    const st = streams[job.stage]![job.stream]!;
    st.program[pos] = job;
    pump(st);
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
    const units = programs[s]!.units;
    if (unit[s]! >= units.length) return;
    for (const i of units[unit[s]!]!) {
      const t = order[i]!;
      if (started[s]![i] === 1 || !ready(s, t)) continue;
      started[s]![i] = 1;
      // prefetch the swap-in of the backward after this task
      const after = order[i + 1];
      if (after !== undefined && after.backward) issueSwapIn(s, after, i + 1);
      runTask(s, t, i);
    }
  };

  /** Submits the swap-in of backward `t`, task `index` of stage `s`. */
  const issueSwapIn = (s: number, t: StageTask, index: number): void => {
    const v = t.chunk * pp + s;
    const ns = spec.swapNs[v]!;
    if (ns <= 0) return;
    submit({ stage: s, stream: STREAM_SWAP, dur: ns, kind: KIND_SWAP, label: `swap-in mb${t.mb} v${t.chunk}`, done: () => {
      swapInDone[v * m + t.mb] = 1;
      tryStart(s);
    } }, programs[s]!.swapPos[index]!);
  };

  const runTask = (s: number, t: StageTask, index: number): void => {
    const v = t.chunk * pp + s;
    const segs = t.backward ? spec.B[v]! : spec.F[v]!;
    const pos = programs[s]!.segPos[index]!;
    const tag = `${t.backward ? "B" : "F"} mb${t.mb} v${t.chunk}`;
    let i = 0;
    const step = (): void => {
      if (i === segs.dur.length) {
        finishTask(s, t, v, index);
        return;
      }
      const k = segs.kind[i]!;
      const label = spans === undefined ? "" : `${tag} ${segs.label[i]}`;
      const dur = segs.dur[i]!;
      const p = pos[i]!;
      i++;
      submit({ stage: s, stream: streamOfKind(k), dur, kind: k, label, done: step, task: true }, p);
    };
    step();
  };

  const finishTask = (s: number, t: StageTask, v: number, index: number): void => {
    const prog = programs[s]!;
    if (--unitLeft[s]! === 0) {
      unit[s]!++;
      unitLeft[s] = prog.units[unit[s]!]?.length ?? 0;
    }
    if (!t.backward) {
      fDone[v * m + t.mb] = 1;
      // nothing waits for a swap-out: the swap-ins queued behind it wait their turn on the stream
      if (spec.swapNs[v]! > 0) submit({ stage: s, stream: STREAM_SWAP, dur: spec.swapNs[v]!, kind: KIND_SWAP, label: `swap-out mb${t.mb} v${t.chunk}`, done: () => {} }, prog.swapPos[index]!);
      if (v < V - 1) tryStart((v + 1) % pp);
    } else {
      bDone[v * m + t.mb] = 1;
      lastB[s] = sim.now;
      if (--bLeft[v]! === 0) {
        const emb = spec.embeddingAllReduceNs?.[s] ?? 0;
        submit({ stage: s, stream: STREAM_DP, dur: spec.dpReduceScatterNs[v]!, kind: KIND_DP, label: `DP reduce-scatter grads v${t.chunk}`, done: () => {
          if (--rsLeft[s]! === 0) {
            const optimize = (): void =>
              submit({ stage: s, stream: STREAM_COMPUTE, dur: spec.optimizerNs[s]!, kind: SEG.compute, label: "optimizer step", done: () => {
                submit({ stage: s, stream: STREAM_DP, dur: spec.dpAllGatherNs[s]!, kind: KIND_DP, label: "DP all-gather params", done: (e) => (stepEnd[s] = e) }, vpp + (emb > 0 ? 1 : 0));
              } }, prog.optimizerPos);
            if (emb > 0) submit({ stage: s, stream: STREAM_DP, dur: emb, kind: KIND_DP, label: "embedding-group all-reduce grads", done: optimize }, vpp);
            else optimize();
          }
        } }, prog.rsPos[t.chunk]!);
      }
      if (v > 0) tryStart((v - 1 + pp) % pp);
    }
    tryStart(s);
  };

  for (let s = 0; s < pp; s++) tryStart(s);
  sim.run();
  for (let s = 0; s < pp; s++) {
    if (unit[s] !== programs[s]!.units.length) throw new Error(`pipeline deadlock at stage ${s}, unit ${unit[s]} of ${programs[s]!.units.length}`);
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
  let fusedPairs = 0;
  for (const p of programs) for (const u of p.units) if (u.length === 2) fusedPairs++;
  return { stepNs, flushNs: flush, bubbleRatio: bubble / pp, exposedNs, totalCommNs, fusedPairs };
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
