import { moeLayerCount, type ModelArchitecture } from "./architecture.js";
import { tensorElements, weightTensors, type WeightTensor } from "./weights.js";

/*
 * Parameter counts from an architecture. Conventions, chosen to match how the published totals are
 * counted (each checked in test/unit/model/counts.test.ts):
 * - Totals count the input embedding and the LM head (once if tied) and exclude MTP modules by default:
 *   DeepSeek-V3's "671B" excludes its MTP module; "685B" is the checkpoint, whose MTP layer also stores a
 *   copy of the embedding and the head.
 * - Active parameters never count MTP by default and count the LM head. Whether the input embedding table
 *   counts differs between publishers (a lookup reads one row, not the table): DeepSeek and Pangu Ultra MoE
 *   leave it out, Qwen3 and Pangu Pro MoE put it in. Pass `includeEmbedding` to pick.
 */

/** Options of `totalParams`. */
export interface TotalParamOptions {
  /** Count the MTP modules' own weights. Default false (DeepSeek-V3's 671B). */
  readonly includeMtp?: boolean;
  /** With `includeMtp`, also count the embedding and head copies a DeepSeek checkpoint stores per MTP module (685B). Default false. */
  readonly mtpEmbeddingCopies?: boolean;
}

/** Options of `activeParams`. */
export interface ActiveParamOptions {
  /** Count the whole input embedding table as active (Qwen3, Pangu Pro MoE convention). Default false (DeepSeek convention). */
  readonly includeEmbedding?: boolean;
  /** Count the MTP modules a token also runs through (training, speculative decoding). Default false. */
  readonly includeMtp?: boolean;
}

/** Parameters by component, count. Main-model components exclude MTP; `mtp` holds the MTP modules' own weights. */
export interface ParamBreakdown {
  /** Input embedding table, count. */
  readonly embedding: number;
  /** Attention projections (and biases) of all main layers, count. */
  readonly attention: number;
  /** Dense FFNs of the dense layers, count. */
  readonly denseFfn: number;
  /** Routed experts of all MoE layers, count. */
  readonly routedExperts: number;
  /** Shared experts of all MoE layers, count. */
  readonly sharedExperts: number;
  /** Router (gate) weights and biases of all MoE layers, count. */
  readonly router: number;
  /** All norm weights (layer norms, MLA latent norms, QK norms, final norm), count. */
  readonly norms: number;
  /** LM head, count (0 when tied to the embedding). */
  readonly lmHead: number;
  /** MTP modules' own weights (projection, norms, their decoder layers), count. */
  readonly mtp: number;
  /** Embedding and head copies a DeepSeek-style checkpoint stores in each MTP module, count (not in any total by default). */
  readonly mtpEmbeddingCopies: number;
}

function sum(ts: readonly WeightTensor[], pick: (t: WeightTensor) => number): number {
  let s = 0;
  for (const t of ts) s += pick(t) * tensorElements(t);
  return s;
}

const stored = (t: WeightTensor): number => t.stored;

/** Parameters of the model by component, count. */
export function paramBreakdown(a: ModelArchitecture): ParamBreakdown {
  const all = weightTensors(a, { includeMtp: true });
  const main = all.filter((t) => !t.mtp);
  const of = (c: WeightTensor["component"]): number => sum(main.filter((t) => t.component === c), stored);
  const table = a.vocab_size * a.hidden_size;
  return {
    embedding: of("embedding"),
    attention: of("attention"),
    denseFfn: of("dense_ffn"),
    routedExperts: of("routed_experts"),
    sharedExperts: of("shared_experts"),
    router: of("router"),
    norms: of("norms"),
    lmHead: of("lm_head"),
    mtp: sum(all.filter((t) => t.mtp), stored),
    mtpEmbeddingCopies: a.mtp_layers * table * (a.tie_embeddings ? 1 : 2),
  };
}

/** Total parameters, count; see the module comment for what is counted. */
export function totalParams(a: ModelArchitecture, opts: TotalParamOptions = {}): number {
  const includeMtp = opts.includeMtp === true;
  const copies = includeMtp && opts.mtpEmbeddingCopies === true ? paramBreakdown(a).mtpEmbeddingCopies : 0;
  return sum(weightTensors(a, { includeMtp }), stored) + copies;
}

/**
 * Distinct parameters one token's forward pass uses, count: every non-expert weight, `top_k` routed and
 * all shared experts per MoE layer, and the LM head. A matrix used twice (a tied head, the MTP modules'
 * shared head) counts once.
 */
export function activeParams(a: ModelArchitecture, opts: ActiveParamOptions = {}): number {
  const ts = weightTensors(a, { includeMtp: opts.includeMtp === true });
  const own = sum(
    ts.filter((t) => t.role !== "embedding" && t.sharesStorageWith === undefined),
    (t) => t.active,
  );
  // A tied head touches the whole table anyway.
  const tableCounted = opts.includeEmbedding === true || a.tie_embeddings;
  return own + (tableCounted ? a.vocab_size * a.hidden_size : 0);
}

/** Attention parameters of one decoder layer (projections and biases, not norms), count. */
export function attentionParamsPerLayer(a: ModelArchitecture): number {
  const ts = weightTensors(a).filter((t) => t.component === "attention");
  // Every attention tensor appears once per layer, so its stored count is the layer count.
  return sum(ts, (t) => t.stored / a.layers);
}

/** How the parameters divide for expert-parallel placement, count. */
export interface ExpertSplit {
  /** Parameters of one routed expert in one MoE layer (gate, up and down), count. */
  readonly perRoutedExpert: number;
  /** Parameters of one shared expert in one MoE layer, count (0 without shared experts). */
  readonly perSharedExpert: number;
  /** Layers holding experts (MoE layers, plus MTP modules when included), count. */
  readonly moeLayers: number;
  /** All routed-expert parameters: what expert parallelism shards, count. */
  readonly routedExperts: number;
  /**
   * All shared-expert parameters, count. Every token uses them, so they are replicated: with the dense
   * part on attention ranks, or as expert slots of their own (CM384 EP320 puts 32 shared-expert replicas
   * on dedicated dies, targets.md T1).
   */
  readonly sharedExperts: number;
  /** Everything else (embedding, attention, dense FFN, router, norms, LM head, MTP projection): replicated or TP-sharded, count. */
  readonly dense: number;
}

/** Expert vs dense parameters for expert-parallel placement, count. */
export function expertSplit(a: ModelArchitecture, opts: { readonly includeMtp?: boolean } = {}): ExpertSplit {
  const includeMtp = opts.includeMtp === true;
  const ts = weightTensors(a, { includeMtp });
  const routed = ts.filter((t) => t.component === "routed_experts");
  const shared = ts.filter((t) => t.component === "shared_experts");
  const moeLayers = moeLayerCount(a) + (includeMtp && moeLayerCount(a) > 0 ? a.mtp_layers : 0);
  const routedTotal = sum(routed, stored);
  const sharedTotal = sum(shared, stored);
  const moe = a.moe;
  return {
    perRoutedExpert: moe === undefined || moeLayers === 0 ? 0 : routedTotal / (moeLayers * moe.routed_experts),
    perSharedExpert: moe === undefined || moeLayers === 0 || moe.shared_experts === 0 ? 0 : sharedTotal / (moeLayers * moe.shared_experts),
    moeLayers,
    routedExperts: routedTotal,
    sharedExperts: sharedTotal,
    dense: sum(ts, stored) - routedTotal - sharedTotal,
  };
}
