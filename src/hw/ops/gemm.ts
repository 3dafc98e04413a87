import { CUBE_DTYPE_BYTES, cubePeakFlops, type CubeDtype, type DieSpec } from "../chip-spec.js";
import { HBM_EFFICIENCY, KERNEL_LAUNCH_NS, MMAD_ISSUE_EFFICIENCY } from "../efficiency.js";
import { BoundedMemo, dieKey } from "./memo.js";
import { alignUp, resolveCores, type Bound, type CoreSubset, type Cores, type OpCost } from "./op-cost.js";

/*
 * GEMM on the cube cores, as Ascend's matmul kernels run it: the output is cut into base tiles
 * (baseM × baseN, accumulated over K in L0C), tiles are spread over the cube cores in waves, and each
 * tile costs the larger of its MMAD cycles and its data movement (MTE2 from L2/HBM, MTE1 from L1 to
 * L0A/L0B, fixpipe write-out), plus pipeline fill and kernel launch. When there are fewer tiles than
 * cores (few tokens), K can be split over cores too (multi-core split-K): each core accumulates a K
 * slice of a tile and adds its FP32 partial sums into a workspace atomically; a final pass casts the
 * sums to BF16.
 */

/** GEMM precisions: BF16/FP16, W8A8 (INT8 × INT8 → BF16), W4A16 (INT4 weights dequantized to BF16 on the AIV). */
export type GemmDtype = "bf16" | "fp16" | "int8" | "w4a16";

/** A GEMM `C[m×n] = A[m×k] · B[k×n]` (A activations, B weights), elements. */
export interface GemmShape {
  /** Rows of A and C (tokens). */
  readonly m: number;
  /** Columns of B and C (output features). */
  readonly n: number;
  /** Reduction dimension (input features). */
  readonly k: number;
  readonly dtype: GemmDtype;
}

/** A grouped GEMM: `groups` independent GEMMs of the same n×k weight shape, `m` rows each (MoE experts on one die). */
export interface GroupedGemmShape extends GemmShape {
  /** Number of groups (experts), each with its own weights. */
  readonly groups: number;
}

/** The tiling chosen for a GEMM on one die. */
export interface GemmTiling {
  /** Base tile rows (multiple of the MMAD m), elements. */
  readonly baseM: number;
  /** Base tile columns (multiple of the MMAD n), elements. */
  readonly baseN: number;
  /** K slice per L0A/L0B load (multiple of the MMAD k), elements. */
  readonly baseK: number;
  /** Whether L0C holds two accumulators so the write-out of one tile overlaps the next. */
  readonly l0cDoubleBuffer: boolean;
  /** Tiles along M per group. */
  readonly tilesM: number;
  /** Tiles along N. */
  readonly tilesN: number;
  /** Cores each tile's K is split over (1 = no split-K). */
  readonly splitK: number;
  /** Waves of tiles (× K slices) over the cube cores (last one possibly partial). */
  readonly waves: number;
}

/** Element sizes (bytes) a GEMM precision moves and the cube dtype it issues. */
interface GemmPrecision {
  readonly cube: CubeDtype;
  /** A (activation) element as the cube reads it, bytes. */
  readonly a: number;
  /** B (weight) element as the cube reads it, bytes. */
  readonly b: number;
  /** B element as stored in HBM, bytes (includes W4A16 group scales). */
  readonly bStored: number;
  /** C element written, bytes (BF16 out; INT8 dequantized by the fixpipe). */
  readonly c: number;
}

/**
 * W4A16 group size along K for the per-group BF16 scales, elements. From memory of CANN
 * WeightQuantBatchMatmulV2's common per-group configuration (group 128), unverified.
 */
const W4A16_GROUP = 128;

/**
 * Vector passes to dequantize one INT4 weight to BF16 (unpack/cast INT4→FP16, multiply by the group
 * scale, cast to BF16), counted from the operation sequence, each pass over the BF16 result.
 */
const W4A16_DEQUANT_PASSES = 3;

/**
 * Split-K search bound: a tiling with fewer tiles than cube cores may split K into as many slices as
 * fit in this many waves of the cores. Bounds the search only (more waves add partial sums and gain no
 * balance); split-K applies only to tilings that leave cores idle.
 */
const SPLIT_K_MAX_WAVES = 4;

