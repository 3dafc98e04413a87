import { ALGORITHMS } from "../../collectives/algorithms.js";
import { runPlan } from "../../collectives/executor.js";
import type { CollectiveOp } from "../../collectives/plan.js";
import type { RankLayout } from "../../collectives/rank-layout.js";
import type { ResolvedEnvironment } from "../../config/environment.js";
import { Simulator } from "../../engine/index.js";
import type { DieSpec } from "../../hw/chip-spec.js";
import { computeOpCost, type ComputeOp } from "../../hw/ops/op-descriptor.js";
import type { CoreSubset } from "../../hw/ops/op-cost.js";
import type { LayerItem } from "../../model/ops/layer-item.js";

/*
 * Durations of operator lists, memoised by shape: the same operator shapes repeat in every layer, every
 * micro-batch and every step, so each distinct (op, cores) and (collective, bytes) is priced once per run.
 * The memo lives in the run (no module-level state: worker threads are reused).
 */

/** Operator classes of the `breakdown_us` metric. */
export const BREAKDOWN_CLASSES = ["attention", "moe_gemm", "dispatch", "combine", "dense_ffn", "lm_head", "attention_comm", "other", "graph_launch"] as const;
/** One operator class. */
export type BreakdownClass = (typeof BREAKDOWN_CLASSES)[number];

/** A priced item list: total and per class, ns (float). */
export interface PricedList {
  readonly ns: number;
  readonly byClass: Readonly<Partial<Record<BreakdownClass, number>>>;
}

/** The breakdown class of one item (by stream and label; model/ops labels are stable). */
export function classOf(item: LayerItem): BreakdownClass {
  if (item.kind === "comm") {
    if (item.comm === "dispatch") return "dispatch";
    if (item.comm === "combine") return "combine";
    return "attention_comm";
  }
  const l = item.label;
  // expert work, but not the residual add that takes in the experts' output ("moe residual add (+ shared experts)": `other`)
  if (l.includes("expert") && item.op.op !== "add") return "moe_gemm";
  if (item.stream === "attention") return "attention";
  if (l.startsWith("mlp ") || l.startsWith("mtp mlp ")) return "dense_ffn";
  if (l.includes("lm_head") || l.includes("sampling") || l.includes("final norm")) return "lm_head";
  return "other";
}

/** Prices items on one die and collectives on the cluster's network, with memos. */
export class ItemPricer {
  private readonly ops = new Map<string, number>();
  private readonly colls = new Map<string, number>();

  constructor(
    readonly die: DieSpec,
    private readonly env: ResolvedEnvironment,
    private readonly layout: RankLayout | undefined,
    /** Ranks of one attention TP group (collectives of group `attn_tp`). */
    private readonly tpGroup: readonly number[],
  ) {}

  /** Duration of one compute op on `cores` of the die, ns. */
  opNs(op: ComputeOp, cores: CoreSubset | undefined): number {
    const key = JSON.stringify(op) + (cores === undefined ? "" : `@${cores.aic}/${cores.aiv}`);
    let ns = this.ops.get(key);
    if (ns === undefined) {
      ns = computeOpCost(this.die, cores === undefined ? op : { ...op, cores }).ns;
      this.ops.set(key, ns);
    }
    return ns;
  }

  /**
   * Duration of one collective of `bytes` (nccl-tests S) over the attention TP group, ns: the `auto`
   * algorithm's plan run once on a scratch simulator with the configured network model.
   */
  collectiveNs(op: CollectiveOp, bytes: number): number {
    if (this.tpGroup.length < 2 || bytes <= 0) return 0;
    const key = `${op}/${bytes}`;
    let ns = this.colls.get(key);
    if (ns === undefined) {
      const sim = new Simulator(0);
      const net = this.env.networkModel(sim);
      const plan = ALGORITHMS.auto!.plan({ op, group: this.tpGroup, bytes, layout: this.layout });
      let end = 0;
      runPlan(net, plan, 0, this.env.network.collective_step_overhead.value, (e) => (end = e));
      sim.run();
      ns = end;
      this.colls.set(key, ns);
    }
    return ns;
  }

  /** Total and per-class duration of `items` run one after another on `cores` (dispatch/combine not allowed here), ns. */
  listNs(items: readonly LayerItem[], cores: CoreSubset | undefined): PricedList {
    let ns = 0;
    const byClass: Partial<Record<BreakdownClass, number>> = {};
    for (const it of items) {
      let d: number;
      if (it.kind === "compute") d = this.opNs(it.op, cores) * (it.count ?? 1);
      else if (it.comm === "dispatch" || it.comm === "combine") throw new Error(`listNs: ${it.comm} is priced by the MoE exchange model`);
      else d = this.collectiveNs(it.comm as CollectiveOp, it.bytes);
      ns += d;
      const c = classOf(it);
      byClass[c] = (byClass[c] ?? 0) + d;
    }
    return { ns, byClass };
  }
}
