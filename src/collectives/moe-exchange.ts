import type { DieSpec } from "../hw/chip-spec.js";
import { KERNEL_LAUNCH_NS } from "../hw/efficiency.js";
import type { NetworkModel, Transfer } from "../network/network-model.js";
import type { Topology } from "../topology/topology.js";
import { aivCopyNs, aivGmReadNs, aivGmWriteNs, aivVectorNs } from "./aiv-cost.js";
import { ALGORITHMS } from "./algorithms.js";
import { runPlan } from "./executor.js";
import {
  AIV_UB_WRITE_BYTES_PER_S,
  AIV_UB_WRITE_STARTUP_NS,
  BF16_BYTES,
  FP32_BYTES,
  INT8_BYTES,
  QUANT_SCALE_BYTES,
  QUANT_VECTOR_PASSES,
  STATUS_FLAG_BYTES,
  TOKEN_SLOT_ALIGN_BYTES,
  WEIGHTED_SUM_VECTOR_PASSES,
} from "./moe-constants.js";
import type { MoeRouting } from "./moe-routing.js";
import type { RankLayout } from "./rank-layout.js";
import { selectAlgorithm } from "./select.js";

/** Which half of the MoE exchange. */
export type MoeOpKind = "dispatch" | "combine";

/**
 * How the exchange is driven: `fused` = CloudMatrix FusedDispatch/FusedCombine (AIV cores write
 * straight into peers' windows over UB, no SDMA start-up, hardware.md §4); `alltoallv` = the HCCL
 * MoeDistributeDispatch/Combine path (AIV compute around an SDMA all-to-allv with per-step start-up).
 */
export type MoeVariant = "fused" | "alltoallv";

/** One MoE dispatch or combine over an EP group. */
export interface MoeOpConfig {
  readonly kind: MoeOpKind;
  /** Ranks of the EP group (group position i ↔ routing row i). */
  readonly group: readonly number[];
  readonly routing: MoeRouting;
  /** Hidden size, elements. */
  readonly hidden: number;
  readonly variant: MoeVariant;
  /** Dispatch only: quantize to INT8 before sending (the FusedDispatch "early quantization"). */
  readonly quantize: boolean;
  /** The die every rank is (its AIV rates and HBM). */
  readonly die: DieSpec;
  /** AIV cores the operator runs on, per die. */
  readonly aivCores: number;
  /** `alltoallv` variant: software start-up of each SDMA step, ns. */
  readonly stepOverheadNs: number;
  /** `alltoallv` variant: which ranks share a server (chooses mesh or pairwise). */
  readonly layout: RankLayout;
}

/** Timing of one MoE operator. */
export interface MoeOpResult {
  /** Exact start, ns. */
  readonly startNs: number;
  /** Exact time the slowest rank finished, ns. */
  readonly endNs: number;
  /** Latency of each group rank (start → its output is ready), ns. */
  readonly perRankNs: Float64Array;
  /** Bytes each group rank sent to other ranks, bytes. */
  readonly remoteBytesSent: Float64Array;
  /** Bytes of one token row on the wire, bytes. */
  readonly rowBytes: number;
  /** Payload per rank as DeepEP and CM384 count it: tokens × top-k × row bytes, bytes. */
  readonly payloadBytesPerRank: number;
  /** Durations of the phases as the slowest rank saw them, ns: issue+transfer, status, local compute. */
  readonly phases: { readonly transferNs: number; readonly statusNs: number; readonly computeNs: number };
}

/** Bytes of one token row: INT8 + FP32 scale padded to the window slot when quantized, else BF16, bytes. */
export function moeRowBytes(kind: MoeOpKind, hidden: number, quantize: boolean): number {
  if (kind === "dispatch" && quantize) {
    const raw = hidden * INT8_BYTES + QUANT_SCALE_BYTES;
    return Math.ceil(raw / TOKEN_SLOT_ALIGN_BYTES) * TOKEN_SLOT_ALIGN_BYTES;
  }
  return hidden * BF16_BYTES;
}