/** K elements of each slice when K is split over `splitK` cores: equal shares rounded up to whole MMAD fractals of `fractalK`. */
function kSliceOf(k: number, splitK: number, fractalK: number): number {
  return splitK === 1 ? k : alignUp(Math.ceil(k / splitK), fractalK);
}

/** Accumulator element in L0C (FP32 or INT32), bytes. */
const ACC_BYTES = 4;

function precisionOf(dtype: GemmDtype): GemmPrecision {
  switch (dtype) {
    case "bf16":
    case "fp16":
      return { cube: dtype, a: 2, b: 2, bStored: 2, c: 2 };
    case "int8":
      return { cube: "int8", a: 1, b: 1, bStored: 1, c: 2 };
    case "w4a16":
      return { cube: "bf16", a: 2, b: 2, bStored: CUBE_DTYPE_BYTES.int4 + 2 / W4A16_GROUP, c: 2 };
  }
}

/** Bytes one GEMM's A, stored B and C occupy in HBM (A and C as the kernel reads and writes them), B. */
export function gemmFootprintBytes(s: GemmShape): number {
  const p = precisionOf(s.dtype);
  return s.m * s.k * p.a + s.k * s.n * p.bStored + s.m * s.n * p.c;
}

/** Cycle costs of one tile, in core cycles. */
interface TileCycles {
  /** Steady-state cycles of the tile (the binding pipe, plus an exposed write-out when L0C is single-buffered). */
  readonly cycles: number;
  /** True when data movement, not the cube, binds the tile. */
  readonly memoryBound: boolean;
}

/** Everything the tile evaluator needs, resolved once per GEMM. */
interface GemmContext {
  readonly die: DieSpec;
  readonly p: GemmPrecision;
  readonly groups: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly aic: number;
  /** Whether B reaches the cube from the L2 workspace (W4A16: written there by the AIV dequant). */
  readonly bFromWorkspace: boolean;
}

/** Result of evaluating one tiling candidate. */
interface Evaluated {
  readonly tiling: GemmTiling;
  /** Busiest cube core's cycles (waves + fill). */
  readonly coreCycles: number;
  /** Bytes read from HBM by the cube side, bytes. */
  readonly hbmRead: number;
  /** Whether data-movement-bound waves take more than half of the wave cycles (the op's binding side). */
  readonly memoryBound: boolean;
}

/**
 * Cycles of one tile of `rows` × `cols` over a K slice of `k` elements; `partial`: the tile is one K
 * slice of a split-K output, written out as FP32 partial sums (atomic add in the L2 workspace).
 */
function tileCycles(c: GemmContext, t: { baseM: number; baseN: number; l0cDb: boolean }, rows: number, cols: number, k: number, partial: boolean, hbmFracA: number, hbmFracB: number): TileCycles {
  const { die, p } = c;
  const r = die.rates;
  const mm = die.mmad[p.cube];
  // the cube issues whole fractals: partial tiles still pay for padded rows/columns
  const mmads = Math.ceil(rows / mm.m) * Math.ceil(cols / mm.n) * Math.ceil(k / mm.k);
  const cube = mmads / MMAD_ISSUE_EFFICIENCY;
  const aBytes = rows * k * p.a;
  const bBytes = k * cols * p.b;
  // Every GM access passes the L2 (a memory-side cache): the tile streams at the L2 read rate, and the
  // part that misses to HBM is further capped by the per-core GM rate. Both limits hold at once.
  const hbmBytes = aBytes * hbmFracA + bBytes * hbmFracB;
  const mte2 = Math.max((aBytes + bBytes) / r.l2Read, hbmBytes / r.gmRead);
  const mte1 = Math.max(aBytes / r.l1ToL0a, bBytes / r.l1ToL0b);
  // fixpipe writes the finished tile (dequantized to BF16, or FP32 partial sums) towards GM; it lands in L2 (write-back)
  const drain = (rows * cols * (partial ? ACC_BYTES : p.c)) / r.l2Write;
  const move = Math.max(mte2, mte1);
  const steady = Math.max(cube, move, t.l0cDb ? drain : 0);
  return { cycles: steady + (t.l0cDb ? 0 : drain), memoryBound: move > cube || (t.l0cDb && drain > cube) };
}

