import { FusedMoePricer, runMoeOp, type MoeOpKind, type MoeOpTiming } from "../../collectives/moe-exchange.js";
import type { MoeRouting } from "../../collectives/moe-routing.js";
import { rankLayout } from "../../collectives/rank-layout.js";
import { Simulator } from "../../engine/index.js";
import type { RngState } from "../../engine/rng.js";
import { BoundedMemo } from "../../hw/ops/memo.js";
import type { CoreSubset } from "../../hw/ops/op-cost.js";
import { denseLayerCount, moeLayerCount, type MoeArchitecture } from "../../model/architecture.js";
import { attentionItems } from "../../model/ops/attention-ops.js";
import { balancedExpertLoad, type ExpertLoad } from "../../model/ops/expert-load.js";
import { denseFfnItems } from "../../model/ops/ffn-ops.js";
import { embeddingItems, headItems } from "../../model/ops/head-ops.js";
import type { LayerItem } from "../../model/ops/layer-item.js";
import { moeFfnParts } from "../../model/ops/moe-ops.js";
import { mtpModuleItems } from "../../model/ops/mtp-ops.js";
import { decoderLayerItems } from "../../model/ops/layer-ops.js";
import { moeTokensOfTpRank, moeTokensPerRank, type LayerOpsInput } from "../../model/ops/op-input.js";
import type { RunContext } from "../workload.js";
import { spDenseInput, spTpSpAttentionItems, usesSpTpSp } from "./attention-sp-tp.js";
import { BREAKDOWN_CLASSES, ItemPricer, type BreakdownClass, type PricedList } from "./costing.js";
import type { PhaseModel } from "./phase-model.js";
import { layerTables, layerWeights, observedPlacement, picksPerToken, routeInto, sampleTokens, SequenceUrns, staticPlacement, type AliasTable, type ReplicaPlacement } from "./routing.js";

/*
 * One benchmarked phase on the engine. A step is a sequence of stages: the graph launch, the embedding,
 * the decoder layers, the LM head, then per MTP draft token the MTP module's projection, its layer and
 * its head (the first draft pass on the step's 1 + k query tokens per sequence, each later one on one
 * token per sequence: see the MTP stages below). The layers run as a two-stream pipeline over the micro-batches: task A(m,l) is micro-batch
 * m's attention block of layer l on the attention stream, F(m,l) its FFN (dense or MoE) on the MoE
 * stream; A(m,l) waits for F(m,l−1), F(m,l) for A(m,l), and each stream runs its tasks in order. With
 * one micro-batch both run on one stream over the whole die, and so do the dense-FFN layers with several
 * (nothing to overlap there; see layerStage). That is the `split_cores` overlap; with `comm_stream`
 * (commStreamStage) every layer is instead a chain of compute and communication segments on a compute
 * stream (all cube cores) and a communication stream (the reserved AIV cores).
 *
 * Symmetry: every attention rank does identical work (same sequences, same KV length), so one
 * representative die is simulated for attention. The MoE part differs by rank: each F(m,l) samples
 * the routing of every token of every rank, prices dispatch and combine over the whole EP group from
 * that copy matrix, gives each EP rank the expert time of the tokens it received, and ends when the
 * slowest rank's combine output is ready (combine starts when the slowest expert rank is done: with
 * top-k over all ranks every token waits for nearly every rank).
 */

/**
 * CPU time of one graph launch, ns: hardware.md §6 "graph launch costs 0.6–0.8 ms of CPU time per
 * dispatch when not pipelined" (CM384), midpoint. In graph mode the step is one captured graph; the
 * host cannot launch step n+1 before step n's sampled tokens exist (decode) or its batch is formed
 * (prefill), so the launch is charged once per step, exposed.
 */
export const GRAPH_LAUNCH_NS = 700_000;

/**
 * Tokens per rank routed once per layer to measure the expert load an `eplb: observed` placement is
 * built from (a stand-in for the load history EPLB collects). Large enough that sampling noise in the
 * calibration (±1/√(tokens·top_k/experts) per expert, ≈ 6 % at DeepSeek shapes) is below the skew it
 * corrects; not tuned to any target.
 */
export const EPLB_CALIBRATION_TOKENS = 8192;

/** One MoE layer's routing: its popularity alias tables and its replica placement (read-only once built). */
interface LayerTables {
  readonly tables: readonly AliasTable[];
  readonly expertsPerTable: number;
  readonly picksPerTable: number;
  readonly placement: ReplicaPlacement;
}

/** Streams the routing tables draw from: the experts' popularity, and the EPLB calibration tokens. */
const POP_STREAM = "expert-popularity";
const EPLB_STREAM = "eplb";

/**
 * Routing tables of this process (this thread), keyed by everything they depend on: the start states of
 * their two streams, the MoE architecture, the routing settings, the slots and the layer count; with the
 * streams' end states. Every step-model point of a serving or elastic run builds the same tables (a fresh
 * simulator of the same seed), the EPLB calibration routing 8,192 tokens per rank per layer each time.
 * At most 16 sets (count; each ~10 kB per MoE layer at 256 experts), the oldest dropped first (memo.ts).
 */
const ROUTING_MEMO = new BoundedMemo<{ readonly tables: readonly LayerTables[]; readonly popEnd: RngState; readonly eplbEnd: RngState }>(16);

/** Result of one phase. */
export interface PhaseRun {
  /** Duration of each step, ns. */
  readonly stepNs: readonly number[];
  /** Time of the decoder layers of each step (first attention start → last FFN end), ns. */
  readonly layersNs: readonly number[];
  /** Busy time per operator class, summed over steps, ns. */
  readonly breakdownNs: Record<BreakdownClass, number>;
  /** Max/mean tokens per EP rank, averaged over MoE layer × micro-batch × step samples. */
  readonly imbalance: number;
  /** Worst max/mean seen in any one sample. */
  readonly imbalanceMax: number;
  /** Slowest-rank dispatch / combine latency, mean over MoE layer instances, ns. */
  readonly dispatchNs: number;
  readonly combineNs: number;
  /** MoE layer instances priced (layers × micro-batches × steps). */
  readonly moeSamples: number;
  /** Hottest expert's copies over the mean expert's, mean over samples (1 = even). */
  readonly hotExpertRatio: number;
}

