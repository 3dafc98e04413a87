import { dieL2ReadBandwidth, dieL2WriteBandwidth, type DieSpec } from "../chip-spec.js";
import { HBM_EFFICIENCY, KERNEL_LAUNCH_NS, MMAD_ISSUE_EFFICIENCY } from "../efficiency.js";
import { BoundedMemo, dieKey } from "./memo.js";
import { alignUp, type Bound, type Cores, type OpCost } from "./op-cost.js";

/*
 * The FlashAttention kernel as it runs on a split AIC/AIV die (dav-c220), shared by prefill, GQA and
 * MLA decode. A work unit is one KV stream (a sequence's KV head) and a group of query rows that
 * attend to it. The unit walks the KV in blocks of Lb tokens, each block in four stages:
 *   C1 cube   S = Q·Kᵀ           → fixpipe writes S (FP32) to an L2 workspace
 *   V1 vector online softmax of S → writes P (BF16) to the workspace
 *   C2 cube   O' = P·V           → fixpipe writes O' (FP32) to the workspace
 *   V2 vector O = O·corr + O'    (O stays in the AIV's UB)
 * Cube and vector cores exchange data only through GM/L2 (cube_vector_combine=split, hardware.md §1).
 * Blocks are software-pipelined PIPELINE_DEPTH deep; the unit's time comes from timing each pipe's
 * tasks in program order (blockCosts), not from a fitted overlap factor.
 */

/**
 * Vector passes of the online softmax per score element: row max, subtract, exp, row sum, cast to
 * BF16 (FlashAttention-2 algorithm), each over FP32.
 */
const SOFTMAX_PASSES = 5;

/**
 * Vector passes per output element per block: rescale the running O by exp(m_old − m_new), add O'
 * (FlashAttention-2 algorithm; counted from the operation sequence).
 */
const RESCALE_PASSES = 2;

/**
 * Workspace slots per exchange (S, P, O') and KV blocks resident in L1, count: double-buffered, so the
 * cube can run C1 of block j+1 while the vector cores work on block j. Assumption: double buffering is
 * the usual Ascend C pipelining pattern (from memory of the Ascend C programming guide, unverified).
 */
const PIPELINE_DEPTH = 2;

/**
 * KV blocks simulated pipe by pipe before the steady-state period is extrapolated, count: enough for
 * the double-buffered pipeline to settle (a simulation setting, not a hardware figure).
 */
const SIMULATED_BLOCKS = 8;

/**
 * Most KV blocks a kernel keeps in L1, count (quadruple buffering; deeper gains nothing once loads
 * lead). Assumption (a kernel design choice, no published figure); L1 capacity still bounds it.
 */
const MAX_KV_SLOTS = 4;

/** FP32 element, bytes (scores, O' and the running O). */
const F32 = 4;

/** BF16 element, bytes (Q, P, output). */
const BF16 = 2;

/** The attention problem, in the kernel's terms. */
export interface AttentionKernelShape {
  /** Independent KV streams (batch × KV heads). */
  readonly streams: number;
  /** Query rows that share one KV stream (query heads per KV head × query tokens). */
  readonly rows: number;
  /**
   * KV tokens each row attends to, per stream. For causal prefill pass `causal` and the sequence
   * length: row r attends to the first r + 1 tokens.
   */
  readonly kvLen: number;
  /** Whether rows are query positions 0..rows-1 of a causal prefill (rows = sequence length × heads per KV head). */
  readonly causal: boolean;
  /** Query positions per row group in causal prefill (heads per KV head share a position), rows. */
  readonly rowsPerPosition: number;
  /** Q·Kᵀ reduction dimension, elements (MLA absorbed: 576). */
  readonly dk: number;
  /** P·V output dimension, elements (MLA absorbed: 512). */
  readonly dv: number;
  /** KV bytes read from HBM per token per stream (MLA: 576 × 2; GQA: (dk + dv) × 2), bytes. */
  readonly kvBytesPerToken: number;
}

