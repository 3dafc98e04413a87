/**
 * Named constants of the MoE dispatch/combine operators (hardware.md §3–§5). Shared by dispatch and
 * combine, by every EP size and by every workload that prices these operators; none exists to hit one
 * measured point.
 */

/** Bytes per element of BF16 hidden states (combine payload, dispatch payload without quantization). */
export const BF16_BYTES = 2;

/** Bytes per element of INT8-quantized hidden states. */
export const INT8_BYTES = 1;

/** Per-token dynamic-quantization scale (one FP32), bytes. [I] per-token INT8 quantization. */
export const QUANT_SCALE_BYTES = 4;

/**
 * Alignment of one token slot in the communication window, bytes. Assumption: rows padded to 512 B
 * so that a 7168-wide INT8 token + FP32 scale (7,172 B) occupies 7,680 B = 7.5 KiB, the "~7.5 KB per
 * token incl. scales" of hardware.md §4 (and 14,336 B BF16 rows stay unpadded, "~14 KB").
 */
export const TOKEN_SLOT_ALIGN_BYTES = 512;

/**
 * AIV cores a fused dispatch/combine drives UB with, per die. [I] hardware.md §3 [S]: ~95 % of UB peak
 * needs 24 of the 48 AIV, so the operator is given the 24 that saturate the die's UB ports.
 */
export const FUSED_MOE_AIV_CORES = 24;

/**
 * Fixed cost of one AIV remote write over UB besides route propagation (MTE3 descriptor to a remote
 * address, UB transaction set-up, completion response before the UB buffer slot is reused), ns.
 * hardware.md §3 [S]: a 512-byte NPU↔NPU access takes 1.2 µs; we charge that figure per message as the
 * cost of a small remote access and add the route's one-way latency for the data to land ([I]: the
 * source does not split it into set-up and propagation, and the figure itself contains a round trip
 * inside a node — with this reading three of the four CM384 operator points fall within 10 %, combine
 * EP8 is 14 % fast; test/calibration/ub-measured.test.ts). No SDMA task start-up is involved (§4).
 */
export const AIV_UB_WRITE_STARTUP_NS = 1200;

/**
 * Streaming UB write rate of one AIV core, bytes/s. [I] from xDeepServe (hardware.md §5): send/recv of
 * up to 1 MB (2^20 B) with 2 AIV cores stays under 20 µs, so one core moves 2^19 B in at most
 * 20 µs − 1.2 µs start-up − 0.35 µs one-way intra-node latency (hardware.md §3, its 0.7 µs read as a
 * round trip: src/topology/cloudmatrix.ts) → ≥ 28.4 GB/s; we take the bound.
 * Consistency check with hardware.md §3 ("~95 % of UB peak needs 24 of 48 AIV"): with this rate, the
 * start-up and 0.35 µs latency, 24 cores writing 16 KiB messages reach ~0.94 × 196 GB/s.
 */
export const AIV_UB_WRITE_BYTES_PER_S = 2 ** 19 / ((20_000 - 1_200 - 350) * 1e-9);

/**
 * Size of one status flag a rank writes to each peer after its data, bytes: one 32-byte block, the
 * data-copy granule of the AIV (from memory of the Ascend C DataCopy 32-byte alignment rule, unverified).
 */
export const STATUS_FLAG_BYTES = 32;

/**
 * Vector passes of per-token INT8 dynamic quantization over the FP32 row: cast BF16→FP32, |x|,
 * reduce-max, multiply by 127/max, cast FP32→FP16, cast FP16→INT8. [I] from the operation sequence;
 * each pass streams the FP32-width row through the vector unit once.
 */
export const QUANT_VECTOR_PASSES = 6;

/**
 * Vector passes per received copy of the combine weighted sum: cast BF16→FP32, multiply-accumulate by
 * the router weight. [I] from the operation sequence.
 */
export const WEIGHTED_SUM_VECTOR_PASSES = 2;

/** Bytes per element of the FP32 rows the vector unit works on. */
export const FP32_BYTES = 4;
