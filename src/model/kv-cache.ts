import type { ModelArchitecture } from "./architecture.js";
import { KV_ELEMENT_BYTES, type KvCachePrecision } from "./precision.js";

/*
 * KV-cache footprint. MLA caches only the compressed latent and the shared RoPE key
 * (kv_lora_rank + qk_rope_head_dim = 576 elements for DeepSeek-V3/R1, hardware.md §7); GQA caches a K
 * and a V vector per KV head.
 */

/** KV-cache elements one token adds to one layer, count. */
export function kvCacheElementsPerTokenPerLayer(a: ModelArchitecture): number {
  const att = a.attention;
  switch (att.kind) {
    case "mla":
      return att.kv_lora_rank + att.qk_rope_head_dim;
    case "gqa":
      return 2 * att.kv_heads * att.head_dim;
    case "mha":
      return 2 * att.heads * att.head_dim;
  }
}

/**
 * Fraction of a token's KV cache one attention-TP rank holds: MLA caches one latent every head reads,
 * replicated over TP (all-gathered under SP–TP–SP); GQA/MHA split the KV heads over TP, one replicated
 * head per rank when tp > KV heads. Dimensionless.
 */
export function kvCacheShareOnRank(a: ModelArchitecture, tp: number): number {
  const att = a.attention;
  if (att.kind === "mla") return 1;
  const kvHeads = att.kind === "gqa" ? att.kv_heads : att.heads;
  return Math.max(1, kvHeads / tp) / kvHeads;
}

/** KV-cache bytes one token adds to one layer at `precision`, B. */
export function kvCacheBytesPerTokenPerLayer(a: ModelArchitecture, precision: KvCachePrecision): number {
  return kvCacheElementsPerTokenPerLayer(a) * KV_ELEMENT_BYTES[precision];
}

/**
 * KV-cache bytes one token adds to the whole model at `precision`, B. MTP modules have attention and
 * so a cache of their own when they run (speculative decoding); `includeMtp` adds them. Default false.
 */
export function kvCacheBytesPerToken(a: ModelArchitecture, precision: KvCachePrecision, opts: { readonly includeMtp?: boolean } = {}): number {
  const layers = a.layers + (opts.includeMtp === true ? a.mtp_layers : 0);
  return layers * kvCacheBytesPerTokenPerLayer(a, precision);
}