/** Per-block durations of each pipe's task, cycles; and the pipeline's timing derived from them. */
interface BlockCosts {
  /** Steady-state cycles per KV block. */
  readonly period: number;
  /** Cycles of a unit of `SIMULATED_BLOCKS` blocks (or fewer), from the pipe simulation. */
  readonly ends: Float64Array;
  /** True when a data path, not the cube or vector units, is the busiest pipe. */
  readonly memoryBound: boolean;
  /** Bytes read from L2 per block by the unit's AIC and AIVs (KV, S, P, O'), bytes. */
  readonly l2Read: number;
  /** Bytes written to L2 per block (S, P, O'), bytes. */
  readonly l2Write: number;
}

/**
 * Times one unit's first blocks pipe by pipe. The AIC program, iteration i: load KV(i), C1(i), write
 * S(i); then read P(i-1), C2(i-1), write O'(i-1). The AIV program: read S(i), softmax V1(i), write
 * P(i); then read O'(i-1), rescale V2(i-1). Each pipe (AIC MTE2, cube, fixpipe, AIV MTE2, vector,
 * AIV MTE3) runs its tasks in program order; a task starts when its pipe is free and its inputs are
 * written; a workspace slot is reused PIPELINE_DEPTH blocks later, an L1 KV buffer `kvSlots` later.
 */
function blockCosts(die: DieSpec, s: AttentionKernelShape, rows: number, lb: number, kvSlots: number, kvHbmFrac: number, aivPerAic: number): BlockCosts {
  const r = die.rates;
  const mm = die.mmad.bf16;
  const rowsPad = alignUp(rows, mm.m);
  const macsPerCycle = mm.m * mm.n * mm.k;
  const c1 = (rowsPad * alignUp(lb, mm.n) * alignUp(s.dk, mm.k)) / macsPerCycle / MMAD_ISSUE_EFFICIENCY;
  const c2 = (rowsPad * alignUp(s.dv, mm.n) * alignUp(lb, mm.k)) / macsPerCycle / MMAD_ISSUE_EFFICIENCY;
  const sBytes = rows * lb * F32;
  const pBytes = rows * lb * BF16;
  const oBytes = rows * s.dv * F32;
  const kvBytes = lb * s.kvBytesPerToken;
  // the KV block misses to HBM for the first reader of the stream (per-core GM rate), else hits L2
  const kv = Math.max(kvBytes / r.l2Read, (kvBytes * kvHbmFrac) / r.gmRead);
  const pR = pBytes / r.l2Read;
  const sW = sBytes / r.l2Write;
  const oW = oBytes / r.l2Write;
  // the AIVs of the pair split the rows: each moves and processes its share
  const v = die.vectorBytesPerCycle * aivPerAic;
  const sR = sBytes / (r.l2Read * aivPerAic);
  const oR = oBytes / (r.l2Read * aivPerAic);
  const pW = pBytes / (r.ubToL2 * aivPerAic);
  const v1 = (sBytes * SOFTMAX_PASSES) / v;
  const v2 = (oBytes * RESCALE_PASSES) / v;

  const n = SIMULATED_BLOCKS;
  const D = PIPELINE_DEPTH;
  // end times per block of the tasks other tasks wait on
  const eKv = new Float64Array(n);
  const eC1 = new Float64Array(n);
  const eSW = new Float64Array(n);
  const eSR = new Float64Array(n);
  const eV1 = new Float64Array(n);
  const ePW = new Float64Array(n);
  const ePR = new Float64Array(n);
  const eC2 = new Float64Array(n);
  const eOW = new Float64Array(n);
  const eOR = new Float64Array(n);
  const ends = new Float64Array(n);
  // when each pipe is next free
  let aicMte2 = 0;
  let cube = 0;
  let fix = 0;
  let aivMte2 = 0;
  let vec = 0;
  let aivMte3 = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n) {
      aicMte2 = eKv[i] = Math.max(aicMte2, i >= kvSlots ? eC2[i - kvSlots]! : 0) + kv;
      cube = eC1[i] = Math.max(cube, eKv[i]!) + c1;
      fix = eSW[i] = Math.max(fix, eC1[i]!, i >= D ? eSR[i - D]! : 0) + sW;
      aivMte2 = eSR[i] = Math.max(aivMte2, eSW[i]!) + sR;
      vec = eV1[i] = Math.max(vec, eSR[i]!) + v1;
      aivMte3 = ePW[i] = Math.max(aivMte3, eV1[i]!, i >= D ? ePR[i - D]! : 0) + pW;
    }
    if (i >= 1) {
      const j = i - 1;
      aicMte2 = ePR[j] = Math.max(aicMte2, ePW[j]!) + pR;
      cube = eC2[j] = Math.max(cube, ePR[j]!) + c2;
      fix = eOW[j] = Math.max(fix, eC2[j]!, j >= D ? eOR[j - D]! : 0) + oW;
      aivMte2 = eOR[j] = Math.max(aivMte2, eOW[j]!) + oR;
      vec = ends[j] = Math.max(vec, eOR[j]!) + v2;
    }
  }
  // the last simulated block drains without a following C1, so the steady period is read before it
  const period = ends[n - 2]! - ends[n - 3]!;
  const compute = Math.max(c1 + c2, v1 + v2);
  const data = Math.max(kv + pR, sW + oW, sR + oR, pW);
  return { period, ends, memoryBound: data > compute, l2Read: kvBytes + sBytes + pBytes + oBytes, l2Write: sBytes + pBytes + oBytes };
}

