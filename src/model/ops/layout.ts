import { z } from "zod";
import type { ModelArchitecture } from "../architecture.js";
import { sharedIntermediateSize } from "../architecture.js";

/*
 * How one model instance is cut over ranks. A rank is one die (a 910C package is two ranks). Attention
 * and the experts are parallelised separately, as MoE serving stacks do (CM384 decode: attention
 * data-parallel on every die, experts EP320; targets.md T1). Keys are snake_case so the schema can sit in
 * a YAML config unchanged.
 */

const positive = () => z.int().min(1);

/** Parallel layout of one model instance: attention, experts, shared experts. */
export const parallelLayoutSchema = z.strictObject({
  attention: z
    .strictObject({
      /** Data-parallel attention replicas, count (informational here: every op list is per rank; `dp` groups the gradient all-reduce of training). */
      dp: positive().default(1),
      /** Tensor-parallel ranks per attention replica: heads, dense FFN, LM head vocabulary are split this many ways, count. */
      tp: positive().default(1),
      /**
       * Sequence parallelism over the attention TP group (Megatron SP; CM384 prefill's SP–TP–SP): between
       * the TP regions each rank holds 1/tp of the tokens, all-gather before and reduce-scatter after them.
       */
      sp: z.boolean().default(false),
    })
    .prefault({}),
  experts: z
    .strictObject({
      /** Expert-parallel ranks: the routed expert slots are divided over this many ranks, count. */
      ep: positive().default(1),
      /** Tensor-parallel ranks per expert slot (each holds 1/tp of every local expert's FFN), count. */
      tp: positive().default(1),
      /** Extra routed-expert slots holding copies of hot experts (EPLB), over the whole EP group, count. */
      redundant_experts: z.int().min(0).default(0),
    })
    .prefault({}),
  shared_experts: z
    .strictObject({
      /**
       * `replicated`: every rank runs the shared experts on its own tokens. `tp`: sharded over the
       * attention TP group like a dense FFN, then reduce-scattered. `dedicated`: `replicas` copies placed
       * as expert slots on EP ranks of their own; tokens reach them through dispatch like a routed expert
       * (CM384 decode EP320: 32 shared-expert replicas on 32 of the 320 dies, targets.md T1).
       */
      placement: z.enum(["replicated", "tp", "dedicated"]).default("replicated"),
      /** `dedicated` only: copies of the shared-expert set in the EP group, count. */
      replicas: z.int().min(0).default(0),
    })
    .prefault({}),
});

/** A user-written parallel layout (defaults not filled). */
export type ParallelLayoutInput = z.input<typeof parallelLayoutSchema>;
/** A parallel layout with defaults filled: what the op builders take. */
export type ParallelLayout = z.output<typeof parallelLayoutSchema>;

/** A layout with every default filled from a partial one (tests, programmatic callers). */
export function parallelLayout(input: ParallelLayoutInput = {}): ParallelLayout {
  return parallelLayoutSchema.parse(input);
}

/**
 * Expert slots of an EP group. Slots are numbered routed first (routed experts, then redundant copies),
 * then dedicated shared-expert slots; EP rank r holds slots [r·slotsPerRank, (r+1)·slotsPerRank).
 */
export interface ExpertPlacement {
  /** Routed-expert slots: routed experts + redundant copies, count. */
  readonly routedSlots: number;
  /** Dedicated shared-expert slots: replicas × shared experts (0 unless `dedicated`), count. */
  readonly sharedSlots: number;
  /** Slots per EP rank, count. */
  readonly slotsPerRank: number;
}

/** Everything wrong with `layout` for `arch`, as messages (empty when it fits). */
export function layoutIssues(arch: ModelArchitecture, layout: ParallelLayout): string[] {
  const out: string[] = [];
  const tp = layout.attention.tp;
  const att = arch.attention;
  if (att.heads % tp !== 0) out.push(`attention.tp (${tp}) must divide the ${att.heads} attention heads`);
  if (att.kind === "gqa" && att.kv_heads % tp !== 0 && tp % att.kv_heads !== 0) {
    out.push(`attention.tp (${tp}) and kv_heads (${att.kv_heads}) must divide one another (KV heads are split, or replicated when tp > kv_heads)`);
  }
  if (arch.dense_intermediate_size !== undefined && arch.dense_intermediate_size % tp !== 0) {
    out.push(`attention.tp (${tp}) must divide dense_intermediate_size (${arch.dense_intermediate_size})`);
  }
  const moe = arch.moe;
  if (moe !== undefined) {
    const etp = layout.experts.tp;
    if (moe.expert_intermediate_size % etp !== 0) out.push(`experts.tp (${etp}) must divide expert_intermediate_size (${moe.expert_intermediate_size})`);
    const shared = layout.shared_experts;
    const sharedFfn = sharedIntermediateSize(moe);
    if (shared.placement === "dedicated") {
      if (moe.shared_experts > 0 && shared.replicas < 1) out.push(`shared_experts.replicas must be at least 1 with placement dedicated`);
      if (sharedFfn % etp !== 0) out.push(`experts.tp (${etp}) must divide the shared expert's intermediate size (${sharedFfn})`);
    } else if (shared.replicas !== 0) {
      out.push(`shared_experts.replicas only applies to placement dedicated, got ${shared.replicas} with ${shared.placement}`);
    }
    if (shared.placement === "tp" && (moe.shared_experts * sharedFfn) % tp !== 0) {
      out.push(`attention.tp (${tp}) must divide the shared experts' intermediate size (${moe.shared_experts} × ${sharedFfn})`);
    }
    const slots = moe.routed_experts + layout.experts.redundant_experts + (shared.placement === "dedicated" ? shared.replicas * moe.shared_experts : 0);
    if (slots % layout.experts.ep !== 0) {
      out.push(`experts.ep (${layout.experts.ep}) must divide the ${slots} expert slots (routed + redundant${shared.placement === "dedicated" ? " + dedicated shared" : ""})`);
    }
  }
  return out;
}

/** Throws a RangeError listing every issue of `layout` for `arch`. */
export function checkLayout(arch: ModelArchitecture, layout: ParallelLayout): void {
  const issues = layoutIssues(arch, layout);
  if (issues.length > 0) throw new RangeError(`parallel layout does not fit the model: ${issues.join("; ")}`);
}

/** How the expert slots of `arch` are placed on the EP group of `layout` (throws if they do not divide evenly). */
export function expertPlacement(arch: ModelArchitecture, layout: ParallelLayout): ExpertPlacement {
  const moe = arch.moe;
  if (moe === undefined) return { routedSlots: 0, sharedSlots: 0, slotsPerRank: 0 };
  checkLayout(arch, layout);
  const routedSlots = moe.routed_experts + layout.experts.redundant_experts;
  const sharedSlots = layout.shared_experts.placement === "dedicated" ? layout.shared_experts.replicas * moe.shared_experts : 0;
  return { routedSlots, sharedSlots, slotsPerRank: (routedSlots + sharedSlots) / layout.experts.ep };
}