/** Token copies from group position i to j of this operator (combine runs the routing backwards). */
function copiesOf(cfg: MoeOpConfig, i: number, j: number): number {
  const n = cfg.group.length;
  return cfg.kind === "dispatch" ? cfg.routing.copies[i * n + j]! : cfg.routing.copies[j * n + i]!;
}

/** Route latency between every pair of group positions on the default plane, ns, at i·n + j (0 on the diagonal). */
export function groupRouteLatencies(topo: Topology, group: readonly number[]): Float64Array {
  const n = group.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out[i * n + j] = topo.routeLatencyNs(topo.route(group[i]!, group[j]!));
  return out;
}

/**
 * AIV time of one sender's per-copy pipeline, ns. Each core takes an equal share of the copies and,
 * for each, reads the BF16 row from HBM, quantizes it (dispatch), and writes it to the peer's window
 * (issue start-up + bytes at the per-core UB rate), holding the row's UB buffer until the write has
 * landed (the route latency) — so route latency is paid per copy, divided over the cores.
 *
 * Why serial per copy: the CM384 measurements (hardware.md §5) are bound by a fixed cost per copy, not
 * by bytes — combine moves 1.9× dispatch's bytes in the same time, dispatch reaches 36 % of the UB port,
 * and EP8 → EP256 adds ~43 copies per core × the extra cross-node latency. A model with posted writes
 * and double-buffered stages (the §4 "3-stage pipeline" read as a per-core pipeline) was tried and came
 * out 36–61 % faster than all four measurements; per-copy completion (one write in flight per core, as
 * a per-row flag/fence protocol would need) is what the data show.
 */
function fusedIssueNs(cfg: MoeOpConfig, latency: Float64Array, src: number, rowBytes: number): number {
  const n = cfg.group.length;
  const { local, remote } = fusedCopyNs(cfg.kind, cfg.quantize, cfg.die, cfg.hidden, rowBytes);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const c = copiesOf(cfg, src, j);
    if (c === 0) continue;
    total += c * (j === src ? local : remote + latency[src * n + j]!);
  }
  return total / cfg.aivCores;
}

/**
 * AIV time of one copy in a fused sender's pipeline (see fusedIssueNs), ns: a local copy (HBM read,
 * quantize, HBM write into the own window) and a remote copy before its route latency (HBM read,
 * quantize, remote-write start-up and bytes at the per-core UB rate).
 */
function fusedCopyNs(kind: MoeOpKind, quantize: boolean, die: DieSpec, hidden: number, rowBytes: number): { local: number; remote: number } {
  const readNs = aivGmReadNs(die, hidden * BF16_BYTES, 1);
  const quantNs = kind === "dispatch" && quantize ? aivVectorNs(die, hidden * FP32_BYTES, QUANT_VECTOR_PASSES, 1) : 0;
  const writeNs = (rowBytes / AIV_UB_WRITE_BYTES_PER_S) * 1e9;
  return { local: readNs + quantNs + aivGmWriteNs(die, rowBytes, 1), remote: readNs + quantNs + AIV_UB_WRITE_STARTUP_NS + writeNs };
}

/**
 * AIV time of the receive-side local work of one rank, ns. Dispatch: LocalWindowCopy of the `rows`
 * rows it received (and its local ones) into the expert-major output. Combine: the weighted sum of its
 * own tokens' `rows` expert outputs (FP32 accumulate), written out as `tokensPerRank` BF16 rows.
 */
function postFromRows(kind: MoeOpKind, die: DieSpec, hidden: number, aivCores: number, rowBytes: number, rows: number, tokensPerRank: number): number {
  if (kind === "dispatch") return aivCopyNs(die, rows * rowBytes, aivCores);
  const read = aivGmReadNs(die, rows * hidden * BF16_BYTES, aivCores);
  const vec = aivVectorNs(die, rows * hidden * FP32_BYTES, WEIGHTED_SUM_VECTOR_PASSES, aivCores);
  const write = aivGmWriteNs(die, tokensPerRank * hidden * BF16_BYTES, aivCores);
  return Math.max(read, vec, write);
}