/** Wave kinds (waveKind): whether the wave holds a tile of full height (rows) and one of full width (columns). */
const WAVE_FULL = 3;
const WAVE_FULL_ROWS = 1;
const WAVE_FULL_COLS = 2;

/**
 * The kind of the wave of tiles [s, e), tiles numbered group, row, column, K slice (`splitK` slices per
 * tile, tilesM × tilesN tiles per group); `exactM`/`exactN`: the edge tiles are full too. Bit 1: some
 * tile has full height, i.e. not all lie in the last row of one group (with one row every tile does);
 * bit 2: some tile has full width, i.e. not all are K slices of one last-column tile. In closed form,
 * not by walking the wave's tiles (a cloudmatrix-dsr1 run's tiling searches price ~2.7·10⁷ waves).
 */
function waveKind(s: number, e: number, tilesM: number, tilesN: number, splitK: number, exactM: boolean, exactN: boolean): number {
  const perGroup = tilesM * tilesN * splitK;
  const lastRowOnly = tilesM === 1 || (Math.floor(s / perGroup) === Math.floor((e - 1) / perGroup) && s % perGroup >= (tilesM - 1) * tilesN * splitK);
  const lastColOnly = tilesN === 1 || (Math.floor(s / splitK) === Math.floor((e - 1) / splitK) && Math.floor((s % perGroup) / splitK) % tilesN === tilesN - 1);
  return (exactM || !lastRowOnly ? WAVE_FULL_ROWS : 0) | (exactN || !lastColOnly ? WAVE_FULL_COLS : 0);
}

/**
 * Evaluates one tiling candidate; undefined when it cannot beat `bound` core cycles (every wave lasts at
 * least as long as the cheapest tile kind, so a lower bound decides before the waves are walked).
 */