/** Cycles of a unit of `blocks` KV blocks: simulated, then extended at the steady-state period. */
function unitCycles(bc: BlockCosts, blocks: number): number {
  const n = bc.ends.length;
  if (blocks <= n) return bc.ends[blocks - 1]!;
  // steady blocks inserted before the simulated drain of the last one
  return bc.ends[n - 1]! + (blocks - n) * bc.period;
}

/** The kernel tiling the model chose. */
export interface AttentionTiling {
  /** Query rows per work unit. */
  readonly rowsPerUnit: number;
  /** KV tokens per block. */
  readonly kvBlock: number;
  /** Work units (streams × row groups × KV splits). */
  readonly units: number;
  /** KV splits per stream (flash-decoding when streams are fewer than cores). */
  readonly kvSplits: number;
}

/**
 * KV blocks a unit of `rows` query rows and `lb`-token KV blocks keeps in L1, count; 0 when that tiling
 * does not fit the UB or L1 of a core. Needs grow with `rows` and `lb`.
 */
function kvSlotsOf(buf: DieSpec["buffers"], s: Pick<AttentionKernelShape, "dk" | "dv" | "kvBytesPerToken">, rows: number, lb: number, aivPerAic: number): number {
  // the running O of the unit's rows lives in the UB of its AIVs, next to double-buffered S/P
  const oPerAiv = (rows / aivPerAic) * s.dv * F32;
  if (oPerAiv > buf.ub / 2) return 0;
  // (L0C does not limit Lb: the cube produces S and O' in column chunks the fixpipe streams out,
  // and that write-out is already priced.)
  // UB: S block in and P out for the AIV's rows, double-buffered, next to O
  if (oPerAiv + 2 * (rows / aivPerAic) * lb * (F32 + BF16) > buf.ub) return 0;
  // L1: Q of the unit, the P block, and as many KV blocks as fit (at least two, at most four):
  // a KV block stays until C2 has used it as V, so more slots let loads run further ahead
  const kvSlots = Math.min(MAX_KV_SLOTS, Math.floor((buf.l1 - rows * s.dk * BF16 - rows * lb * BF16) / (lb * s.kvBytesPerToken)));
  return kvSlots < 2 ? 0 : kvSlots;
}

/** Smallest tiling of the search: query rows per unit, KV tokens per block. */
const MIN_ROWS = 16;
const MIN_KV_BLOCK = 64;

/**
 * Whether some tiling of the kernel fits the core buffers on `cores` of `die` (attentionKernelCost throws
 * otherwise): the search's smallest one fits, as every larger one needs more. Head dimensions decide it.
 */