/** AIV time of the receive-side local work of group position r, ns (postFromRows of its row count). */
function postNs(cfg: MoeOpConfig, r: number, rowBytes: number): number {
  const n = cfg.group.length;
  let rows = 0;
  // dispatch: rows received (column r); combine: copies of the rank's own tokens (row r)
  if (cfg.kind === "dispatch") for (let i = 0; i < n; i++) rows += cfg.routing.copies[i * n + r]!;
  else for (let j = 0; j < n; j++) rows += cfg.routing.copies[r * n + j]!;
  return postFromRows(cfg.kind, cfg.die, cfg.hidden, cfg.aivCores, rowBytes, rows, cfg.routing.shape.tokensPerRank);
}

/** AIV time of dispatch's up-front quantization on the `alltoallv` path (once per token), ns. */
function preNs(cfg: MoeOpConfig): number {
  if (cfg.kind !== "dispatch" || !cfg.quantize) return 0;
  const t = cfg.routing.shape.tokensPerRank;
  const read = aivGmReadNs(cfg.die, t * cfg.hidden * BF16_BYTES, cfg.aivCores);
  const vec = aivVectorNs(cfg.die, t * cfg.hidden * FP32_BYTES, QUANT_VECTOR_PASSES, cfg.aivCores);
  return Math.max(read, vec);
}

/**
 * Runs one MoE dispatch or combine on `net` from `startNs` (exact) and reports per-rank latencies.
 * Fused: kernel launch → every rank's AIV copy pipeline, its bytes priced concurrently on the network
 * (the phase ends when both the slowest sender's AIV work and the network are done) → each rank writes
 * a status flag to every peer (issue cost per flag, then one network round) → local compute
 * (LocalWindowCopy for dispatch, weighted sum for combine). All-to-allv: launch → quantize (dispatch)
 * → SDMA all-to-allv plan (mesh inside a domain, pairwise across) → local compute.
 */
export function runMoeOp(net: NetworkModel, cfg: MoeOpConfig, startNs: number, onDone: (r: MoeOpResult) => void): void {
  const { group, routing } = cfg;
  const n = group.length;
  if (routing.shape.ep !== n) throw new RangeError(`routing is for EP${routing.shape.ep}, group has ${n} ranks`);
  const rowBytes = moeRowBytes(cfg.kind, cfg.hidden, cfg.quantize);
  const remoteBytesSent = new Float64Array(n);
  const matrix = new Float64Array(n * n);
  const transfers: Transfer[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const bytes = copiesOf(cfg, i, j) * rowBytes;
      matrix[i * n + j] = bytes;
      remoteBytesSent[i]! += bytes;
      if (bytes > 0) transfers.push({ src: group[i]!, dst: group[j]!, bytes });
    }
  }
  const post = new Float64Array(n);
  let maxPost = 0;
  for (let r = 0; r < n; r++) maxPost = Math.max(maxPost, (post[r] = postNs(cfg, r, rowBytes)));
  const payloadBytesPerRank = routing.shape.tokensPerRank * routing.shape.topK * rowBytes;
  const t1 = startNs + KERNEL_LAUNCH_NS;

  const finish = (transferEnd: number, statusEnd: number): void => {
    const perRankNs = new Float64Array(n);
    for (let r = 0; r < n; r++) perRankNs[r] = statusEnd + post[r]! - startNs;
    onDone({
      startNs,
      endNs: statusEnd + maxPost,
      perRankNs,
      remoteBytesSent,
      rowBytes,
      payloadBytesPerRank,
      phases: { transferNs: transferEnd - startNs, statusNs: statusEnd - transferEnd, computeNs: maxPost },
    });
  };

  if (cfg.variant === "alltoallv") {
    const algorithm = selectAlgorithm("all_to_allv", group, 0, cfg.layout);
    const plan = ALGORITHMS[algorithm]!.plan({ op: "all_to_allv", group, bytes: 0, matrix, layout: cfg.layout });
    runPlan(net, plan, t1 + preNs(cfg), cfg.stepOverheadNs, (end) => finish(end, end));
    return;
  }

  const latency = groupRouteLatencies(net.topology, group);
  let maxIssue = 0;
  for (let i = 0; i < n; i++) maxIssue = Math.max(maxIssue, fusedIssueNs(cfg, latency, i, rowBytes));
  const flags: Transfer[] = [];
  for (const src of group) for (const dst of group) if (src !== dst) flags.push({ src, dst, bytes: STATUS_FLAG_BYTES });
  net.runGroup(transfers, t1, (netEnd) => {
    const transferEnd = Math.max(netEnd, t1 + maxIssue);
    net.runGroup(flags, transferEnd, (statusEnd) => finish(transferEnd, statusEnd));
  });
}

