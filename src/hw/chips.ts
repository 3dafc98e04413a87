import type { ChipPreset, CoreBuffers, CubeDtype, DataPathRates, DieSpec, MmadShape } from "./chip-spec.js";

/*
 * Chip presets by name. Every number names its source: hardware.md section and tag
 * ([C] CANN platform config, [V] vendor spec, [S] secondary note, [I] arithmetic on those).
 */

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const KiB = 1024;

/** MMAD shapes of the dav-c220 cube (hardware.md §1 [C]): FP16/BF16 16×16×16, INT8 16×32×16, INT4 16×64×16. */
const DAV_C220_MMAD: Readonly<Record<CubeDtype, MmadShape>> = {
  fp16: { m: 16, n: 16, k: 16 },
  bf16: { m: 16, n: 16, k: 16 },
  int8: { m: 16, n: 32, k: 16 },
  int4: { m: 16, n: 64, k: 16 },
};

/** Per-core buffers of dav-c220 (hardware.md §1 [C]). */
const DAV_C220_BUFFERS: CoreBuffers = { l1: 512 * KiB, l0a: 64 * KiB, l0b: 64 * KiB, l0c: 128 * KiB, ub: 192 * KiB };

/** Per-core data-path rates of dav-c220, bytes/cycle (hardware.md §1 [C]). */
const DAV_C220_RATES: DataPathRates = {
  gmRead: 32,
  gmWrite: 32,
  l2Read: 110,
  l2Write: 86,
  l1ToL0a: 512,
  l1ToL0b: 256,
  l1ToUb: 128,
  l0cToUb: 256,
  ubToL2: 64,
  ubToGm: 64,
};

/**
 * Vector unit of one AIV: one 256-byte repeat (8 × 32-byte blocks) per cycle, i.e. 128 FP16 or 64 FP32
 * elements per cycle. From memory of the CANN Ascend C programming guide (vector instruction
 * "repeat" = 256 B), unverified; hardware.md has no vector rate.
 */
const DAV_C220_VECTOR_BYTES_PER_CYCLE = 256;

/** HBM of one 910B / 910C die: 64 GiB at 1.6 TB/s (hardware.md §1 [V], §2 [V][C]). */
const HBM_64G_BYTES = 64 * GiB;
const HBM_1_6T_BANDWIDTH = 1.6e12;

/** A 910B-class (dav-c220) die with the given core counts, clock, L2 and memory. */
function davC220Die(aic: number, clockHz: number, l2Bytes: number, hbmBytes: number, hbmBandwidth: number): DieSpec {
  return {
    aic,
    // 1 AIC : 2 AIV, cube_vector_combine=split (hardware.md §1 [C])
    aiv: 2 * aic,
    fusedCubeVector: false,
    clockHz,
    mmad: DAV_C220_MMAD,
    buffers: DAV_C220_BUFFERS,
    rates: DAV_C220_RATES,
    vectorBytesPerCycle: DAV_C220_VECTOR_BYTES_PER_CYCLE,
    l2Bytes,
    hbmBytes,
    hbmBandwidth,
  };
}

/** Cube FP16 MACs per cycle per dav-c220 core, MAC/cycle: the 16×16×16 FP16 MMAD shape (hardware.md §1 [C]). */
const FP16_MACS = 4096;

/** A single-die 910B package whose vendor peaks follow from the die. */
function b910(name: string, description: string, die: DieSpec): ChipPreset {
  const fp16 = die.aic * FP16_MACS * 2 * die.clockHz; // [I] AIC·16·16·16·2·f (hardware.md §1 table)
  return {
    name,
    description,
    package: { dies: 1, hbmBytes: die.hbmBytes, hbmBandwidth: die.hbmBandwidth, peakFp16Flops: fp16, peakInt8Ops: 2 * fp16 },
    die,
  };
}

/**
 * 910C die clock, Hz. [I] from the vendor peak of ~376 TFLOPS FP16 per die (752 per package,
 * hardware.md §2 [V]) with 24 AIC (§2 [C][S]): 376e12 / (24·4096·2) = 1.912 GHz. The 9391 platform
 * config clock is not in hardware.md; this keeps our peak equal to the peak CM384 normalises by.
 */
const CLOCK_910C_DIE_HZ = 376e12 / (24 * FP16_MACS * 2);

/** The 910C die (Ascend910_9391): a 910B-class die with 24 AIC + 48 AIV and its own 64 GiB HBM. */
const DIE_910C: DieSpec = davC220Die(
  24, // hardware.md §2 [C][S]
  CLOCK_910C_DIE_HZ,
  192 * MiB, // [I] 910B-class die: L2 as the 24-AIC 910B (hardware.md §1 [C]); the 9391 value is not in hardware.md
  HBM_64G_BYTES, // hardware.md §2 [V][C]
  HBM_1_6T_BANDWIDTH, // hardware.md §2 [V][C]
);

/**
 * The 310P die (one chip of an Atlas 300I Duo card), AI core dav-m200: cube and vector in one core.
 * hardware.md has no 310P section; card figures from memory of the Huawei Atlas 300I Duo data sheet
 * (280 TOPS INT8 / 140 TFLOPS FP16, 96 GB LPDDR4X at 408 GB/s per card, 2 chips), unverified. Per-chip
 * values are half the card [I].
 */