interface Task {
  readonly deps: readonly number[];
  readonly where: string;
  /** Trace label (comm_stream: a compute run that absorbs the next compute segment of its chain appends it). */
  what: string;
  /** Runs the task at `startNs`; returns its duration, ns (integer). */
  readonly run: (startNs: number) => number;
  /** Micro-batch of the task in a `ready` stage (its chain), else −1. */
  readonly mb: number;
  done: boolean;
  started: boolean;
}

interface Stage {
  readonly tasks: Task[];
  /** Task ids per stream, in execution order. */
  readonly streams: number[][];
  /** Set on the stage of the main model's decoder layers (for `layer_us`). */
  readonly main?: boolean;
  /**
   * Streams start the first task in their order whose inputs are ready (skipping a blocked one of
   * another micro-batch) instead of strictly the next one: comm_stream, where micro-batch 0's next
   * layer may compute while micro-batch 1 still combines.
   */
  readonly ready?: boolean;
}

/** Split of a MoE layer's items (moe-ops.ts order): before dispatch, local shared experts, per-rank experts, after combine. */
interface MoeParts {
  /** Items before the dispatch, local shared experts (with their TP collectives), after the combine. */
  readonly preItems: readonly LayerItem[];
  readonly sharedItems: readonly LayerItem[];
  readonly postItems: readonly LayerItem[];
  readonly pre: PricedList;
  readonly shared: PricedList;
  readonly post: PricedList;
  readonly exchange: boolean;
  readonly tokensPerRank: number;
}

/** A segment of a comm_stream chain: a maximal run of compute or of communication items, priced. */
interface Segment {
  readonly comm: boolean;
  readonly list: PricedList;
}

/**
 * The layer work of one pass shape, priced once: the main model's pass (and the first MTP draft pass) on
 * the step's query tokens, the later MTP draft passes on one token per sequence.
 */
interface PassShapes {
  /** Query tokens per sequence, tokens. */
  readonly queryTokens: number;
  /** Op-builder input of each micro-batch. */
  readonly microInputs: readonly LayerOpsInput[];
  /** Attention of each micro-batch (split_cores). */
  readonly attn: readonly PricedList[];
  readonly moeParts: readonly MoeParts[];
  /** Per-sequence routing urns of each micro-batch (routing.sequence_cv > 0). */
  readonly urns: readonly (SequenceUrns | undefined)[];
  /** Attention and dense FFN of the whole replica batch (a dense layer run unsplit). */
  readonly attnWhole: PricedList;
  readonly denseWhole: PricedList | undefined;
  /** comm_stream segments per micro-batch. */
  readonly attnSegs: readonly (readonly Segment[])[];
  readonly denseSegs: readonly (readonly Segment[])[];
  readonly denseUnsplit: boolean;
  readonly moeSegs: readonly { readonly pre: readonly Segment[]; readonly shared: readonly Segment[]; readonly post: readonly Segment[] }[];
}

/** One priced MoE FFN instance, ns: the parts as the slowest rank sees them. */
interface MoeInstance {
  /** Router and gating before the dispatch. */
  readonly pre: number;
  /** Until the last rank has its dispatched tokens. */
  readonly dispatch: number;
  /** The dispatch operator's own latency (slowest rank incl. its local copy-out). */
  readonly dispatchOp: number;
  /** From the last dispatch arrival to the slowest rank's expert end (plus inline shared experts). */
  readonly experts: number;
  readonly combine: number;
  /** Residual add after the combine. */
  readonly post: number;
  readonly slowestRank: number;
  readonly imbalance: number;
  readonly tokensPerRank: number;
}