/** Timing of one MoE operator relative to its start, ns: what `runMoeOp` reports, without absolute times. */
export interface MoeOpTiming {
  /** Latency of each group rank (start → its output is ready), ns. */
  readonly perRankNs: Float64Array;
  /** Latency of the slowest rank, ns. */
  readonly maxNs: number;
  /** Phase durations as the slowest rank saw them, ns: issue+transfer, status, local compute. */
  readonly phases: { readonly transferNs: number; readonly statusNs: number; readonly computeNs: number };
}

/** Everything of a fused MoE operator except what changes per call (kind and routing). */
export type FusedMoeBase = Omit<MoeOpConfig, "kind" | "routing" | "variant" | "stepOverheadNs" | "layout">;

/**
 * Prices many fused dispatch/combine operators on one EP group under the analytical network model
 * (network/analytical.ts: max route latency + the busiest link's bytes over its bandwidth) without
 * building transfer lists or events: the same issue, status and post formulas as `runMoeOp`'s fused
 * path, with each pair's route and route latency looked up once. For a step simulator that runs an
 * EP320 exchange twice per layer per micro-batch. Routes are taken with flow id 0; on the UB plane (the
 * only fabric the fused variant runs on) routes do not depend on the flow id, so the result equals
 * `runMoeOp` on an AnalyticalNetwork to floating-point rounding (test/integration/inference-moe-pricer.test.ts).
 */
export class FusedMoePricer {
  private readonly n: number;
  private readonly latency: Float64Array;
  private readonly routeStart: Int32Array;
  private readonly routeLinks: Int32Array;
  /**
   * The reverse pairs' routes and latencies at the forward pair's index: entry i·n + j holds route j → i
   * (the combine direction), so priceBoth walks both directions in row order instead of one by column.
   */
  private readonly latencyRev: Float64Array;
  private readonly routeStartRev: Int32Array;
  private readonly routeLinksRev: Int32Array;
  private readonly linkBandwidth: Float64Array;
  private readonly load: Float64Array;
  private readonly touched: Int32Array;
  private readonly loadC: Float64Array;
  /** Every link some route of the group crosses (priceBoth drains these instead of tracking the touched ones). */
  private readonly groupLinks: Int32Array;
  private readonly flagsNs: number;

