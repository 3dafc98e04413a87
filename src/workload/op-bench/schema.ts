import { z } from "zod";
import { formatBytes } from "../../units/index.js";
import { chipField } from "../../config/preset-fields.js";
import { CHIPS } from "../../hw/chips.js";
import { computeOpFits, footprintBytes } from "../../hw/ops/op-descriptor.js";

/** Positive integer field (a count of elements, tokens, heads…). */
const count = () => z.number().int().positive();

/** A subset of the die's cores an operator runs on (`{aic: 16, aiv: 32}`); default the whole die. */
const cores = z.strictObject({ aic: count().optional(), aiv: count().optional() }).optional();

/** Fields every operator entry takes: a display label and its cores. */
const common = { label: z.string().optional(), cores };

const gemmDtype = z.enum(["bf16", "fp16", "int8", "w4a16"]).default("bf16");

/** Query heads share the KV heads in equal groups (attention.ts requires it). */
function kvHeadsDivideHeads(e: { heads: number; kv_heads: number }, ctx: z.RefinementCtx): void {
  if (e.heads % e.kv_heads !== 0) ctx.addIssue({ code: "custom", path: ["kv_heads"], message: `kv_heads (${e.kv_heads}) must divide heads (${e.heads})` });
}

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
    latent_dim: count().optional(), // latent elements per token (kv_lora + rope); default 576 (hardware.md §7)
    value_dim: count().optional(), // value elements per token (kv_lora); default 512
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
  }).superRefine(kvHeadsDivideHeads),
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
  }).superRefine(kvHeadsDivideHeads),
  z.strictObject({ op: z.literal("rmsnorm"), tokens: count(), hidden: count(), ...common }),
  z.strictObject({ op: z.literal("rope"), tokens: count(), heads: count(), rope_dim: count(), ...common }),
  z.strictObject({ op: z.literal("softmax"), rows: count(), cols: count(), ...common }),
  z.strictObject({ op: z.literal("gating_topk"), tokens: count(), experts: count(), k: count(), ...common }).superRefine((e, ctx) => {
    if (e.k > e.experts) ctx.addIssue({ code: "custom", path: ["k"], message: `expected at most the ${e.experts} experts, got ${e.k}` });
  }),
  z.strictObject({ op: z.literal("quantize"), tokens: count(), hidden: count(), ...common }),
  z.strictObject({ op: z.literal("dequantize"), tokens: count(), hidden: count(), ...common }),
  z.strictObject({ op: z.literal("swiglu"), tokens: count(), ffn: count(), ...common }),
  z.strictObject({ op: z.literal("add"), elements: count(), ...common }),
]);

/** One parsed operator entry. */
export type OpEntry = z.output<typeof opEntrySchema>;

/** The `workload:` section of an op-bench run: operators timed one after another on one die. */
export const opBenchSchema = z
  .strictObject({
    kind: z.literal("op-bench"),
    /** Chip preset; operators run on one die of it. */
    chip: chipField(),
    ops: z.array(opEntrySchema).min(1),
  })
  .superRefine((cfg, ctx) => {
    // what the die decides: the cores an op may take, and whether its attention kernel fits the core buffers
    if (!Object.hasOwn(CHIPS, cfg.chip)) return; // chipField reports it
    const die = CHIPS[cfg.chip]!.die;
    cfg.ops.forEach((e, i) => {
      let coresFit = true;
      for (const [unit, max, what] of [["aic", die.aic, "cube"], ["aiv", die.aiv, "vector"]] as const) {
        const n = e.cores?.[unit];
        if (n !== undefined && n > max) {
          ctx.addIssue({ code: "custom", path: ["ops", i, "cores", unit], message: `expected at most the ${max} ${what} cores of a ${cfg.chip} die, got ${n}` });
          coresFit = false;
        }
      }
      // on a fused die (310P) each AI core holds one cube and one vector unit: a stream takes whole cores
      const { aic, aiv } = e.cores ?? {};
      if (coresFit && die.fusedCubeVector && aic !== undefined && aiv !== undefined && aic !== aiv) {
        ctx.addIssue({ code: "custom", path: ["ops", i, "cores", "aiv"], message: `a ${cfg.chip} AI core holds its cube and vector units together, so an operator gets as many of each: expected aiv equal to aic (${aic}), got ${aiv}` });
      }
      const footprint = footprintBytes(e);
      if (footprint > die.hbmBytes) {
        ctx.addIssue({ code: "custom", path: ["ops", i], message: `its inputs and output take ${formatBytes(footprint)} of HBM, a ${cfg.chip} die has ${formatBytes(die.hbmBytes)}: expected a smaller shape` });
        return;
      }
      if (coresFit && !computeOpFits(die, e)) {
        const kib = (b: number): string => `${b / 1024} KiB`;
        ctx.addIssue({
          code: "custom",
          path: ["ops", i, e.op === "mla_decode" ? "latent_dim" : "head_dim"],
          message: `no attention kernel tiling of these ${e.op === "mla_decode" ? "latent dimensions" : "head dimensions"} fits the core buffers of a ${cfg.chip} die (L1 ${kib(die.buffers.l1)}, UB ${kib(die.buffers.ub)}): use a smaller ${e.op === "mla_decode" ? "latent_dim or value_dim" : "head_dim or v_head_dim"}`,
        });
      }
    });
  });

/** Parsed op-bench configuration. */
export type OpBenchConfig = z.output<typeof opBenchSchema>;
