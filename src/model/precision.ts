/*
 * Storage precisions of weights and of the KV cache, and what one element costs in bytes.
 */

/**
 * How weights are stored. `bf16`: everything 2 B. `w8a8`: INT8 linear weights (activations quantised
 * per token at run time) with norms, embeddings, LM head and router kept in BF16, as the CM384 DeepSeek-R1
 * deployment does (targets.md T1: "norms/gating in BF16/FP32"). `w4a16`: INT4 linear weights with BF16
 * group scales, dequantised to BF16 on the vector cores; the same tensors as `w8a8` stay BF16.
 */
export type WeightPrecision = "bf16" | "w8a8" | "w4a16";

/** Every weight precision, for schemas and listings. */
export const WEIGHT_PRECISIONS: readonly WeightPrecision[] = Object.freeze(["bf16", "w8a8", "w4a16"] as const);

/** Precision of the KV cache entries. */
export type KvCachePrecision = "bf16" | "fp16" | "int8";

/** Every KV-cache precision, for schemas and listings. */
export const KV_CACHE_PRECISIONS: readonly KvCachePrecision[] = Object.freeze(["bf16", "fp16", "int8"] as const);

/** Bytes of one KV-cache element, B. */
export const KV_ELEMENT_BYTES: Readonly<Record<KvCachePrecision, number>> = Object.freeze({ bf16: 2, fp16: 2, int8: 1 });

/** Bytes of one weight kept in high precision (norms, embeddings, router, LM head), B. */
export const BF16_BYTES = 2;

/** Bytes of one quantised linear-layer weight element, B. */
export const LINEAR_WEIGHT_BYTES: Readonly<Record<WeightPrecision, number>> = Object.freeze({ bf16: 2, w8a8: 1, w4a16: 0.5 });

/**
 * W8A8 keeps one FP32 dequantisation scale per output channel of each linear layer, B per output channel.
 * Assumption (per-channel symmetric INT8 as in msModelSlim W8A8), not from hardware.md; it adds
 * 4 / in_features B per 1 B weight: 0.8 % for the 512-wide input of MLA's kv_b_proj, 0.5 % for
 * Qwen3-30B-A3B's 768-wide expert down_proj, < 0.3 % for inputs of 1,536 and wider (most of every preset).
 */
export const W8A8_SCALE_BYTES_PER_OUTPUT_CHANNEL = 4;

/**
 * W4A16 groups consecutive input elements of each output row and stores one BF16 scale per group:
 * group size, elements. 128 is the common GPTQ/AWQ default; an assumption, not from hardware.md.
 */
export const W4A16_GROUP_SIZE = 128;

/** Bytes of one W4A16 group scale (BF16), B. */
export const W4A16_SCALE_BYTES = 2;