function evaluate(c: GemmContext, baseM: number, baseN: number, baseK: number, l0cDb: boolean, splitK: number, bound = Infinity): Evaluated | undefined {
  const { die, p, groups, m, n, k, aic } = c;
  const tilesM = Math.ceil(m / baseM);
  const tilesN = Math.ceil(n / baseN);
  // K slices of a split-K tile, fractal-aligned; every slice is priced at the full slice (the last one
  // may be shorter: a slight overestimate)
  const kSlice = kSliceOf(k, splitK, die.mmad[p.cube].k);
  const perGroup = tilesM * tilesN * splitK;
  const total = groups * perGroup;
  const cores = Math.min(aic, total);
  const waves = Math.ceil(total / cores);
  const edgeM = m - (tilesM - 1) * baseM;
  const edgeN = n - (tilesN - 1) * baseN;

  // L2 reuse: tiles run row by row (N inner), so an A row panel is read from HBM once and re-read from
  // L2 by the other tiles of its row. B is re-read by every row of tiles: from L2 when all of B stays
  // resident (fits L2 next to the A panels in flight), else from HBM each time. The transposed order
  // (M inner) is symmetric; the kernel takes the order that reads less from HBM. On a core subset the
  // operator still sees the whole die's L2 (like the HBM below, the L2 is not a core-count share; what a
  // concurrent stream keeps resident there is not part of one operator's cost).
  const aBytesTotal = m * k * p.a;
  const bBytesTotal = c.bFromWorkspace ? 0 : n * k * p.bStored;
  const half = die.l2Bytes / 2;
  const hbmRowOrder = aBytesTotal + (bBytesTotal <= half ? bBytesTotal : bBytesTotal * tilesM);
  const hbmColOrder = bBytesTotal + (aBytesTotal <= half ? aBytesTotal : aBytesTotal * tilesN);
  const rowOrder = hbmRowOrder <= hbmColOrder;
  const hbmPerGroup = rowOrder ? hbmRowOrder : hbmColOrder;
  // fraction of each tile's operand reads that miss to HBM (the first reader of a panel misses)
  const fracA = rowOrder || aBytesTotal <= half ? 1 / tilesN : 1;
  const fracB = c.bFromWorkspace ? 0 : (!rowOrder || bBytesTotal <= half ? 1 / tilesM : 1) * (p.bStored / p.b);

  const t = { baseM, baseN, l0cDb };
  const partial = splitK > 1;
  const full = tileCycles(c, t, baseM, baseN, kSlice, partial, fracA, fracB);
  const eM = edgeM === baseM ? full : tileCycles(c, t, edgeM, baseN, kSlice, partial, fracA, fracB);
  const eN = edgeN === baseN ? full : tileCycles(c, t, baseM, edgeN, kSlice, partial, fracA, fracB);
  const eMN = edgeM === baseM ? eN : edgeN === baseN ? eM : tileCycles(c, t, edgeM, edgeN, kSlice, partial, fracA, fracB);

  // Pipeline fill: the first K slice of the first tile arrives from HBM before any MMAD can issue; the
  // last tile's write-out follows the last MMAD when it was overlapped with a next tile that never came.
  const fill = ((Math.min(baseM, m) * p.a + Math.min(baseN, n) * p.b) * Math.min(baseK, kSlice)) / die.rates.gmRead;
  const lastDrain = l0cDb ? (Math.min(baseM, m) * Math.min(baseN, n) * (partial ? ACC_BYTES : p.c)) / die.rates.l2Write : 0;
  // split-K: once every slice has landed, the cores cast the FP32 sums to the output (L2 in, L2 out)
  const castPass = partial ? (groups * m * n * (ACC_BYTES / die.rates.l2Read + p.c / die.rates.l2Write)) / Math.min(aic, total) : 0;
  // (the margin keeps the bound below the wave sum whatever its rounding: a pruned candidate is never a tie)
  const fastest = Math.min(full.cycles, eM.cycles, eN.cycles, eMN.cycles);
  if ((waves * fastest + fill + lastDrain + castPass) * (1 - 1e-9) >= bound) return undefined;

  // Each wave lasts as long as its slowest tile. Tiles are numbered group, row, column, K slice; a wave
  // holds `cores` consecutive tiles. The GEMM is labelled data-movement bound when such waves take most
  // of the wave cycles (one memory-bound edge wave does not make a compute-bound GEMM memory-bound).
  let cycles = 0;
  let memoryCycles = 0;
  for (let w = 0; w < waves; w++) {
    const s = w * cores;
    const kind = waveKind(s, Math.min(total, s + cores), tilesM, tilesN, splitK, edgeM === baseM, edgeN === baseN);
    const tc = kind === WAVE_FULL ? full : kind === WAVE_FULL_ROWS ? eN : kind === WAVE_FULL_COLS ? eM : eMN;
    cycles += tc.cycles;
    if (tc.memoryBound) memoryCycles += tc.cycles;
  }
  const memoryBound = memoryCycles > cycles / 2;
  return {
    tiling: { baseM, baseN, baseK: Math.min(baseK, kSlice), l0cDoubleBuffer: l0cDb, tilesM, tilesN, splitK, waves },
    coreCycles: cycles + fill + lastDrain + castPass,
    hbmRead: groups * hbmPerGroup,
    memoryBound,
  };
}

/** A feasible tiling candidate of the search. */
interface Candidate {
  readonly baseM: number;
  readonly baseN: number;
  readonly baseK: number;
  readonly db: boolean;
  /** Cores each tile's K is split over. */
  readonly splitK: number;
}

/** The tilings that fit the core buffers, in search order. */
function tilingCandidates(c: GemmContext): Candidate[] {
  const { die, p } = c;
  const mm = die.mmad[p.cube];
  const buf = die.buffers;
  // tile search caps, elements (baseM ≤ 256, baseN ≤ 512): assumption bounding the search; the L0/L1/L0C
  // fits below decide which tiles are feasible
  const mMax = Math.min(256, alignUp(c.m, mm.m));
  const nMax = Math.min(512, alignUp(c.n, mm.n));
  const cands: Candidate[] = [];
  for (let baseM = mm.m; baseM <= mMax; baseM += mm.m) {
    for (let baseN = mm.n; baseN <= nMax; baseN += mm.n) {
      // L0A/L0B hold two K slices each (double-buffered MTE1 ↔ MMAD); the deepest slice that fits
      const kA = Math.floor(buf.l0a / (2 * baseM * p.a));
      const kB = Math.floor(buf.l0b / (2 * baseN * p.b));
      const baseK = Math.min(Math.floor(Math.min(kA, kB) / mm.k) * mm.k, alignUp(c.k, mm.k));
      if (baseK < mm.k) continue;
      // L1 stages the A and B slices for L0, double-buffered against MTE2
      if (2 * baseK * (baseM * p.a + baseN * p.b) > buf.l1) continue;
      // split-K for tilings with few tiles: K slices of at least one MMAD each, at most
      // SPLIT_K_MAX_WAVES waves of slices (enough to balance the last wave; more only adds partial sums)
      const tiles = c.groups * Math.ceil(c.m / baseM) * Math.ceil(c.n / baseN);
      const kFractals = Math.ceil(c.k / mm.k);
      for (let db = 0; db < 2; db++) {
        if (baseM * baseN * ACC_BYTES * (db + 1) > buf.l0c) continue;
        cands.push({ baseM, baseN, baseK, db: db === 1, splitK: 1 });
        if (tiles >= c.aic) continue;
        for (let sk = 2; sk <= kFractals && tiles * sk <= SPLIT_K_MAX_WAVES * c.aic; sk++) {
          // only splits whose every slice holds some K (fractal-aligned slices can leave the last ones empty)
          if (Math.ceil(c.k / kSliceOf(c.k, sk, mm.k)) === sk) cands.push({ baseM, baseN, baseK, db: db === 1, splitK: sk });
        }
      }
    }
  }
  return cands;
}