export function attentionTilingFits(die: DieSpec, s: Pick<AttentionKernelShape, "dk" | "dv" | "kvBytesPerToken">, cores: Cores): boolean {
  return kvSlotsOf(die.buffers, s, MIN_ROWS, MIN_KV_BLOCK, pairCores(cores).aivPerAic) > 0;
}

/**
 * The cores a work unit pairs: one AIC with `aivPerAic` AIVs of its own (the softmax and rescale run on
 * them). With fewer AIVs than AICs only `aiv` AICs get a partner and work; the others idle (they used to
 * be credited with an AIV each, pricing the vector work on AIVs the kernel was not given).
 */
function pairCores(cores: Cores): { cores: Cores; aivPerAic: number } {
  const aic = Math.min(cores.aic, cores.aiv);
  return { cores: { aic, aiv: cores.aiv }, aivPerAic: Math.floor(cores.aiv / aic) };
}

/** Priced attention kernels of this process (memo.ts), keyed by every input of attentionKernelPriced; at most 4,096 (count). */
const ATTENTION_MEMO = new BoundedMemo<{ readonly cost: OpCost; readonly tiling: AttentionTiling }>(4096);

/** Cost of the attention kernel on `cores` of `die`, with the tiling chosen. */
export function attentionKernelCost(die: DieSpec, s: AttentionKernelShape, given: Cores, flops: number): { cost: OpCost; tiling: AttentionTiling } {
  const shape = [s.streams, s.rows, s.kvLen, s.causal, s.rowsPerPosition, s.dk, s.dv, s.kvBytesPerToken].join("|");
  const hit = ATTENTION_MEMO.get(`${shape}|${given.aic}|${given.aiv}|${flops}|${dieKey(die)}`, () => attentionKernelPriced(die, s, given, flops));
  // copies: a caller may not share (or change) the memo's objects
  return { cost: { ...hit.cost }, tiling: { ...hit.tiling } };
}

/** attentionKernelCost without the memo: the tiling search and the cost of its winner. */
export function attentionKernelPriced(die: DieSpec, s: AttentionKernelShape, given: Cores, flops: number): { cost: OpCost; tiling: AttentionTiling } {
  const f = die.clockHz / 1e9;
  const { cores, aivPerAic } = pairCores(given);
  const qBytesPerRow = s.dk * BF16;
  let best: { ns: number; tiling: AttentionTiling; memoryBound: boolean } | undefined;
  // tiling search range (assumption bounding the search; the UB/L1 fits of kvSlotsOf decide feasibility):
  // query rows per unit 16…256 in steps of 16 rows, KV block Lb 64…1024 tokens in steps of 16 tokens
  const rowsMax = Math.min(alignUp(s.rows, MIN_ROWS), 256);
  for (let rows = MIN_ROWS; rows <= rowsMax; rows += 16) {
    const groups = Math.ceil(s.rows / rows);
    for (let lb = MIN_KV_BLOCK; lb <= 1024; lb += 16) {
      const kvSlots = kvSlotsOf(die.buffers, s, rows, lb, aivPerAic);
      if (kvSlots === 0) continue;
      const cand = unitSchedule(die, s, cores, rows, groups, lb, kvSlots, aivPerAic);
      const ns = cand.cycles / f;
      if (best === undefined || ns < best.ns) {
        best = { ns, memoryBound: cand.memoryBound, tiling: { rowsPerUnit: rows, kvBlock: lb, units: cand.units, kvSplits: cand.kvSplits } };
      }
    }
  }
  if (best === undefined) throw new Error("no attention tiling fits the core buffers");

  // die-wide HBM: every KV stream read once (row groups and KV splits share it through L2), Q read and
  // O written once
  const hbmBytes = s.streams * (s.kvLen * s.kvBytesPerToken + s.rows * (qBytesPerRow + s.dv * BF16));
  // die-wide HBM, not partitioned by core count: a subset of the cores is limited by its own GM paths
  // (KV loads at the per-core GM rate, blockCosts) and the die's HBM serves whichever core reads (gemm.ts)
  const hbmNs = (hbmBytes / (die.hbmBandwidth * HBM_EFFICIENCY)) * 1e9;
  const body = Math.max(best.ns, hbmNs);
  const memoryBound = hbmNs > best.ns || best.memoryBound;
  const bound: Bound = KERNEL_LAUNCH_NS > body ? "latency" : memoryBound ? "memory" : "compute";
  return { cost: { ns: body + KERNEL_LAUNCH_NS, flops, bytes: hbmBytes, bound }, tiling: best.tiling };
}

