import { aivCopyNs } from "../../collectives/aiv-cost.js";
import { ALGORITHMS } from "../../collectives/algorithms.js";
import { runPlan } from "../../collectives/executor.js";
import { FUSED_MOE_AIV_CORES } from "../../collectives/moe-constants.js";
import { runMoeOp, type MoeVariant } from "../../collectives/moe-exchange.js";
import type { MoeRouting } from "../../collectives/moe-routing.js";
import type { CollectiveOp, CollectiveStep } from "../../collectives/plan.js";
import { rankLayout, type RankLayout } from "../../collectives/rank-layout.js";
import { selectAlgorithm } from "../../collectives/select.js";
import type { ResolvedEnvironment } from "../../config/environment.js";
import { Simulator } from "../../engine/index.js";
import type { DieSpec } from "../../hw/chip-spec.js";
import { KERNEL_LAUNCH_NS } from "../../hw/efficiency.js";
import type { NetworkModel, Transfer } from "../../network/network-model.js";
import { collectivePastClock, withinEngineClock } from "./time-limit.js";

/*
 * Prices the collectives of a training step on the configured network model, with the real ranks of
 * each group. Every price runs the collective alone on a scratch simulator (the training timeline
 * then uses the duration): groups of one kind that run at the same time on other servers are priced
 * together (all tp columns of a DP reduce-scatter, all servers of a hierarchical all-to-all), traffic
 * of different kinds (EP vs DP on the same NIC) is not made to contend. Prices are memoised by key.
 */

/** Prices collectives on a scratch copy of the network. */
export class CommPricer {
  private readonly sim = new Simulator(0);
  private readonly net: NetworkModel;
  readonly layout: RankLayout;
  private readonly memo = new Map<string, number>();

  constructor(
    env: ResolvedEnvironment,
    private readonly stepOverheadNs: number,
    private readonly die: DieSpec,
  ) {
    this.net = env.networkModel(this.sim);
    this.layout = rankLayout(this.net.topology);
  }

  /** Default MoE exchange of the fabric: fused AIV writes on UB, HCCL all-to-allv elsewhere. */
  get moeVariant(): MoeVariant {
    return this.layout.fabric === "ub" ? "fused" : "alltoallv";
  }

  /** Runs one exchange alone on the scratch simulator; `what` names it if it outlasts the engine's clock. */
  private measure(what: string, run: (start: number, done: (end: number) => void) => void): number {
    const start = this.sim.now;
    let end = start;
    withinEngineClock(() => {
      run(start, (e) => (end = e));
      this.sim.run();
    }, () => collectivePastClock(what));
    return end - start;
  }

  private memoised(key: string, f: () => number): number {
    let v = this.memo.get(key);
    if (v === undefined) this.memo.set(key, (v = f()));
    return v;
  }

  /** Steps of `op` on each group, concurrently (round k of every group at once), algorithm `auto`. */
  private concurrentSteps(op: CollectiveOp, groups: readonly (readonly number[])[], bytes: number, matrices?: readonly Float64Array[]): CollectiveStep[] {
    const plans = groups.map((g, i) => {
      const name = selectAlgorithm(op, g, bytes, this.layout);
      const m = matrices?.[i];
      return ALGORITHMS[name]!.plan({ op, group: g, bytes, layout: this.layout, ...(m !== undefined ? { matrix: m } : {}) }).steps;
    });
    const n = Math.max(0, ...plans.map((p) => p.length));
    const out: CollectiveStep[] = [];
    for (let k = 0; k < n; k++) {
      const transfers: Transfer[] = [];
      for (const p of plans) {
        const s = p[k];
        if (s !== undefined) for (const t of s.transfers) transfers.push(t);
      }
      out.push({ transfers });
    }
    return out;
  }

  /** Duration of `op` of `bytes` (nccl-tests S) run on all `groups` at once, ns. */
  collective(key: string, op: CollectiveOp, groups: readonly (readonly number[])[], bytes: number): number {
    if (groups.every((g) => g.length < 2) || bytes <= 0) return 0;
    return this.memoised(`c/${key}/${op}/${bytes}`, () => {
      const steps = this.concurrentSteps(op, groups, bytes);
      const what = `the ${op} of ${bytes} B over ${groups.length} group${groups.length === 1 ? "" : "s"} of ${groups[0]!.length} ranks`;
      return this.measure(what, (start, done) => runPlan(this.net, { op, algorithm: "auto", group: groups[0]!, bytes, steps }, start, this.stepOverheadNs, done));
    });
  }

  /** Duration of one point-to-point round: every pair sends `bytes` at once, ns. */
  sendRecv(key: string, pairs: readonly (readonly [number, number])[], bytes: number): number {
    if (bytes <= 0 || pairs.length === 0) return 0;
    return this.memoised(`p/${key}/${bytes}`, () =>
      this.measure(`a pipeline send of ${bytes} B`, (start, done) => this.net.runGroup(pairs.map(([src, dst]) => ({ src, dst, bytes })), start + this.stepOverheadNs, done)),
    );
  }

  /** Flat MoE dispatch or combine over `group` (moe-exchange.ts), BF16 rows, ns. */
  moeFlat(key: string, kind: "dispatch" | "combine", group: readonly number[], routing: MoeRouting, hidden: number): number {
    return this.memoised(`m/${key}/${kind}`, () =>
      this.measure(`the MoE ${kind} over ${group.length} ranks`, (start, done) =>
        runMoeOp(
          this.net,
          {
            kind,
            group,
            routing,
            hidden,
            variant: this.moeVariant,
            quantize: false,
            die: this.die,
            aivCores: FUSED_MOE_AIV_CORES,
            stepOverheadNs: this.stepOverheadNs,
            layout: this.layout,
          },
          start,
          (r) => done(r.endNs),
        ),
      ),
    );
  }

  /**
   * Hierarchical MoE exchange (Pangu Ultra MoE): dispatch = inter-server AllGather of the tokens among
   * the ranks with the same local index (`columns`), then an intra-server AllToAllV that hands each
   * rank the copies routed to its experts (`intraMatrices[server]`, B from local position i to j), then
   * the local permutation copy of the received rows; combine = the reverse (AllToAllV back, then
   * inter-server ReduceScatter of the partial sums). Kernel launch once per phase, ns.
   */
  moeHierarchical(
    key: string,
    kind: "dispatch" | "combine",
    columns: readonly (readonly number[])[],
    servers: readonly (readonly number[])[],
    intraMatrices: readonly Float64Array[],
    gatherBytes: number,
    recvBytesMax: number,
  ): number {
    return this.memoised(`h/${key}/${kind}`, () => {
      const inter = this.concurrentSteps(kind === "dispatch" ? "all_gather" : "reduce_scatter", columns, gatherBytes);
      const intra = this.concurrentSteps("all_to_allv", servers, 0, intraMatrices);
      const steps = kind === "dispatch" ? [...inter, ...intra] : [...intra, ...inter];
      const local = aivCopyNs(this.die, recvBytesMax, this.die.aiv);
      return (
        2 * KERNEL_LAUNCH_NS +
        local +
        this.measure(`the hierarchical MoE ${kind}`, (start, done) => runPlan(this.net, { op: "all_to_allv", algorithm: "hierarchical-a2a", group: servers[0]!, bytes: 0, steps }, start, this.stepOverheadNs, done))
      );
    });
  }
}
