import type { MoeRouting } from "../../collectives/moe-routing.js";
import { serverGrid } from "../../collectives/rank-layout.js";
import type { DieSpec } from "../../hw/chip-spec.js";
import { computeOpCost, type ComputeOp } from "../../hw/ops/op-descriptor.js";
import { denseLayerCount, type ModelArchitecture } from "../../model/architecture.js";
import {
  ACTIVATION_BYTES,
  attentionItems,
  backwardItems,
  balancedExpertLoad,
  denseFfnItems,
  embeddingItems,
  headItems,
  layerFlops,
  moeFfnItems,
  moeTokensPerRank,
  mtpModuleItems,
  residualTokens,
  type CommItem,
  type ExpertLoad,
  type LayerItem,
  type LayerOpsInput,
} from "../../model/ops/index.js";
import type { CommPricer } from "./comm-pricing.js";
import { groupOf, stageCoord, type TrainingLayout } from "./layout.js";
import type { LayerRouting } from "./routing.js";
import type { RecomputeModule, TrainingConfig } from "./schema.js";

/*
 * What one virtual stage costs per micro-batch on the representative rank: the forward (F) and
 * backward (B) tasks as ordered segments — compute (consecutive operators on the die, summed) and
 * communication (priced on the network) — built from the model's operator lists (src/model/ops) with
 * training shapes (BF16, phase train_forward; backward = dgrad + wgrad GEMMs and two FlashAttention
 * passes of (3·d_qk + 2·d_v) MACs per score pair, backward.ts).
 * - Recompute: `full` re-runs each layer's whole forward (its collectives too) right before the layer's
 *   backward (Megatron per-layer checkpointing); `selective` re-runs only the listed modules' operators.
 * - CP: every CP rank holds seq/cp query tokens; ring attention gathers the K/V of the other cp−1 chunks
 *   (an all-gather over the CP group before the attention kernel, a reduce-scatter of dK/dV in backward)
 *   and does 1/cp of the causal work (cp kernels of (s/cp)² causal pairs).
 * - PP: a forward ends with the activation send to the next virtual stage, a backward with the gradient
 *   send to the previous one.
 */

/** Segment kinds: compute, then the communication kinds the metrics report. */
export const SEG = { compute: 0, tp: 1, ep: 2, pp: 3, cp: 4 } as const;
/** Names of the communication kinds by segment kind. */
export const COMM_KIND_NAMES = ["compute", "tp", "ep", "pp", "cp"] as const;

/** One task's segments in order. */
export interface TaskSegments {
  /** Durations, ns. */
  readonly dur: Float64Array;
  /** Kinds (SEG). */
  readonly kind: Uint8Array;
  /** Labels (for spans). */
  readonly label: readonly string[];
}

/** Cost of one virtual stage per micro-batch. */
export interface VirtualStageCost {
  readonly F: TaskSegments;
  readonly B: TaskSegments;
  /** Matrix FLOPs one rank executes per micro-batch (F + B + recompute) under balanced routing, FLOP. */
  readonly executedFlopsPerRank: number;
  /** Parameters one rank holds for this virtual stage: dense (replicated over dp) and expert (over dp/ep), count. */
  readonly denseParams: number;
  readonly expertParams: number;
}

/** Everything the builders need. */
export interface StageCostContext {
  readonly arch: ModelArchitecture;
  readonly cfg: TrainingConfig;
  readonly layout: TrainingLayout;
  readonly die: DieSpec;
  /** Prices collectives; needed by `build`, not by `params`. */
  readonly pricer?: CommPricer;
  /** Routing of each MoE layer (by decoder layer index; MTP modules use index `layers + k`). */
  readonly routing: (layer: number) => LayerRouting;
  readonly includeMtp: boolean;
  /** DP replica (dp coordinate) the stages belong to. */
  readonly dpIndex: number;
}

class SegmentBuilder {
  readonly dur: number[] = [];
  readonly kind: number[] = [];
  readonly label: string[] = [];
  add(kind: number, ns: number, label: string): void {
    const n = this.kind.length;
    if (kind === SEG.compute && n > 0 && this.kind[n - 1] === SEG.compute) {
      this.dur[n - 1]! += ns;
      return;
    }
    this.dur.push(ns);
    this.kind.push(kind);
    this.label.push(label);
  }
  build(): TaskSegments {
    return { dur: Float64Array.from(this.dur), kind: Uint8Array.from(this.kind), label: this.label };
  }
}

