import { z } from "zod";
import { chipField } from "../../config/preset-fields.js";

/** Positive integer field (a count of elements, tokens, heads…). */
const count = () => z.number().int().positive();

/** A subset of the die's cores an operator runs on (`{aic: 16, aiv: 32}`); default the whole die. */
const cores = z.strictObject({ aic: count().optional(), aiv: count().optional() }).optional();

/** Fields every operator entry takes: a display label and its cores. */
const common = { label: z.string().optional(), cores };

const gemmDtype = z.enum(["bf16", "fp16", "int8", "w4a16"]).default("bf16");

/** One operator to time; `op` selects the shape fields (elements, tokens, heads are counts). */
export const opEntrySchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("gemm"), m: count(), n: count(), k: count(), dtype: gemmDtype, ...common }),
  z.strictObject({ op: z.literal("grouped_gemm"), groups: count(), m: count(), n: count(), k: count(), dtype: gemmDtype, ...common }),
  z.strictObject({
    op: z.literal("mla_decode"),
    batch: count(),
    kv_len: count(),
    heads: count().default(128), // query heads; default DeepSeek-V3's 128 (hardware.md §7)
    q_tokens: count().default(1),
    dtype: z.literal("bf16").default("bf16"),
    ...common,
  }),
  z.strictObject({
    op: z.literal("gqa_decode"),
    batch: count(),
    kv_len: count(),
    heads: count(),
    kv_heads: count(),
    head_dim: count(),
    q_tokens: count().default(1),
    dtype: z.literal("bf16").default("bf16"),
    ...common,
  }),
  z.strictObject({
    op: z.literal("prefill_attention"),
    batch: count(),
    seq_len: count(),
    heads: count(),
    kv_heads: count(),
    head_dim: count(),
    v_head_dim: count().optional(),
    causal: z.boolean().default(true),
    dtype: z.literal("bf16").default("bf16"),
    ...common,
  }),
  z.strictObject({ op: z.literal("rmsnorm"), tokens: count(), hidden: count(), ...common }),
  z.strictObject({ op: z.literal("rope"), tokens: count(), heads: count(), rope_dim: count(), ...common }),
  z.strictObject({ op: z.literal("softmax"), rows: count(), cols: count(), ...common }),
  z.strictObject({ op: z.literal("gating_topk"), tokens: count(), experts: count(), k: count(), ...common }),
  z.strictObject({ op: z.literal("quantize"), tokens: count(), hidden: count(), ...common }),
  z.strictObject({ op: z.literal("dequantize"), tokens: count(), hidden: count(), ...common }),
  z.strictObject({ op: z.literal("swiglu"), tokens: count(), ffn: count(), ...common }),
  z.strictObject({ op: z.literal("add"), elements: count(), ...common }),
]);

/** One parsed operator entry. */
export type OpEntry = z.output<typeof opEntrySchema>;

/** The `workload:` section of an op-bench run: operators timed one after another on one die. */
export const opBenchSchema = z.strictObject({
  kind: z.literal("op-bench"),
  /** Chip preset; operators run on one die of it. */
  chip: chipField(),
  ops: z.array(opEntrySchema).min(1),
});

/** Parsed op-bench configuration. */
export type OpBenchConfig = z.output<typeof opBenchSchema>;