/** Runs `model`'s steps on the engine of `ctx`. */
export function runPhase(model: PhaseModel, ctx: RunContext, phaseIndex: number): PhaseRun {
  const { sim, hooks, env } = ctx;
  const arch = model.arch;
  const s = model.settings;
  const topo = env.cluster !== undefined ? env.topology() : undefined;
  const rlayout = topo !== undefined ? rankLayout(topo) : undefined;
  const tp = model.layout.attention.tp;
  const pricer = new ItemPricer(
    model.die,
    env,
    rlayout,
    Array.from({ length: tp }, (_, i) => i),
  );
  const M = model.microSequences.length;
  const emit = hooks.has("span");
  const tag = `${s.phase}${phaseIndex > 0 ? phaseIndex : ""}`;
  const attnWhere = M > 1 ? "die0/attention" : "die0/compute";
  const ffnWhere = M > 1 ? "die0/moe" : "die0/compute";

  const breakdown = Object.fromEntries(BREAKDOWN_CLASSES.map((c) => [c, 0])) as Record<BreakdownClass, number>;
  const addClasses = (p: PricedList): void => {
    for (const [c, v] of Object.entries(p.byClass)) breakdown[c as BreakdownClass] += v;
  };
  /** A task body that runs a priced list: books its classes, returns its duration, ns. */
  const priced = (p: PricedList) => (): number => {
    addClasses(p);
    return Math.round(p.ns);
  };

  // ---- attention per micro-batch (identical on every rank) ----
  const spTpSp = usesSpTpSp(model.fullInput);
  const attnList = (inp: LayerOpsInput): LayerItem[] => (spTpSp ? spTpSpAttentionItems(inp) : attentionItems(inp));
  const denseList = (inp: LayerOpsInput): LayerItem[] => denseFfnItems(spTpSp ? spDenseInput(inp) : inp);

  // ---- MoE: the rank-independent parts, and the exchange model ----
  const moe = arch.moe;
  const n = model.epGroup;
  const etp = model.layout.experts.tp;
  const slotsPerRank = model.placement.slotsPerRank;
  const routedSlots = model.placement.routedSlots;
  const totalSlots = routedSlots + model.placement.sharedSlots;
  /** The rank-independent MoE parts of each micro-batch of a pass shape. */
  const moePartsOf = (inputs: readonly LayerOpsInput[]): MoeParts[] => {
    const moeParts: MoeParts[] = [];
    if (moe === undefined) return moeParts;
    for (const inp of inputs) {
      const { pre, shared, post, dispatch } = moeFfnParts(inp, balancedExpertLoad(inp));
      moeParts.push({
        preItems: pre,
        sharedItems: shared,
        postItems: post,
        pre: pricer.listNs(pre, model.moeCores),
        shared: pricer.listNs(shared, model.moeCores),
        post: pricer.listNs(post, model.moeCores),
        exchange: dispatch !== undefined,
        tokensPerRank: moeTokensPerRank(inp),
      });
    }
    return moeParts;
  };
  const group = Array.from({ length: n }, (_, i) => i);
  const variant = model.exchange;
  const moeAiv = model.commAiv;
  const quantize = model.precision === "w8a8";
  const fused = moe !== undefined && n > 1 && variant === "fused" && env.network.model === "analytical" && topo !== undefined ? new FusedMoePricer(topo, { group, hidden: arch.hidden_size, quantize, die: model.die, aivCores: moeAiv }) : undefined;
  /** Dispatch and combine of one routing: the fused closed form, or runMoeOp on a scratch simulator. */
  const priceExchange = (routing: MoeRouting): { dispatch: MoeOpTiming; combine: MoeOpTiming } => {
    if (fused !== undefined) return fused.priceBoth(routing);
    const one = (kind: MoeOpKind): MoeOpTiming => {
      // any other fabric or network model: the same operator model run on a scratch simulator
      const scratch = new Simulator(0);
      const net = env.networkModel(scratch);
      let out: MoeOpTiming | undefined;
      runMoeOp(
        net,
        { kind, group, routing, hidden: arch.hidden_size, variant, quantize, die: model.die, aivCores: moeAiv, stepOverheadNs: env.network.collective_step_overhead.value, layout: rlayout! },
        0,
        (r) => {
          let max = 0;
          for (const v of r.perRankNs) max = Math.max(max, v);
          out = { perRankNs: r.perRankNs, maxNs: max, phases: r.phases };
        },
      );
      scratch.run();
      return out!;
    };
    return { dispatch: one("dispatch"), combine: one("combine") };
  };

  // ---- routing tables per MoE layer (main layers, then MTP layers) ----
  const moeLayers = moe === undefined ? 0 : moeLayerCount(arch);
  const mtpLayers = s.mtp.layers;
  const routingLayers = moeLayers + (moe !== undefined && mtpLayers > 0 ? 1 : 0);
  const rng = sim.rng.stream("routing");
  let tables: readonly LayerTables[] = [];
  if (moe !== undefined) {
    // a pure function of these inputs and of where the two streams stand: memoised, the streams moved on as the draws would
    const key = JSON.stringify([sim.rng.stateOf(POP_STREAM), sim.rng.stateOf(EPLB_STREAM), moe, s.routing, routedSlots, slotsPerRank, routingLayers]);
    const hit = ROUTING_MEMO.get(key, () => {
      const popRng = sim.rng.stream(POP_STREAM);
      const eplbRng = sim.rng.stream(EPLB_STREAM);
      const built: LayerTables[] = [];
      for (let l = 0; l < routingLayers; l++) {
        const w = layerWeights(moe, s.routing, popRng);
        const t = layerTables(moe, w);
        let placement: ReplicaPlacement;
        if (s.routing.eplb === "observed") {
          const load = new Float64Array(moe.routed_experts);
          sampleTokens(t, eplbRng, EPLB_CALIBRATION_TOKENS, (e) => load[e]!++);
          placement = observedPlacement(load, routedSlots, (slot) => Math.floor(slot / slotsPerRank));
        } else placement = staticPlacement(moe.routed_experts, routedSlots);
        built.push({ ...t, placement });
      }
      return { tables: built, popEnd: sim.rng.stateOf(POP_STREAM), eplbEnd: sim.rng.stateOf(EPLB_STREAM) };
    });
    sim.rng.resume(POP_STREAM, hit.popEnd);
    sim.rng.resume(EPLB_STREAM, hit.eplbEnd);
    tables = hit.tables;
  }

  // ---- expert time per EP rank, memoised by what decides the operator shapes ----
  const expertMemo = new Map<string, number>();
  const expertNs = (sh: PassShapes, m: number, routed: number[], shared: number[]): number => {
    const key = `${sh.queryTokens}|${m}|${shapeKey(routed)}|${shapeKey(shared)}`;
    let ns = expertMemo.get(key);
    if (ns === undefined) {
      ns = pricer.listNs(moeFfnParts(sh.microInputs[m]!, { routed, shared } satisfies ExpertLoad).experts, model.moeCores).ns;
      expertMemo.set(key, ns);
    }
    return ns;
  };

  // ---- one MoE FFN instance: routing sample → dispatch → experts → combine ----
  let imbSum = 0;
  let imbMax = 0;
  let hotSum = 0;
  let dispSum = 0;
  let combSum = 0;
  let samples = 0;
  /** MoE FFN instances (layer × micro-batch) one step prices: the unit of progress (a step can take minutes on the flow model). */
  let moePerStep = 0;
  const progress = hooks.has("progress");
  const slotTokens = new Float64Array(totalSlots);
  const expertCopies = new Float64Array(moe?.routed_experts ?? 0);
  const copies = new Float64Array(n * n);
  /** The routed picks of one rank (routeInto's buffer), grown on demand. */
  let picked = new Int32Array(0);
  const pickBuffer = (size: number): Int32Array => {
    if (picked.length < size) picked = new Int32Array(Math.max(size, 2 * picked.length));
    return picked;
  };
  const rankOfSlot = rankOfSlotOf(totalSlots, slotsPerRank);
  const tally = new PickTally(n, etp, rankOfSlot, moe?.routed_experts ?? 0);
  // per-sequence preferences (routing.sequence_cv > 0): one urn per sequence of each micro-batch over all
  // attention replicas. A rank's tokens are its replica's micro-batch tokens (sequence-major) cut into tp
  // equal runs: rank g holds run g mod tp of replica ⌊g / tp⌋ (SP–TP–SP prefill: a prompt spans ranks).
  const attnDp = model.layout.attention.dp;
  // κ = 1/cv²; a cv so small that κ overflows is the cv → 0 limit: tokens route independently
  const concentration = 1 / (s.routing.sequence_cv * s.routing.sequence_cv);
  /** One urn per micro-batch for a pass shape of `seqTokens` query tokens per sequence. */
  const urnsOf = (seqTokens: number): (SequenceUrns | undefined)[] =>
    model.microSequences.map((seqs) =>
      moe === undefined || !Number.isFinite(concentration) || tables.length === 0
        ? undefined
        : new SequenceUrns(attnDp * seqs, tables[0]!.tables.length, seqTokens, tables[0]!.picksPerTable, tables[0]!.expertsPerTable, concentration),
    );
  const routeSample = (sh: PassShapes, layer: number, m: number): MoeRouting => {
    const mo = moe as MoeArchitecture;
    const T = sh.moeParts[m]!.tokensPerRank;
    // rank g routes its own slice (the last TP ranks hold fewer when tp does not divide the tokens)
    const own = (g: number): number => moeTokensOfTpRank(sh.microInputs[m]!, g % tp);
    const seqTokens = sh.queryTokens;
    slotTokens.fill(0);
    copies.fill(0);
    expertCopies.fill(0);
    const tab = tables[layer]!;
    const addCopies = (g: number, slot: number, c: number): void => {
      slotTokens[slot]! += c;
      const base = g * n + rankOfSlot[slot]! * etp;
      for (let q = 0; q < etp; q++) copies[base + q]! += c;
    };
    if (s.routing.eplb === "perfect") {
      let all = 0;
      for (let g = 0; g < n; g++) {
        const per = (own(g) * mo.top_k) / routedSlots;
        all += own(g);
        for (let slot = 0; slot < routedSlots; slot++) addCopies(g, slot, per);
      }
      expertCopies.fill((all * mo.top_k) / mo.routed_experts);
    } else {
      const K = picksPerToken(tab);
      const u = sh.urns[m];
      if (u === undefined) {
        for (let src = 0; src < n; src++) {
          const tokens = own(src);
          tally.book(routeInto(tab, rng, tokens, pickBuffer(tokens * K), undefined, undefined), K, tokens, src, tab.placement, copies);
        }
      } else {
        u.reset();
        const seqs = model.microSequences[m]!;
        let first = 0;
        let seqBase = 0;
        const sequenceOf = (t: number): number => {
          const local = Math.floor((first + t) / seqTokens);
          return local < seqs ? seqBase + local : -1;
        };
        for (let src = 0; src < n; src++) {
          first = (src % tp) * T;
          seqBase = (Math.floor(src / tp) % attnDp) * seqs;
          const tokens = own(src);
          tally.book(routeInto(tab, rng, tokens, pickBuffer(tokens * K), sequenceOf, u), K, tokens, src, tab.placement, copies);
        }
      }
      tally.flush(slotTokens, expertCopies);
    }
    const sharedSlots = model.placement.sharedSlots;
    if (sharedSlots > 0) {
      const replicas = model.layout.shared_experts.replicas;
      for (let g = 0; g < n; g++) {
        const rep = g % replicas;
        for (let k = 0; k < mo.shared_experts; k++) addCopies(g, routedSlots + rep * mo.shared_experts + k, own(g));
      }
    }
    return { shape: { tokensPerRank: T, topK: mo.top_k, experts: mo.routed_experts, ep: n }, expertsPerRank: slotsPerRank, copies };
  };

  /**
   * Prices one MoE FFN instance: samples its routing, records the statistics and the breakdown, and
   * returns the slowest rank's dispatch, expert and combine times. `inline`: one task per FFN, the local
   * shared experts running while the dispatch is in flight; otherwise (comm_stream) the router, shared
   * experts and residual are tasks of their own that account for themselves, and ranks wait only for
   * their dispatch.
   */
  const moeSample = (sh: PassShapes, layer: number, m: number, inline: boolean): MoeInstance => {
    const parts = sh.moeParts[m]!;
    if (inline) {
      addClasses(parts.pre);
      addClasses(parts.post);
    }
    const routing = routeSample(sh, layer, m);
    // tokens per EP rank and its expert time
    const eps = n / etp;
    let maxRank = 0;
    let sumRank = 0;
    const rankExpertNs = new Float64Array(eps);
    for (let p = 0; p < eps; p++) {
      const routed: number[] = [];
      const shared: number[] = [];
      let tot = 0;
      for (let slot = p * slotsPerRank; slot < (p + 1) * slotsPerRank; slot++) {
        const v = slotTokens[slot]!;
        tot += v;
        (slot < routedSlots ? routed : shared).push(v);
      }
      maxRank = Math.max(maxRank, tot);
      sumRank += tot;
      rankExpertNs[p] = expertNs(sh, m, routed, shared);
    }
    const imb = sumRank > 0 ? maxRank / (sumRank / eps) : 1;
    imbSum += imb;
    imbMax = Math.max(imbMax, imb);
    let hot = 0;
    let hotTot = 0;
    for (const v of expertCopies) {
      hot = Math.max(hot, v);
      hotTot += v;
    }
    hotSum += hotTot > 0 ? hot / (hotTot / expertCopies.length) : 1;
    samples++;
    if (progress) hooks.emit("progress", { done: samples, total: moePerStep * s.steps, unit: "MoE layers (× micro-batches)" });
    const sharedNs = inline ? parts.shared.ns : 0;
    if (!parts.exchange) {
      breakdown.moe_gemm += sharedNs + rankExpertNs[0]!;
      return { pre: parts.pre.ns, dispatch: 0, dispatchOp: 0, experts: sharedNs + rankExpertNs[0]!, combine: 0, post: parts.post.ns, slowestRank: 0, imbalance: imb, tokensPerRank: routing.shape.tokensPerRank };
    }
    const { dispatch: disp, combine: comb } = priceExchange(routing);
    let dispMax = 0;
    let critical = 0;
    let critG = 0;
    for (let g = 0; g < n; g++) {
      const ready = Math.max(disp.perRankNs[g]!, sharedNs);
      const end = ready + rankExpertNs[Math.floor(g / etp)]!;
      dispMax = Math.max(dispMax, disp.perRankNs[g]!);
      if (end > critical) {
        critical = end;
        critG = g;
      }
    }
    dispSum += disp.maxNs;
    combSum += comb.maxNs;
    breakdown.dispatch += dispMax;
    breakdown.moe_gemm += critical - dispMax;
    breakdown.combine += comb.maxNs;
    return { pre: parts.pre.ns, dispatch: dispMax, dispatchOp: disp.maxNs, experts: critical - dispMax, combine: comb.maxNs, post: parts.post.ns, slowestRank: critG, imbalance: imb, tokensPerRank: routing.shape.tokensPerRank };
  };

  /** The EP group's view of one MoE part (trace rows `ep/<tag>/dispatch|experts|combine`), from `start`, ns. */
  const moeSpan = (part: "dispatch" | "experts" | "combine", start: number, dur: number, label: string, x: MoeInstance): void => {
    const attrs: Record<string, number> =
      part === "dispatch"
        ? { ranks: n, tokens_per_rank: x.tokensPerRank }
        : part === "experts"
          ? { slowest_rank: x.slowestRank, imbalance: Math.round(x.imbalance * 1000) / 1000 }
          : { ranks: n };
    const what = part === "experts" ? `${label} experts (slowest rank)` : `${label} ${part}`;
    hooks.emit("span", { start: Math.round(start), dur: Math.round(dur), kind: "moe", where: `ep/${tag}/${part}`, what, attrs });
  };

  /** One MoE FFN as a single task (one stream, or the MoE stream of split_cores). */
  const moeTask = (sh: PassShapes, layer: number, m: number, label: string) => (start: number): number => {
    const x = moeSample(sh, layer, m, true);
    if (emit && x.dispatchOp > 0) {
      const t0 = start + x.pre;
      moeSpan("dispatch", t0, x.dispatchOp, label, x);
      moeSpan("experts", t0 + x.dispatch, x.experts, label, x);
      moeSpan("combine", t0 + x.dispatch + x.experts, x.combine, label, x);
    }
    return Math.round(x.pre + x.dispatch + x.experts + x.combine + x.post);
  };

  // ---- the stages of one step ----
  const joined = (what: string, list: PricedList): Stage => ({
    tasks: [
      {
        deps: [],
        where: "die0/die",
        what,
        mb: -1,
        done: false,
        started: false,
        run: priced(list),
      },
    ],
    streams: [[0]],
  });
  // A dense-FFN layer (DeepSeek's first three) runs whole-die with the full batch even with micro-batches (split_cores; comm_stream does the same when the layer has no communication):
  // the stream split exists to hide the MoE layer's dispatch and combine behind the other micro-batch's
  // attention (hardware.md §6 names the streams attention and MoE); a dense layer with attention TP 1
  // has no communication to hide, and split into micro-batches on a core subset it only reads its
  // weights once per micro-batch through fewer cores' GM paths. SGLang's DeepSeek two-batch overlap runs
  // the first_k_dense_replace layers unsplit the same way (from memory of sglang deepseek_v2.py, unverified).
  /** Maximal runs of compute items and of communication items, in order, each priced. */
  const segmentsOf = (items: readonly LayerItem[], cores: CoreSubset | undefined): Segment[] => {
    const out: Segment[] = [];
    let run: LayerItem[] = [];
    const flush = (): void => {
      if (run.length > 0) out.push({ comm: run[0]!.kind === "comm", list: pricer.listNs(run, cores) });
      run = [];
    };
    for (const it of items) {
      if (run.length > 0 && (run[0]!.kind === "comm") !== (it.kind === "comm")) flush();
      run.push(it);
    }
    flush();
    return out;
  };
  const commStream = M > 1 && model.overlap === "comm_stream";
  const hasComm = (segs: readonly Segment[]): boolean => segs.some((g) => g.comm);
  /** Prices the layer work of a pass shape: `microInputs` per micro-batch, `fullInput` the whole replica, `queryTokens` per sequence. */
  const passShapes = (microInputs: readonly LayerOpsInput[], fullInput: LayerOpsInput, queryTokens: number): PassShapes => {
    const moeParts = moePartsOf(microInputs);
    const attnSegs = commStream ? microInputs.map((inp) => segmentsOf(attnList(inp), model.attentionCores)) : [];
    const denseSegs = commStream && arch.dense_intermediate_size !== undefined ? microInputs.map((inp) => segmentsOf(denseList(inp), model.attentionCores)) : [];
    return {
      queryTokens,
      microInputs,
      attn: microInputs.map((inp) => pricer.listNs(attnList(inp), model.attentionCores)),
      moeParts,
      urns: urnsOf(queryTokens),
      attnWhole: pricer.listNs(attnList(fullInput), undefined),
      denseWhole: arch.dense_intermediate_size !== undefined ? pricer.listNs(denseList(fullInput), undefined) : undefined,
      attnSegs,
      denseSegs,
      // comm_stream: a dense layer with no communication to hide runs unsplit (the micro-batches' segments are alike)
      denseUnsplit: denseSegs.length > 0 && !hasComm(attnSegs[0]!) && !hasComm(denseSegs[0]!),
      moeSegs: commStream ? moeParts.map((p) => ({ pre: segmentsOf(p.preItems, model.moeCores), shared: segmentsOf(p.sharedItems, model.moeCores), post: segmentsOf(p.postItems, model.moeCores) })) : [],
    };
  };
  const mainShapes = passShapes(model.microInputs, model.fullInput, model.queryTokens);

  /**
   * comm_stream: every layer of every micro-batch is a chain of compute and communication segments
   * (attention projections | TP collective | attention | … | router | dispatch | experts | combine |
   * residual, the shared experts beside the dispatch); compute segments run on the die's compute stream,
   * communication segments on the communication stream. A compute segment is a maximal run of the
   * micro-batch's chain, across the item lists and layers: the attention's last compute run, the router
   * and (dense layers) the FFN are one task, and so are a residual add and the next layer's first
   * projections. Streams list their tasks layer → segment → micro-batch and start the first ready one
   * (a `ready` stage), so micro-batch 1's attention computes while micro-batch 0 dispatches, and
   * micro-batch 0's next layer computes while micro-batch 1 still combines. A dense layer with no
   * communication (attention TP 1) runs whole, full batch on the whole die, as with split_cores.
   */
  const commStreamStage = (sh: PassShapes, layers: { index: number; kind: "dense" | "moe"; routingLayer: number; label: string }[], main: boolean): Stage => {
    const { attnWhole, denseWhole, attnSegs, denseSegs, denseUnsplit, moeSegs } = sh;
    const tasks: Task[] = [];
    const streams: number[][] = [[], []];
    // last task of each micro-batch's previous layer (−1: none yet)
    const last: number[] = Array.from({ length: M }, () => -1);
    // each micro-batch's open compute run: the priced lists of its last task while that task is a compute
    // run the next compute segment of the chain may join (undefined: closed by communication or a fork)
    const open: (PricedList[] | undefined)[] = Array.from({ length: M }, () => undefined);
    const add = (comm: boolean, mb: number, deps: number[], what: string, run: (t0: number) => number): number => {
      tasks.push({ deps: deps.filter((d) => d >= 0), where: comm ? "die0/comm" : "die0/compute", what, mb, done: false, started: false, run });
      return tasks.length - 1;
    };
    for (const L of layers) {
      if (L.kind === "dense" && denseUnsplit) {
        const id = add(false, -1, [...last], `${L.label} attention + dense FFN (full batch)`, () => {
          addClasses(attnWhole);
          addClasses(denseWhole!);
          return Math.round(attnWhole.ns + denseWhole!.ns);
        });
        streams[0]!.push(id);
        last.fill(id);
        open.fill(undefined);
        continue;
      }
      // per micro-batch: ids of the tasks the layer adds, in segment order, and which stream each is on
      const perMb: { id: number; comm: boolean }[][] = [];
      for (let m = 0; m < M; m++) {
        const segs: { id: number; comm: boolean }[] = [];
        let prev = last[m]!;
        const chain = (list: readonly Segment[], what: string): void => {
          for (const [k, sg] of list.entries()) {
            const label = `${L.label} ${what} ${sg.comm ? "comm" : "compute"} ${k} mb${m}`;
            const run = open[m];
            if (!sg.comm && run !== undefined) {
              // consecutive compute of one micro-batch: nothing in between for another micro-batch to wait on
              run.push(sg.list);
              tasks[prev]!.what += ` + ${label}`;
              continue;
            }
            const lists = [sg.list];
            prev = add(sg.comm, m, [prev], label, () => {
              let ns = 0;
              for (const p of lists) {
                addClasses(p);
                ns += p.ns;
              }
              return Math.round(ns);
            });
            segs.push({ id: prev, comm: sg.comm });
            open[m] = sg.comm ? undefined : lists;
          }
        };
        chain(attnSegs[m]!, "attention");
        if (L.kind === "dense") chain(denseSegs[m]!, "dense FFN");
        else {
          let x: MoeInstance | undefined;
          const ms = moeSegs[m]!;
          chain(ms.pre, "router");
          const afterPre = prev;
          // the shared experts (and their TP collectives) run beside the dispatch: a fork, so the router's
          // run closes here (the dispatch waits for the router only), and the shared experts' run closes
          // before the routed experts (which wait for the dispatch too)
          open[m] = undefined;
          chain(ms.shared, "shared experts");
          const sharedEnd = prev;
          open[m] = undefined;
          moePerStep++;
          const label = `${L.label} mb${m}`;
          const disp = add(true, m, [afterPre], `${L.label} dispatch mb${m}`, (t0) => {
            x = moeSample(sh, L.routingLayer, m, false);
            if (emit && x.dispatchOp > 0) moeSpan("dispatch", t0, x.dispatchOp, label, x);
            return Math.round(x.dispatch);
          });
          const exp = add(false, m, [disp, sharedEnd], `${L.label} experts mb${m}`, (t0) => {
            if (emit && x!.dispatchOp > 0) moeSpan("experts", t0, x!.experts, label, x!);
            return Math.round(x!.experts);
          });
          const comb = add(true, m, [exp], `${L.label} combine mb${m}`, (t0) => {
            if (emit && x!.dispatchOp > 0) moeSpan("combine", t0, x!.combine, label, x!);
            return Math.round(x!.combine);
          });
          segs.push({ id: disp, comm: true }, { id: exp, comm: false }, { id: comb, comm: true });
          prev = comb;
          open[m] = undefined;
          chain(ms.post, "residual");
        }
        last[m] = prev;
        perMb.push(segs);
      }
      for (let k = 0; k < perMb[0]!.length; k++) for (let m = 0; m < M; m++) streams[perMb[m]![k]!.comm ? 1 : 0]!.push(perMb[m]![k]!.id);
    }
    return { tasks, streams, main, ready: true };
  };

  const layerStage = (sh: PassShapes, layers: { index: number; kind: "dense" | "moe"; routingLayer: number; label: string }[], main: boolean): Stage => {
    const tasks: Task[] = [];
    if (commStream) return commStreamStage(sh, layers, main);
    const { attn, attnWhole, denseWhole } = sh;
    const streams: number[][] = M > 1 ? [[], []] : [[]];
    // FFN task ids of the previous layer, one per micro-batch it ran in
    let prev: number[] = [];
    for (const L of layers) {
      const split = M > 1 && L.kind === "moe";
      const mbs = split ? M : 1;
      const tag = (m: number): string => (mbs === M ? `mb${m}` : "full batch");
      const on = (stream: string): string => (mbs === M ? stream : "die0/die");
      const cur: number[] = [];
      for (let m = 0; m < mbs; m++) {
        const a = split ? attn[m]! : attnWhole;
        const aId = tasks.length;
        // a split layer's micro-batch waits for its own FFN of the layer before; an unsplit one for all of them
        tasks.push({ deps: split && prev.length === M ? [prev[m]!] : prev, where: on(attnWhere), what: `${L.label} attention ${tag(m)}`, mb: -1, done: false, started: false, run: priced(a) });
        if (L.kind === "moe") moePerStep++;
        const ffnRun = L.kind === "moe" ? moeTask(sh, L.routingLayer, m, `${L.label} ${tag(m)}`) : priced(denseWhole!);
        cur.push(tasks.length);
        tasks.push({ deps: [aId], where: on(ffnWhere), what: `${L.label} ${L.kind === "moe" ? "MoE" : "dense FFN"} ${tag(m)}`, mb: -1, done: false, started: false, run: ffnRun });
        if (!split) streams[0]!.push(aId, aId + 1);
      }
      if (split) {
        for (const f of cur) streams[0]!.push(f - 1);
        streams[1]!.push(...cur);
      }
      prev = cur;
    }
    return { tasks, streams, main };
  };

  const full = model.fullInput;
  const dieCores: CoreSubset | undefined = undefined;
  const mainLayers = Array.from({ length: arch.layers }, (_, l) => {
    const isMoe = l >= denseLayerCount(arch) && moe !== undefined;
    return { index: l, kind: (isMoe ? "moe" : "dense") as "moe" | "dense", routingLayer: l - denseLayerCount(arch), label: `L${l}` };
  });
  const stages: Stage[] = [joined("graph launch", { ns: GRAPH_LAUNCH_NS, byClass: { graph_launch: GRAPH_LAUNCH_NS } })];
  const emb = embeddingItems(full);
  if (emb.length > 0) stages.push(joined("embedding", pricer.listNs(emb, dieCores)));
  stages.push(layerStage(mainShapes, mainLayers, true));
  const head = pricer.listNs(headItems(full), dieCores);
  stages.push(joined("LM head + sampling", head));
  if (mtpLayers > 0) {
    const mtpKind = moeLayerCount(arch) > 0 ? "moe" : "dense";
    /** The MTP module's items before its decoder layer and head (embedding, eh_proj) on `inp`, priced on the whole die. */
    const mtpPrefix = (inp: LayerOpsInput): PricedList => {
      const load = balancedExpertLoad(inp);
      const all = mtpModuleItems(inp, load);
      const cut = all.length - decoderLayerItems(inp, mtpKind, load).length - headItems(inp).length;
      return pricer.listNs(all.slice(0, cut), dieCores);
    };
    const prefix = mtpPrefix(full);
    // Token counts per draft pass (from memory of vLLM's EagleProposer.propose, which DeepSeek MTP uses,
    // and SGLang's EAGLE worker with topk 1; unverified). The module is applied k times in sequence, as
    // DeepSeek-V3's chained MTP modules are (one module, reused, on models with mtp_layers = 1):
    // - pass 0 runs on every position the main model verified, 1 + k per sequence: the module's KV cache
    //   needs each accepted one, and the main model's hidden states exist for all of them;
    // - pass j ≥ 1 runs on one token per sequence, the draft pass j − 1 sampled (its hidden state is the
    //   previous pass's output for that token), attending over the cached positions.
    // Every pass's head computes logits and samples for one row per sequence only: pass 0's draft comes
    // from the last accepted position (vLLM's proposer and SGLang's draft extend take the last token's
    // hidden state). A later pass attends over kv_len + j positions; the few extra are not priced (kv_len).
    const one = (inp: LayerOpsInput): LayerOpsInput => ({ ...inp, shape: { ...inp.shape, queryTokens: 1 } });
    const draftRows = one(full);
    const mtpHead = pricer.listNs(headItems(draftRows, { prefix: "mtp " }), dieCores);
    let later: { shapes: PassShapes; prefix: PricedList } | undefined;
    if (mtpLayers > 1) later = { shapes: passShapes(model.microInputs.map(one), draftRows, 1), prefix: mtpPrefix(draftRows) };
    for (let k = 0; k < mtpLayers; k++) {
      const pass = k === 0 || later === undefined ? { shapes: mainShapes, prefix } : later;
      stages.push(joined(`MTP ${k} embedding + eh_proj`, pass.prefix));
      stages.push(layerStage(pass.shapes, [{ index: arch.layers, kind: mtpKind, routingLayer: moeLayers, label: `MTP${k}` }], false));
      stages.push(joined(`MTP ${k} head`, mtpHead));
    }
  }

  // ---- run the steps on the engine ----
  const stepNs: number[] = [];
  const layersNs: number[] = [];
  let stepStart = 0;
  let layersStart = 0;
  let step = 0;
  let stageIdx = 0;
  let active: Stage;
  let ptr: number[] = [];
  /** Task each stream is running (−1: idle). */
  let running: number[] = [];
  let left = 0;
  const startStage = (): void => {
    if (stageIdx === stages.length) {
      stepNs.push(sim.now - stepStart);
      if (progress && moePerStep === 0) hooks.emit("progress", { done: step + 1, total: s.steps, unit: `${s.phase} steps` });
      if (emit) hooks.emit("span", { start: stepStart, dur: sim.now - stepStart, kind: "step", where: `step/${tag}`, what: `${s.phase} step ${step}`, attrs: { step } });
      if (++step < s.steps) beginStep();
      return;
    }
    active = stages[stageIdx]!;
    for (const t of active.tasks) {
      t.done = false;
      t.started = false;
    }
    ptr = active.streams.map(() => 0);
    running = active.streams.map(() => -1);
    left = active.tasks.length;
    if (active.main === true) layersStart = sim.now;
    for (let k = 0; k < active.streams.length; k++) tryStart(k);
  };
  const ready = (task: Task): boolean => {
    for (const d of task.deps) if (!active.tasks[d]!.done) return false;
    return true;
  };
  /** Next task stream k may start: its next one, or in a `ready` stage the first ready one (−1: none). */
  const pick = (k: number): number => {
    const order = active.streams[k]!;
    while (ptr[k]! < order.length && active.tasks[order[ptr[k]!]!]!.started) ptr[k]!++;
    if (ptr[k]! >= order.length) return -1;
    if (active.ready !== true) {
      const tid = order[ptr[k]!]!;
      return ready(active.tasks[tid]!) ? tid : -1;
    }
    // a micro-batch's tasks on a stream form a chain, so only its first unstarted one can be ready:
    // stop once every micro-batch's first has been seen, or at a whole-batch task (mb −1)
    let seen = 0;
    for (let i = ptr[k]!; i < order.length; i++) {
      const task = active.tasks[order[i]!]!;
      if (task.started) continue;
      if (ready(task)) return order[i]!;
      if (task.mb < 0) return -1;
      const bit = 1 << task.mb;
      if ((seen & bit) === 0) {
        seen |= bit;
        if (seen === (1 << M) - 1) return -1;
      }
    }
    return -1;
  };
  const tryStart = (k: number): void => {
    if (running[k]! >= 0) return;
    const tid = pick(k);
    if (tid < 0) return;
    const task = active.tasks[tid]!;
    task.started = true;
    running[k] = tid;
    const t0 = sim.now;
    const dur = task.run(t0);
    if (emit) hooks.emit("span", { start: t0, dur, kind: "task", where: task.where, what: task.what, attrs: { step } });
    sim.schedule(dur, finish, k);
  };
  const finish = (arg: unknown): void => {
    const k = arg as number;
    active.tasks[running[k]!]!.done = true;
    running[k] = -1;
    if (--left === 0) {
      if (active.main === true) layersNs.push(sim.now - layersStart);
      stageIdx++;
      startStage();
      return;
    }
    for (let q = 0; q < active.streams.length; q++) tryStart(q);
  };
  const beginStep = (): void => {
    stepStart = sim.now;
    stageIdx = 0;
    startStage();
  };
  sim.schedule(0, beginStep);
  sim.run();

  for (const c of BREAKDOWN_CLASSES) breakdown[c] /= s.steps;
  return {
    stepNs,
    layersNs,
    breakdownNs: breakdown,
    imbalance: samples > 0 ? imbSum / samples : 1,
    imbalanceMax: samples > 0 ? imbMax : 1,
    dispatchNs: samples > 0 ? dispSum / samples : 0,
    combineNs: samples > 0 ? combSum / samples : 0,
    moeSamples: samples,
    hotExpertRatio: samples > 0 ? hotSum / samples : 1,
  };
}