/** Memoised operator cost on a die by shape, ns. */
export class OpCostCache {
  private readonly memo = new Map<string, number>();
  constructor(private readonly die: DieSpec) {}
  ns(op: ComputeOp): number {
    let key = op.op;
    for (const [k, v] of Object.entries(op)) if (k !== "label" && k !== "op") key += `|${k}=${String(v)}`;
    let v = this.memo.get(key);
    if (v === undefined) this.memo.set(key, (v = computeOpCost(this.die, op).ns));
    return v;
  }
}

function moduleOf(op: ComputeOp): RecomputeModule | undefined {
  switch (op.op) {
    case "rmsnorm":
      return "norm";
    case "swiglu":
      return "activation";
    case "rope":
      return "rope";
    case "prefill_attention":
      return "attention_core";
    case "gemm": {
      // the MTP module's decoder layer carries the same operators with an "mtp " label prefix (mtp-ops.ts)
      const label = op.label?.startsWith("mtp ") ? op.label.slice(4) : op.label;
      return label === "q_b_proj" || label === "kv_b_proj" ? "attention_up_proj" : undefined;
    }
    default:
      return undefined;
  }
}

/** A decoder layer's (or block's) forward items with the layer index its MoE collectives belong to. */
interface Block {
  readonly items: readonly LayerItem[];
  /** Decoder layer index (MTP: layers + k), or -1 for embedding/head. */
  readonly layer: number;
  /** Whether recompute applies (decoder layers and MTP layers). */
  readonly recomputable: boolean;
}

/** Bytes of K and V one CP rank contributes per token for ring attention, B. */
function cpKvBytesPerToken(input: LayerOpsInput): number {
  const att = input.arch.attention;
  const tp = input.layout.attention.tp;
  if (att.kind === "mla") return (att.heads / tp) * (att.qk_nope_head_dim + att.qk_rope_head_dim + att.v_head_dim) * ACTIVATION_BYTES;
  const kv = att.kind === "gqa" ? Math.max(1, att.kv_heads / tp) : att.heads / tp;
  return kv * 2 * att.head_dim * ACTIVATION_BYTES;
}

/** Builds the per-virtual-stage costs of one DP replica. */
export class StageCostBuilder {
  private readonly ops: OpCostCache;
  readonly input: LayerOpsInput;

  constructor(private readonly c: StageCostContext) {
    this.ops = new OpCostCache(c.die);
    const { cfg, layout } = c;
    this.input = {
      arch: c.arch,
      precision: "bf16",
      layout: layout.opLayout,
      shape: { phase: "train_forward", sequences: cfg.micro_batch_size, queryTokens: cfg.seq_len / layout.cp },
    };
  }

  /**
   * The expert load of the busiest rank of layer `layer`'s routing. The routing holds the copies of one
   * MoE group's tokens (moeGroup × tokens per rank × top_k). Without TP-extend-EP the group is the ep
   * ranks of one tp index and every expert is tensor-split over the tp ranks: each shard computes the
   * rows of all tp slices (the expert-TP AllGatherV inside dispatch, hardware.md §4), so the group's
   * copies count expertTp times (the other slices are taken to route alike: one draw per layer).
   */
  private hotLoad(r: LayerRouting): ExpertLoad {
    const { moeGroup: g, expertTp } = this.c.layout;
    const per = r.perExpert.length / g;
    const routed: number[] = [];
    for (let e = r.hotRank * per; e < (r.hotRank + 1) * per; e++) routed.push(r.perExpert[e]! * expertTp);
    return { routed, shared: [] };
  }

  private withCp(items: LayerItem[]): LayerItem[] {
    const cp = this.c.layout.cp;
    if (cp === 1) return items;
    const out: LayerItem[] = [];
    const tokens = this.input.shape.sequences * this.input.shape.queryTokens;
    for (const it of items) {
      if (it.kind === "compute" && it.op.op === "prefill_attention") {
        out.push({ kind: "comm", comm: "all_gather", group: "cp", bytes: tokens * cpKvBytesPerToken(this.input) * cp, label: "CP K/V all-gather" });
        out.push({ ...it, count: cp });
      } else out.push(it);
    }
    return out;
  }