function bestTiling(c: GemmContext): Evaluated {
  const cands = tilingCandidates(c);
  // The first candidate with the fewest cycles wins. The last (largest) candidate's cycles bound the
  // search from the start, so candidates that cannot reach it skip their wave walk; any candidate at or
  // below the bound is still evaluated in full, so the winner is the same as without the bound.
  const last = cands[cands.length - 1];
  const lastEvaluated = last === undefined ? undefined : evaluate(c, last.baseM, last.baseN, last.baseK, last.db, last.splitK)!;
  let bound = lastEvaluated?.coreCycles ?? Infinity;
  let best: Evaluated | undefined;
  for (const t of cands) {
    const e = t === last ? lastEvaluated : evaluate(c, t.baseM, t.baseN, t.baseK, t.db, t.splitK, bound);
    if (e !== undefined && (best === undefined || e.coreCycles < best.coreCycles)) {
      best = e;
      bound = Math.min(bound, e.coreCycles);
    }
  }
  if (best === undefined) throw new Error("no GEMM tiling fits the core buffers");
  return best;
}

/**
 * The tiling search's parts, for tests only (a brute-force search over the same candidates checks the
 * bounded one): the context of a (grouped) GEMM on a die or a core subset, its candidates, one candidate
 * evaluated in full, and the bounded search.
 */
export const gemmSearchForTests = {
  context: (die: DieSpec, s: GemmShape, groups = 1, subset?: CoreSubset): GemmContext => gemmContext(die, s, groups, resolveCores(die, subset)),
  candidates: tilingCandidates,
  evaluate: (c: GemmContext, t: Candidate): Evaluated => evaluate(c, t.baseM, t.baseN, t.baseK, t.db, t.splitK)!,
  bestTiling,
  waveKind,
  /** The cost and tiling without the memo. */
  priced: (die: DieSpec, s: GemmShape, groups = 1, subset?: CoreSubset): { cost: OpCost; tiling: GemmTiling } => gemmPriced(die, s, groups, resolveCores(die, subset)),
};

function checkShape(s: GemmShape, groups: number): void {
  for (const [name, v] of [["m", s.m], ["n", s.n], ["k", s.k], ["groups", groups]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`GEMM ${name} must be a positive integer, got ${v}`);
  }
}

/** The tile evaluator's context of a (grouped) GEMM on `cores` of a die. */
function gemmContext(die: DieSpec, s: GemmShape, groups: number, cores: Cores): GemmContext {
  return { die, p: precisionOf(s.dtype), groups, m: s.m, n: s.n, k: s.k, aic: cores.aic, bFromWorkspace: s.dtype === "w4a16" };
}

/**
 * Priced GEMMs of this process (memo.ts), keyed by every input of gemmPriced: the shape, the groups, the
 * resolved cores and the die. At most 16,384 GEMMs (count; a serving run prices ~4,000 distinct ones).
 */
const GEMM_MEMO = new BoundedMemo<{ readonly cost: OpCost; readonly tiling: GemmTiling }>(16384);

/** GEMMs memoised so far in this process, count (tests observe the memo with it). */
export function gemmMemoSize(): number {
  return GEMM_MEMO.size;
}