/** Busiest cube core's cycles for one tiling: units spread over the cores, each a pipeline of blocks. */
function unitSchedule(
  die: DieSpec,
  s: AttentionKernelShape,
  cores: Cores,
  rows: number,
  groups: number,
  lb: number,
  kvSlots: number,
  aivPerAic: number,
): { cycles: number; units: number; kvSplits: number; memoryBound: boolean } {
  // row groups of one stream run side by side: the first reads the KV from HBM, the others hit L2
  const kvHbmFrac = 1 / groups;
  const bc = blockCosts(die, s, rows, lb, kvSlots, kvHbmFrac, aivPerAic);
  let cycles: number;
  let units: number;
  let kvSplits = 1;
  let totalBlocks: number;
  if (!s.causal) {
    const blocks = Math.ceil(s.kvLen / lb);
    // flash-decoding: split each stream's KV over several cores when units are fewer than cores, at
    // the price of a combine pass (one more O write/read per split)
    const base = s.streams * groups;
    kvSplits = base >= cores.aic ? 1 : Math.min(blocks, Math.floor(cores.aic / base));
    units = base * kvSplits;
    const blocksPerUnit = Math.ceil(blocks / kvSplits);
    const unit = unitCycles(bc, blocksPerUnit) + qLoad(die, s, rows);
    const combine = kvSplits > 1 ? (rows * s.dv * F32 * 2) / die.rates.l2Read : 0;
    cycles = Math.ceil(units / cores.aic) * unit + combine;
    totalBlocks = units * blocksPerUnit;
  } else {
    // causal prefill: row group g (positions [g·R/h, (g+1)·R/h)) attends to the KV blocks up to its
    // last position; units of different lengths spread greedily (≈ max(total / cores, longest))
    const positionsPerGroup = rows / s.rowsPerPosition;
    let total = 0;
    let longest = 0;
    let blocksPerStream = 0;
    for (let g = 0; g < groups; g++) {
      const lastPos = Math.min(s.kvLen, (g + 1) * positionsPerGroup);
      const blocks = Math.ceil(lastPos / lb);
      blocksPerStream += blocks;
      const unit = unitCycles(bc, blocks) + qLoad(die, s, rows);
      total += unit;
      if (unit > longest) longest = unit;
    }
    units = s.streams * groups;
    cycles = Math.max((total * s.streams) / cores.aic, longest);
    totalBlocks = s.streams * blocksPerStream;
  }
  // The L2 is shared by every core of the die (die-wide L2 bandwidth, chip-spec.ts). A kernel on a
  // subset of the cores is limited by those cores' own L2 paths (the per-core rates in blockCosts: the
  // AIC reads KV and P, its AIVs read S and O' through their own MTE2) and by the die-wide figure, which
  // is not partitioned by core count (the L2 serves whichever core reads).
  const l2Cycles = Math.max(
    (totalBlocks * bc.l2Read) / (dieL2ReadBandwidth(die) / die.clockHz),
    (totalBlocks * bc.l2Write) / (dieL2WriteBandwidth(die) / die.clockHz),
  );
  const memoryBound = bc.memoryBound || l2Cycles > cycles;
  return { cycles: Math.max(cycles, l2Cycles), units, kvSplits, memoryBound };
}

/** Loading a unit's Q into L1 and writing its output, cycles (not overlapped with its first block). */
function qLoad(die: DieSpec, s: AttentionKernelShape, rows: number): number {
  return (rows * s.dk * BF16) / die.rates.gmRead + (rows * s.dv * BF16) / die.rates.ubToGm;
}