  /** Forward items of decoder layer `layer` with `load` for its MoE block. */
  private layerItems(layer: number, load: ExpertLoad | undefined): LayerItem[] {
    const moeLayer = this.c.arch.moe !== undefined && layer >= denseLayerCount(this.c.arch);
    const items = [...attentionItems(this.input), ...(moeLayer ? moeFfnItems(this.input, load ?? balancedExpertLoad(this.input)) : denseFfnItems(this.input))];
    return this.withCp(items);
  }

  private blocks(v: number, balanced: boolean): Block[] {
    const { layout, arch } = this.c;
    const out: Block[] = [];
    if (v === 0) out.push({ items: embeddingItems(this.input), layer: -1, recomputable: false });
    const first = layout.stageFirstLayer[v]!;
    for (let l = first; l < first + layout.stageLayers[v]!; l++) {
      const moeLayer = arch.moe !== undefined && l >= denseLayerCount(arch);
      const load = moeLayer && !balanced ? this.hotLoad(this.c.routing(l)) : undefined;
      out.push({ items: this.layerItems(l, load), layer: l, recomputable: true });
    }
    if (v === layout.pp * layout.vpp - 1) {
      out.push({ items: headItems(this.input), layer: -1, recomputable: false });
      if (this.c.includeMtp) {
        for (let k = 0; k < arch.mtp_layers; k++) {
          const l = arch.layers + k;
          const load = arch.moe !== undefined && !balanced ? this.hotLoad(this.c.routing(l)) : arch.moe !== undefined ? balancedExpertLoad(this.input) : undefined;
          out.push({ items: this.withCp(mtpModuleItems(this.input, load)), layer: l, recomputable: true });
        }
      }
    }
    return out;
  }

  private recomputeItems(b: Block): LayerItem[] {
    const { cfg } = this.c;
    if (!b.recomputable || cfg.recompute === "none") return [];
    if (cfg.recompute === "full") return b.items.map((i) => (i.kind === "compute" ? { ...i, label: `${i.label} (recompute)` } : { ...i, label: `${i.label} (recompute)` }));
    const mods = new Set(cfg.recompute_modules);
    return b.items.filter((i) => i.kind === "compute" && mods.has(moduleOf(i.op)!));
  }

  /**
   * Backward items of a block: `backwardItems` plus, right before the backward of the operator that
   * consumes it, a second copy of every forward all-gather whose output is not kept for backward — the
   * SP input gathers (Megatron keeps the 1/tp slice and re-gathers it for the wgrad GEMM, the memory
   * plan's "norm output re-gathered under SP", memory.ts) and the CP K/V gather (the attention backward
   * needs the other CP ranks' K/V again; the memory plan stores only the local K). Megatron SP backward
   * per column/row-parallel pair is thus all-gather dY, all-gather X, reduce-scatter dX.
   */
  private backward(items: readonly LayerItem[]): LayerItem[] {
    const sp = this.c.layout.sp && this.c.layout.tp > 1;
    const regathered = (it: LayerItem | undefined): it is CommItem =>
      it !== undefined && it.kind === "comm" && it.comm === "all_gather" && ((sp && it.group === "attn_tp") || it.group === "cp");
    const out: LayerItem[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      const prev = items[i - 1];
      if (regathered(prev)) out.push({ ...prev, label: `${prev.label} (backward re-gather)` });
      out.push(...backwardItems([items[i]!]));
    }
    return out;
  }

  /** Prices one item into `sb`; `backward` flips dispatch/combine for the layer's routing price. */
  private addItem(sb: SegmentBuilder, it: LayerItem, layer: number, stage: number): void {
    if (it.kind === "compute") {
      sb.add(SEG.compute, this.ops.ns(it.op) * (it.count ?? 1), it.label);
      return;
    }
    const { layout } = this.c;
    const pricer = this.c.pricer!;
    switch (it.group) {
      case "cp": {
        const groups = this.tpColumns(stage, ["cp"]);
        sb.add(SEG.cp, pricer.collective("cp", it.comm === "reduce_scatter" ? "reduce_scatter" : "all_gather", groups, it.bytes), it.label);
        return;
      }
      case "attn_tp":
      case "expert_tp": {
        const g = groupOf(layout, stageCoord(stage, this.c.dpIndex), ["tp"]);
        const op = it.comm === "dispatch" || it.comm === "combine" || it.comm === "send_recv" ? "all_to_all" : it.comm;
        sb.add(SEG.tp, pricer.collective("tp", op, [g], it.bytes), it.label);
        return;
      }
      case "ep": {
        const kind = it.comm === "dispatch" ? "dispatch" : "combine";
        const etp = this.expertTpNs(kind, layer, stage);
        // tensor-split experts: EP AllToAllV then expert-TP AllGatherV (dispatch); ReduceScatterV then AllToAllV (combine)
        if (etp > 0 && kind === "combine") sb.add(SEG.tp, etp, `${it.label} expert-TP reduce-scatter`);
        sb.add(SEG.ep, this.moePrice(kind, layer, stage), it.label);
        if (etp > 0 && kind === "dispatch") sb.add(SEG.tp, etp, `${it.label} expert-TP all-gather`);
        return;
      }
      default:
        sb.add(SEG.pp, 0, it.label);
    }
  }