const DIE_310P: DieSpec = {
  // from memory of Ascend310P3.ini (8 AI cores, each with its own vector unit), unverified
  aic: 8,
  aiv: 8,
  fusedCubeVector: true,
  // [I] 70 TFLOPS FP16 per chip / (8 · 4096 · 2) ≈ 1.07 GHz; 1.08 GHz from memory of Ascend310P3.ini, unverified
  clockHz: 1.08e9,
  mmad: DAV_C220_MMAD, // from memory of the dav-m200 cube (same 16×16×16 FP16 fractal), unverified
  // from memory of Ascend310P3.ini, unverified
  buffers: { l1: 1024 * KiB, l0a: 64 * KiB, l0b: 64 * KiB, l0c: 256 * KiB, ub: 256 * KiB },
  // LPDDR4X is ~8× slower than HBM per chip; per-core rates from memory of Ascend310P3.ini, unverified
  rates: { ...DAV_C220_RATES, gmRead: 32, gmWrite: 32, l2Read: 64, l2Write: 64 },
  vectorBytesPerCycle: DAV_C220_VECTOR_BYTES_PER_CYCLE, // same vector ISA width, from memory, unverified
  l2Bytes: 16 * MiB, // from memory of Ascend310P3.ini, unverified
  hbmBytes: 48e9, // LPDDR4X, not HBM (the field holds any device memory); [I] 96 GB per card / 2 chips (Atlas 300I Duo data sheet, from memory, unverified)
  hbmBandwidth: 204e9, // [I] 408 GB/s per card / 2 chips (from memory, unverified)
};

/** Every chip preset by name (`ascend-sim list chips`, `chip:` in configs). */
export const CHIPS: Record<string, ChipPreset> = {
  "910B1": b910(
    "910B1",
    "Ascend 910B1: 24 AIC + 48 AIV @ 1.85 GHz, 363.7 TFLOPS FP16/BF16, 64 GiB HBM 1.6 TB/s, 192 MiB L2",
    // hardware.md §1 table [C]; HBM [V]
    davC220Die(24, 1.85e9, 192 * MiB, HBM_64G_BYTES, HBM_1_6T_BANDWIDTH),
  ),
  "910B2": b910(
    "910B2",
    "Ascend 910B2: 24 AIC + 48 AIV @ 1.8 GHz, 353.9 TFLOPS FP16/BF16, 64 GiB HBM 1.6 TB/s, 192 MiB L2",
    davC220Die(24, 1.8e9, 192 * MiB, HBM_64G_BYTES, HBM_1_6T_BANDWIDTH), // hardware.md §1 [C]; HBM [V]
  ),
  "910B3": b910(
    "910B3",
    "Ascend 910B3: 20 AIC + 40 AIV @ 1.8 GHz, 294.9 TFLOPS FP16/BF16, 64 GiB HBM 1.6 TB/s, 192 MiB L2",
    davC220Die(20, 1.8e9, 192 * MiB, HBM_64G_BYTES, HBM_1_6T_BANDWIDTH), // hardware.md §1 [C]; HBM [V]
  ),
  "910B4": b910(
    "910B4",
    "Ascend 910B4: 20 AIC + 40 AIV @ 1.5 GHz, 245.8 TFLOPS FP16/BF16, 32 GiB HBM 0.8 TB/s, 96 MiB L2",
    // cores, clock, 32 GiB, L2: hardware.md §1 [C]; bandwidth 800 GB/s from memory of the
    // Atlas 800I A2 32 GB configuration (half the HBM stacks of the 64 GB part), unverified
    davC220Die(20, 1.5e9, 96 * MiB, 32 * GiB, 0.8e12),
  ),
  "910C": {
    name: "910C",
    description: "Ascend 910C: 2 dies × (24 AIC + 48 AIV, 376 TFLOPS FP16/BF16, 64 GiB HBM 1.6 TB/s), die link ~210 GB/s",
    package: {
      dies: 2, // hardware.md §2 [V]
      hbmBytes: 2 * HBM_64G_BYTES, // 128 GB per package, 2 × 64 GiB (hardware.md §2 [V][C])
      hbmBandwidth: 2 * HBM_1_6T_BANDWIDTH, // 2 × 1.6 TB/s (hardware.md §2 [V])
      peakFp16Flops: 752e12, // hardware.md §2 [V] (the 752 TFLOPS SKU)
      peakInt8Ops: 1504e12, // [I] INT8 2× FP16; CM384 normalises by ~1,504 TOPS per NPU (hardware.md §2)
      // measured die-to-die on one NPU ~210 GB/s, ~0.2 µs (hardware.md §2/§3 [S])
      dieLink: { bandwidth: 210e9, latencyNs: 200 },
    },
    die: DIE_910C,
  },
  "310P": {
    name: "310P",
    description: "Atlas 300I Duo card: 2 × 310P (8 AI cores each), 140 TFLOPS FP16 / 280 TOPS INT8, 96 GB LPDDR4X 408 GB/s (unverified)",
    memoryKind: "LPDDR4X", // not HBM (from memory of the Atlas 300I Duo data sheet, unverified)
    package: {
      dies: 2, // two 310P chips per Atlas 300I Duo card (from memory of the data sheet, unverified)
      hbmBytes: 96e9, // from memory of the Atlas 300I Duo data sheet, unverified
      hbmBandwidth: 408e9, // from memory of the Atlas 300I Duo data sheet, unverified
      peakFp16Flops: 140e12, // from memory of the Atlas 300I Duo data sheet, unverified
      peakInt8Ops: 280e12, // from memory of the Atlas 300I Duo data sheet, unverified
    },
    die: DIE_310P,
  },
};

/** The preset called `name`; throws with the valid names when there is none. */
export function chipByName(name: string): ChipPreset {
  const chip = CHIPS[name];
  if (chip === undefined) {
    throw new Error(`unknown chip "${name}". Valid values are: ${Object.keys(CHIPS).join(", ")}`);
  }
  return chip;
}