function gemmImpl(die: DieSpec, s: GemmShape, groups: number, subset?: CoreSubset): { cost: OpCost; tiling: GemmTiling } {
  checkShape(s, groups);
  const cores: Cores = resolveCores(die, subset);
  const hit = GEMM_MEMO.get(`${s.dtype}|${s.m}|${s.n}|${s.k}|${groups}|${cores.aic}|${cores.aiv}|${dieKey(die)}`, () => gemmPriced(die, s, groups, cores));
  // copies: a caller may not share (or change) the memo's objects
  return { cost: { ...hit.cost }, tiling: { ...hit.tiling } };
}

/** gemmImpl without the memo: the tiling search and the cost of its winner. */
function gemmPriced(die: DieSpec, s: GemmShape, groups: number, cores: Cores): { cost: OpCost; tiling: GemmTiling } {
  const ctx = gemmContext(die, s, groups, cores);
  const p = ctx.p;
  const w4 = s.dtype === "w4a16";
  const best = bestTiling(ctx);
  const f = die.clockHz / 1e9; // cycles per ns

  const weightsStored = groups * s.n * s.k * p.bStored;
  let hbmRead = best.hbmRead + (w4 ? weightsStored : 0);
  const hbmWrite = groups * s.m * s.n * p.c;
  let coreNs = best.coreCycles / f;
  let memoryBound = best.memoryBound;

  if (w4) {
    // W4A16: the AIV stream INT4 weights from HBM, dequantize them in UB and write BF16 to an L2
    // workspace the cube reads (split AIC/AIV cores exchange data only through GM/L2). The AIV pass
    // overlaps the cube, so the op takes the longer of the two sides.
    const r = die.rates;
    const elems = (groups * s.n * s.k) / cores.aiv;
    const read = (elems * p.bStored) / r.gmRead;
    const vec = (elems * 2 * W4A16_DEQUANT_PASSES) / die.vectorBytesPerCycle;
    const write = (elems * 2) / r.ubToL2;
    const aivNs = Math.max(read, vec, write) / f;
    if (aivNs > coreNs) {
      coreNs = aivNs;
      // data movement (HBM read or the UB → L2 write of the BF16 weights) or the vector unit binds
      memoryBound = Math.max(read, write) >= vec;
    }
  }
  // Die-wide HBM bound. A GEMM on a subset of the cube cores is limited by those cores' own GM read
  // paths (32 B/cycle each, hardware.md §1, in the tile timing above), not by a core-count share of the
  // HBM: the die's HBM (one 1.6 TB/s figure, §2) serves whichever core reads. Contention with work running
  // concurrently on the other cores is not part of one operator's cost.
  const hbmNs = ((hbmRead + hbmWrite) / (die.hbmBandwidth * HBM_EFFICIENCY)) * 1e9;
  if (hbmNs > coreNs) memoryBound = true;
  const body = Math.max(coreNs, hbmNs);
  const bound: Bound = KERNEL_LAUNCH_NS > body ? "latency" : memoryBound ? "memory" : "compute";
  hbmRead = Math.round(hbmRead);
  return {
    cost: { ns: body + KERNEL_LAUNCH_NS, flops: 2 * groups * s.m * s.n * s.k, bytes: hbmRead + hbmWrite, bound },
    tiling: best.tiling,
  };
}

/** Cost of one GEMM on a die (or on `cores` of it). */
export function gemmCost(die: DieSpec, shape: GemmShape, cores?: CoreSubset): OpCost {
  return gemmImpl(die, shape, 1, cores).cost;
}

/** Cost of a grouped GEMM (`groups` experts, `m` tokens each) on a die (or on `cores` of it). */
export function groupedGemmCost(die: DieSpec, shape: GroupedGemmShape, cores?: CoreSubset): OpCost {
  return gemmImpl(die, shape, shape.groups, cores).cost;
}

/** The tiling the cost model picks for `shape` (for inspection and tests). */
export function gemmTiling(die: DieSpec, shape: GemmShape, cores?: CoreSubset): GemmTiling {
  return gemmImpl(die, shape, 1, cores).tiling;
}

/** Cube peak for a GEMM precision on `aic` cores, FLOP/s (OP/s for INT8). */
export function gemmPeakFlops(die: DieSpec, dtype: GemmDtype, aic: number = die.aic): number {
  return cubePeakFlops(die, precisionOf(dtype).cube, aic);
}