  /** Groups varying `dims` for every tp (and cp) column of the replica at `stage`. */
  private tpColumns(stage: number, dims: readonly ("cp" | "ep" | "dp")[]): number[][] {
    const { layout } = this.c;
    const out: number[][] = [];
    for (let t = 0; t < layout.tp; t++) {
      for (let c = 0; c < (dims.includes("cp") ? 1 : layout.cp); c++) {
        out.push(groupOf(layout, { tp: t, cp: c, ep: 0, pp: stage, dp: dims.includes("dp") ? 0 : this.c.dpIndex }, dims));
      }
    }
    return out;
  }

  /** The MoE group of the replica at `stage` (rank i ↔ routing row i). */
  moeGroupRanks(stage: number): number[] {
    const { layout } = this.c;
    return groupOf(layout, stageCoord(stage, this.c.dpIndex), layout.tpExtendEp ? ["tp", "ep"] : ["ep"]);
  }

  /**
   * Expert-TP collective of an MoE exchange without TP-extend-EP (experts split over the tp ranks), ns:
   * after the EP dispatch every tp rank all-gathers the rows the other tp slices received for the same
   * experts (S = tp × the busiest rank's copies × hidden × 2 B); before the combine the partial expert
   * outputs are reduce-scattered back (same S). 0 with TP-extend-EP or tp 1.
   */
  private expertTpNs(kind: "dispatch" | "combine", layer: number, stage: number): number {
    const { layout, arch } = this.c;
    if (layout.expertTp <= 1) return 0;
    const r = this.c.routing(layer);
    const bytes = Math.round(layout.expertTp * r.perRank[r.hotRank]! * arch.hidden_size * ACTIVATION_BYTES);
    const g = groupOf(layout, stageCoord(stage, this.c.dpIndex), ["tp"]);
    return this.c.pricer!.collective("tp", kind === "dispatch" ? "all_gather" : "reduce_scatter", [g], bytes);
  }