/** EP rank of every expert slot (routed, then shared), `slotsPerRank` per rank. */
function rankOfSlotOf(totalSlots: number, slotsPerRank: number): Int32Array {
  return Int32Array.from({ length: totalSlots }, (_, slot) => Math.floor(slot / slotsPerRank));
}

/**
 * Where one routing sample's picks go (routeSample): per slot, per expert, and the copies each rank sends
 * to each rank. Counted in integers (cheaper increments) and then added to routeSample's float tallies:
 * whole counts, so the same sums. A class of its own, not a closure per sample: V8 re-optimises each new
 * closure of a hot loop from scratch.
 */
class PickTally {
  private readonly slotCount: Int32Array;
  private readonly expertCount: Int32Array;
  /** The sending rank's row of the copy matrix. */
  private readonly rowCount: Int32Array;
  /** The sending rank's picks of each single-replica expert. */
  private readonly srcCount: Int32Array;

  constructor(
    private readonly n: number,
    private readonly etp: number,
    private readonly rankOfSlot: Int32Array,
    experts: number,
  ) {
    this.slotCount = new Int32Array(rankOfSlot.length);
    this.expertCount = new Int32Array(experts);
    this.rowCount = new Int32Array(n);
    this.srcCount = new Int32Array(experts);
  }

