/**
 * The shape of a chip preset: what one Ascend die (the compute unit the cost models run on) and its
 * package look like. Pure data; facts and their sources live in `chips.ts`.
 */

/** Operand types the cube unit multiplies natively. */
export type CubeDtype = "fp16" | "bf16" | "int8" | "int4";

/** Size in bytes of one element of each cube dtype (INT4 packs two per byte). */
export const CUBE_DTYPE_BYTES: Readonly<Record<CubeDtype, number>> = { fp16: 2, bf16: 2, int8: 1, int4: 0.5 };

/** One MMAD instruction per cycle per cube core computes an (m × k)·(k × n) product, elements. */
export interface MmadShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** On-core buffers of one AI core, bytes. */
export interface CoreBuffers {
  /** L1 buffer of the cube core (staging for L0A/L0B), bytes. */
  readonly l1: number;
  /** L0A: left cube operand, bytes. */
  readonly l0a: number;
  /** L0B: right cube operand, bytes. */
  readonly l0b: number;
  /** L0C: cube accumulator (FP32/INT32), bytes. */
  readonly l0c: number;
  /** Unified Buffer of a vector core, bytes. */
  readonly ub: number;
}

/** Data-path rates of one core, bytes per cycle (of the core clock). */
export interface DataPathRates {
  /** GM (HBM) → core read, bytes/cycle. */
  readonly gmRead: number;
  /** Core → GM (HBM) write, bytes/cycle. */
  readonly gmWrite: number;
  /** L2 hit → core read, bytes/cycle. */
  readonly l2Read: number;
  /** Core → L2 write, bytes/cycle. */
  readonly l2Write: number;
  /** L1 → L0A (MTE1), bytes/cycle. */
  readonly l1ToL0a: number;
  /** L1 → L0B (MTE1), bytes/cycle. */
  readonly l1ToL0b: number;
  /** L1 → UB, bytes/cycle. */
  readonly l1ToUb: number;
  /** L0C → UB (fixpipe), bytes/cycle. */
  readonly l0cToUb: number;
  /** UB → L2 (MTE3), bytes/cycle. */
  readonly ubToL2: number;
  /** UB → GM (MTE3), bytes/cycle. */
  readonly ubToGm: number;
}

/** One die: the unit a cost model prices an operator on. */
export interface DieSpec {
  /** Cube cores (AIC). */
  readonly aic: number;
  /** Vector cores (AIV). */
  readonly aiv: number;
  /** True when cube and vector units share one core (310P); false for the split AIC/AIV (dav-c220). */
  readonly fusedCubeVector: boolean;
  /** Core clock, Hz. */
  readonly clockHz: number;
  /** MMAD shape per cube dtype (per cycle per cube core), elements. */
  readonly mmad: Readonly<Record<CubeDtype, MmadShape>>;
  /** Per-core buffers, bytes. */
  readonly buffers: CoreBuffers;
  /** Per-core data-path rates, bytes/cycle. */
  readonly rates: DataPathRates;
  /** Vector unit throughput of one vector core, bytes of operand per cycle (FP16 or FP32 alike). */
  readonly vectorBytesPerCycle: number;
  /** L2 cache size of the die, bytes. */
  readonly l2Bytes: number;
  /** HBM (device memory) capacity of the die, bytes. */
  readonly hbmBytes: number;
  /** HBM (device memory) bandwidth of the die, bytes/s. */
  readonly hbmBandwidth: number;
}

/** The package (what is sold as one NPU / card) around one or more identical dies. */
export interface PackageSpec {
  /** Dies in the package. */
  readonly dies: number;
  /** Device memory of the package, bytes. */
  readonly hbmBytes: number;
  /** Device memory bandwidth of the package, bytes/s. */
  readonly hbmBandwidth: number;
  /** Vendor FP16/BF16 dense peak of the package, FLOP/s. */
  readonly peakFp16Flops: number;
  /** Vendor INT8 dense peak of the package, OP/s. */
  readonly peakInt8Ops: number;
  /** Die-to-die link inside the package (910C SIO); absent for single-die packages. */
  readonly dieLink?: {
    /** Bandwidth per direction, bytes/s. */
    readonly bandwidth: number;
    /** One-way latency, ns. */
    readonly latencyNs: number;
  };
}

/** A named chip preset (`ascend-sim list chips`). */
export interface ChipPreset {
  /** Preset name, e.g. "910C". */
  readonly name: string;
  /** One line for `ascend-sim list chips`. */
  readonly description: string;
  /**
   * Device-memory technology, for labels ("HBM" when absent; LPDDR4X on the 310P). The capacity and
   * bandwidth fields are named `hbm…` whatever the technology.
   */
  readonly memoryKind?: string;
  /** The package (NPU / card). */
  readonly package: PackageSpec;
  /** One die: the compute unit the operator cost models run on. */
  readonly die: DieSpec;
}

/** Cube peak of `aic` cores of `die` in `dtype`, FLOP/s (OP/s for integers); 2 FLOP per MAC. */
export function cubePeakFlops(die: DieSpec, dtype: CubeDtype, aic: number = die.aic): number {
  const s = die.mmad[dtype];
  return aic * s.m * s.n * s.k * 2 * die.clockHz;
}

/**
 * Die-wide L2 read bandwidth shared by all cores (cube and vector), bytes/s: AIC count × per-core L2
 * read rate × clock, as hardware.md §1 derives it ([I] ≈ 4.9 TB/s on a 910B1).
 */
export function dieL2ReadBandwidth(die: DieSpec): number {
  return die.aic * die.rates.l2Read * die.clockHz;
}

/** Die-wide L2 write bandwidth shared by all cores, bytes/s: AIC count × per-core L2 write rate × clock ([I], as above). */
export function dieL2WriteBandwidth(die: DieSpec): number {
  return die.aic * die.rates.l2Write * die.clockHz;
}