  private moePrice(kind: "dispatch" | "combine", layer: number, stage: number): number {
    const { arch, cfg } = this.c;
    const pricer = this.c.pricer!;
    const r = this.c.routing(layer);
    const group = this.moeGroupRanks(stage);
    const g = group.length;
    const tr = moeTokensPerRank(this.input);
    const topK = arch.moe!.top_k;
    const rowBytes = arch.hidden_size * ACTIVATION_BYTES;
    const key = `L${layer}/s${stage}/d${this.c.dpIndex}`;
    const grid = cfg.hierarchical_a2a ? serverGrid(group, pricer.layout) : undefined;
    if (grid !== undefined && grid.length > 1) {
      const pos = new Map<number, number>();
      group.forEach((rank, i) => pos.set(rank, i));
      const m = grid[0]!.length;
      const columns: number[][] = [];
      for (let j = 0; j < m; j++) columns.push(grid.map((s) => s[j]!));
      const matrices = grid.map((server) => {
        const mat = new Float64Array(m * m);
        for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) mat[i * m + j] = (r.perRank[pos.get(server[j]!)!]! / m) * rowBytes;
        return mat;
      });
      let maxRecv = 0;
      for (let i = 0; i < g; i++) maxRecv = Math.max(maxRecv, r.perRank[i]!);
      return pricer.moeHierarchical(key, kind, columns, grid, matrices, grid.length * tr * rowBytes, maxRecv * rowBytes);
    }
    const copies = new Int32Array(g * g);
    const total = g * tr * topK;
    for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) copies[i * g + j] = Math.round((tr * topK * r.perRank[j]!) / total);
    const routing: MoeRouting = { shape: { tokensPerRank: tr, topK, experts: arch.moe!.routed_experts, ep: g }, expertsPerRank: arch.moe!.routed_experts / g, copies };
    return pricer.moeFlat(key, kind, group, routing, arch.hidden_size);
  }

  /** PP hand-off from virtual stage v to v+1 (forward) — every tp/cp rank of the stage sends to its peer, ns. */
  private ppSend(stage: number, next: number): number {
    const { layout } = this.c;
    const pricer = this.c.pricer!;
    const a = groupOf(layout, stageCoord(stage, this.c.dpIndex), ["tp", "cp"]);
    const b = groupOf(layout, stageCoord(next, this.c.dpIndex), ["tp", "cp"]);
    const bytes = residualTokens(this.input) * this.c.arch.hidden_size * ACTIVATION_BYTES;
    return pricer.sendRecv(`pp${stage}-${next}`, a.map((x, i) => [x, b[i]!] as const), bytes);
  }

  /** Costs of virtual stage v. */
  build(v: number): VirtualStageCost {
    const { layout } = this.c;
    const V = layout.pp * layout.vpp;
    const stage = v % layout.pp;
    const blocks = this.blocks(v, false);
    const F = new SegmentBuilder();
    for (const b of blocks) for (const it of b.items) this.addItem(F, it, b.layer, stage);
    if (v < V - 1) F.add(SEG.pp, this.ppSend(stage, (v + 1) % layout.pp), "PP send activations");
    const B = new SegmentBuilder();
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i]!;
      for (const it of this.recomputeItems(b)) this.addItem(B, it, b.layer, stage);
      for (const it of this.backward(b.items)) this.addItem(B, it, b.layer, stage);
    }
    if (v > 0) B.add(SEG.pp, this.ppSend(stage, (v - 1 + layout.pp) % layout.pp), "PP send gradients");
    return { F: F.build(), B: B.build(), ...this.params(v) };
  }

  /** Executed FLOPs per rank per micro-batch and parameters per rank of virtual stage v, under balanced routing. */
  params(v: number): Omit<VirtualStageCost, "F" | "B"> {
    const { layout } = this.c;
    let flops = 0;
    let dense = 0;
    let expert = 0;
    for (const b of this.blocks(v, true)) {
      flops += layerFlops(b.items) + layerFlops(backwardItems(b.items)) + layerFlops(this.recomputeItems(b));
      for (const it of b.items) {
        if (it.kind !== "compute") continue;
        const p = weightParams(it.op) * (it.count ?? 1);
        if (it.label.startsWith("routed experts") || it.label.startsWith("mtp routed experts")) expert += p;
        else if (!it.label.includes("lm_head") || !it.label.startsWith("mtp ")) dense += p;
      }
    }
    const table = embeddingShardParams(this.c.arch, layout.tp);
    if (v === 0) dense += table;
    // the MTP modules look their tokens up in the embedding (mtpModuleItems): on a last stage that is not the
    // first, a copy of the table shard (Megatron's MTP stage builds its own embedding, kept equal to the first
    // stage's by the embedding-group all-reduce: embeddingGroupSync); a tied LM head is that table already
    if (v === layout.pp * layout.vpp - 1 && embeddingGroupSync(this.c.arch, layout, this.c.includeMtp) && !this.c.arch.tie_embeddings) dense += table;
    return { executedFlopsPerRank: flops, denseParams: dense, expertParams: expert };
  }
}

/**
 * Whether the first and the last pipeline stage each hold a copy of the embedding table whose gradients
 * are all-reduced between them every step (Megatron's embedding group): a tied LM head, or MTP modules
 * (which embed their input tokens) on a last stage other than the first.
 */
export function embeddingGroupSync(arch: ModelArchitecture, layout: TrainingLayout, includeMtp: boolean): boolean {
  return layout.pp > 1 && (arch.tie_embeddings || (includeMtp && arch.mtp_layers > 0));
}

/** Parameters of a rank's shard of the embedding table (vocabulary split over TP), count. */
export function embeddingShardParams(arch: ModelArchitecture, tp: number): number {
  return Math.ceil(arch.vocab_size / tp) * arch.hidden_size;
}

/** Weight parameters an operator reads (GEMM B operand, norm weight vector), count; CP-count attention reads none. */
function weightParams(op: ComputeOp): number {
  switch (op.op) {
    case "gemm":
      return op.n * op.k;
    case "grouped_gemm":
      return op.groups * op.n * op.k;
    case "rmsnorm":
      return op.hidden;
    default:
      return 0;
  }
}