  /** Books rank `src`'s `tokens` tokens' picks (`K` each, token-major in `picked`); adds its row to `copies` (n × n). */
  book(picked: Int32Array, K: number, tokens: number, src: number, placement: ReplicaPlacement, copies: Float64Array): void {
    const { slotStart, slotList } = placement;
    const { slotCount, expertCount, rowCount, srcCount, rankOfSlot, etp, n } = this;
    const picks = tokens * K;
    for (let i = 0; i < picks; i++) {
      const e = picked[i]!;
      const a = slotStart[e]!;
      const cnt = slotStart[e + 1]! - a;
      // an expert with one replica: its picks all go to one slot, booked below once per expert
      if (cnt === 1) {
        srcCount[e]!++;
        continue;
      }
      expertCount[e]!++;
      // a token's copy goes to replica (rank + token) mod replicas: an expert's tokens split evenly over its copies
      const slot = slotList[a + ((src + Math.floor(i / K)) % cnt)]!;
      slotCount[slot]!++;
      const base = rankOfSlot[slot]! * etp;
      for (let q = 0; q < etp; q++) rowCount[base + q]!++;
    }
    for (let e = 0; e < srcCount.length; e++) {
      const c = srcCount[e]!;
      if (c === 0) continue;
      srcCount[e] = 0;
      expertCount[e]! += c;
      const slot = slotList[slotStart[e]!]!;
      slotCount[slot]! += c;
      const base = rankOfSlot[slot]! * etp;
      for (let q = 0; q < etp; q++) rowCount[base + q]! += c;
    }
    for (let j = 0; j < n; j++) {
      copies[src * n + j]! += rowCount[j]!;
      rowCount[j] = 0;
    }
  }

  /** Adds the booked slot and expert counts to `slotTokens` and `expertCopies`, and starts over. */
  flush(slotTokens: Float64Array, expertCopies: Float64Array): void {
    const { slotCount, expertCount } = this;
    for (let slot = 0; slot < slotCount.length; slot++) {
      slotTokens[slot]! += slotCount[slot]!;
      slotCount[slot] = 0;
    }
    for (let e = 0; e < expertCount.length; e++) {
      expertCopies[e]! += expertCount[e]!;
      expertCount[e] = 0;
    }
  }
}

/** What decides the expert operator shapes of moe-ops.ts: slots with tokens, ⌈mean⌉ and ⌈total⌉. */
function shapeKey(tokens: readonly number[]): string {
  let total = 0;
  let groups = 0;
  for (const t of tokens) {
    if (t > 0) {
      total += t;
      groups++;
    }
  }
  if (groups === 0) return "0";
  return `${groups}/${Math.ceil((total / groups) * (1 - 1e-12))}/${Math.ceil(total * (1 - 1e-12))}`;
}