  constructor(
    topo: Topology,
    private readonly base: FusedMoeBase,
  ) {
    const group = base.group;
    const n = (this.n = group.length);
    this.latency = groupRouteLatencies(topo, group);
    const starts = new Int32Array(n * n + 1);
    const links: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        starts[i * n + j] = links.length;
        if (i !== j) for (const l of topo.route(group[i]!, group[j]!)) links.push(l);
      }
    }
    starts[n * n] = links.length;
    this.routeStart = starts;
    this.routeLinks = Int32Array.from(links);
    this.latencyRev = new Float64Array(n * n);
    this.routeStartRev = new Int32Array(n * n + 1);
    this.routeLinksRev = new Int32Array(links.length);
    let at = 0;
    for (let p = 0; p < n * n; p++) {
      const q = (p % n) * n + Math.floor(p / n);
      this.latencyRev[p] = this.latency[q]!;
      this.routeStartRev[p] = at;
      for (let k = starts[q]!; k < starts[q + 1]!; k++) this.routeLinksRev[at++] = this.routeLinks[k]!;
    }
    this.routeStartRev[n * n] = at;
    this.linkBandwidth = Float64Array.from(topo.links, (l) => l.bandwidth);
    this.load = new Float64Array(topo.links.length);
    this.touched = new Int32Array(topo.links.length);
    this.loadC = new Float64Array(topo.links.length);
    this.groupLinks = Int32Array.from(new Set(links));
    const ones = new Float64Array(n * n).fill(1);
    this.flagsNs = this.groupNs(ones, STATUS_FLAG_BYTES, false);
  }

  /** AnalyticalNetwork.groupDurationNs of transfers of `bytes` between every pair (status flags), ns. */
  private groupNs(copies: ArrayLike<number>, rowBytes: number, transpose: boolean): number {
    const { n, latency, routeStart, routeLinks, load, touched } = this;
    let nTouched = 0;
    let maxLatency = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const c = transpose ? copies[j * n + i]! : copies[i * n + j]!;
        if (!(c > 0)) continue;
        const bytes = c * rowBytes;
        const p = i * n + j;
        for (let k = routeStart[p]!; k < routeStart[p + 1]!; k++) {
          const l = routeLinks[k]!;
          if (load[l] === 0) touched[nTouched++] = l;
          load[l]! += bytes;
        }
        if (latency[p]! > maxLatency) maxLatency = latency[p]!;
      }
    }
    return maxLatency + this.drain(load, touched, nTouched);
  }

  /** Busiest link's bytes / bandwidth of the loads in `load` (reset to 0 on the way), ns. */
  private drain(load: Float64Array, touched: Int32Array, nTouched: number): number {
    let maxSerial = 0;
    for (let k = 0; k < nTouched; k++) {
      const l = touched[k]!;
      const ns = (load[l]! / this.linkBandwidth[l]!) * 1e9;
      if (ns > maxSerial) maxSerial = ns;
      load[l] = 0;
    }
    return maxSerial;
  }

  /**
   * Latencies of the dispatch and the combine of one routing (copies in the dispatch direction), in one
   * pass over the copy matrix: the same terms as runMoeOp's fused path — issue (fusedCopyNs per copy +
   * route latency, over the AIV cores), network (route latency + busiest link), status flags, post
   * (postFromRows).
   */
  priceBoth(routing: MoeRouting): { readonly dispatch: MoeOpTiming; readonly combine: MoeOpTiming } {
    const n = this.n;
    if (routing.shape.ep !== n) throw new RangeError(`routing is for EP${routing.shape.ep}, group has ${n} ranks`);
    const { die, hidden, quantize, aivCores } = this.base;
    const rowD = moeRowBytes("dispatch", hidden, quantize);
    const rowC = moeRowBytes("combine", hidden, quantize);
    const cd = fusedCopyNs("dispatch", quantize, die, hidden, rowD);
    const cc = fusedCopyNs("combine", quantize, die, hidden, rowC);
    const { latency, routeStart, routeLinks, latencyRev, routeStartRev, routeLinksRev, load, loadC, groupLinks } = this;
    const copies = routing.copies;
    const issueD = new Float64Array(n);
    const issueC = new Float64Array(n);
    const rowSum = new Float64Array(n);
    const colSum = new Float64Array(n);
    let latD = 0;
    let latC = 0;
    for (let i = 0; i < n; i++) {
      let issue = 0;
      let rs = 0;
      for (let j = 0; j < n; j++) {
        const c = copies[i * n + j]!;
        if (!(c > 0)) continue;
        rs += c;
        colSum[j]! += c;
        if (i === j) {
          issue += c * cd.local;
          issueC[i]! += c * cc.local;
          continue;
        }
        const p = i * n + j;
        const lp = latency[p]!;
        const lq = latencyRev[p]!;
        issue += c * (cd.remote + lp);
        issueC[j]! += c * (cc.remote + lq);
        if (lp > latD) latD = lp;
        if (lq > latC) latC = lq;
        const bd = c * rowD;
        for (let k = routeStart[p]!; k < routeStart[p + 1]!; k++) {
          load[routeLinks[k]!]! += bd;
        }
        const bc = c * rowC;
        for (let k = routeStartRev[p]!; k < routeStartRev[p + 1]!; k++) {
          loadC[routeLinksRev[k]!]! += bc;
        }
      }
      issueD[i] = issue;
      rowSum[i] = rs;
    }
    // (an untouched link's load is 0: it adds nothing to the busiest)
    const netD = latD + this.drain(load, groupLinks, groupLinks.length);
    const netC = latC + this.drain(loadC, groupLinks, groupLinks.length);
    const T = routing.shape.tokensPerRank;
    const timing = (kind: MoeOpKind, issue: Float64Array, net: number, rows: Float64Array, rowBytes: number): MoeOpTiming => {
      let maxIssue = 0;
      for (let i = 0; i < n; i++) if (issue[i]! > maxIssue) maxIssue = issue[i]!;
      const transferNs = KERNEL_LAUNCH_NS + Math.max(net, maxIssue / aivCores);
      const statusEnd = transferNs + this.flagsNs;
      const perRankNs = new Float64Array(n);
      let maxPost = 0;
      for (let r = 0; r < n; r++) {
        const post = postFromRows(kind, die, hidden, aivCores, rowBytes, rows[r]!, T);
        perRankNs[r] = statusEnd + post;
        if (post > maxPost) maxPost = post;
      }
      return { perRankNs, maxNs: statusEnd + maxPost, phases: { transferNs, statusNs: this.flagsNs, computeNs: maxPost } };
    };
    return { dispatch: timing("dispatch", issueD, netD, colSum, rowD), combine: timing("combine", issueC, netC, rowSum, rowC) };
  }

  /** Latencies of one fused dispatch or combine with `routing` (its copies in the dispatch direction). */
  price(kind: MoeOpKind, routing: MoeRouting): MoeOpTiming {
    const n = this.n;
    if (routing.shape.ep !== n) throw new RangeError(`routing is for EP${routing.shape.ep}, group has ${n} ranks`);
    const cfg: MoeOpConfig = { ...this.base, kind, routing, variant: "fused", stepOverheadNs: 0, layout: undefined as unknown as RankLayout };
    const rowBytes = moeRowBytes(kind, cfg.hidden, cfg.quantize);
    let maxIssue = 0;
    for (let i = 0; i < n; i++) maxIssue = Math.max(maxIssue, fusedIssueNs(cfg, this.latency, i, rowBytes));
    const netNs = this.groupNs(routing.copies, rowBytes, kind === "combine");
    const transferNs = KERNEL_LAUNCH_NS + Math.max(netNs, maxIssue);
    const statusEnd = transferNs + this.flagsNs;
    const perRankNs = new Float64Array(n);
    let maxPost = 0;
    for (let r = 0; r < n; r++) {
      const p = postNs(cfg, r, rowBytes);
      perRankNs[r] = statusEnd + p;
      if (p > maxPost) maxPost = p;
    }
    return { perRankNs, maxNs: statusEnd + maxPost, phases: { transferNs, statusNs: this.flagsNs, computeNs: maxPost } };
  }
}
