import type { DieSpec } from "../hw/chip-spec.js";
import { KERNEL_LAUNCH_NS } from "../hw/efficiency.js";
import type { NetworkModel, Transfer } from "../network/network-model.js";
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
function fusedIssueNs(cfg: MoeOpConfig, net: NetworkModel, src: number, rowBytes: number): number {
  const { die, hidden, group } = cfg;
  const n = group.length;
  const topo = net.topology;
  const readNs = aivGmReadNs(die, hidden * BF16_BYTES, 1);
  const quantNs = cfg.kind === "dispatch" && cfg.quantize ? aivVectorNs(die, hidden * FP32_BYTES, QUANT_VECTOR_PASSES, 1) : 0;
  const writeNs = (rowBytes / AIV_UB_WRITE_BYTES_PER_S) * 1e9;
  let total = 0;
  for (let j = 0; j < n; j++) {
    const c = copiesOf(cfg, src, j);
    if (c === 0) continue;
    const per =
      j === src
        ? readNs + quantNs + aivGmWriteNs(die, rowBytes, 1)
        : readNs + quantNs + AIV_UB_WRITE_STARTUP_NS + writeNs + topo.routeLatencyNs(topo.route(group[src]!, group[j]!));
    total += c * per;
  }
  return total / cfg.aivCores;
}

/** AIV time of the receive-side local work of group position r, ns. */
function postNs(cfg: MoeOpConfig, r: number, rowBytes: number): number {
  const { die, hidden, group, aivCores } = cfg;
  const n = group.length;
  if (cfg.kind === "dispatch") {
    // LocalWindowCopy: every received row (and the local ones) from the window into the expert-major output
    let recv = 0;
    for (let i = 0; i < n; i++) recv += cfg.routing.copies[i * n + r]!;
    return aivCopyNs(die, recv * rowBytes, aivCores);
  }
  // weighted sum of each own token's top-k expert outputs, FP32 accumulate, BF16 out
  let copies = 0;
  for (let j = 0; j < n; j++) copies += cfg.routing.copies[r * n + j]!;
  const read = aivGmReadNs(die, copies * hidden * BF16_BYTES, aivCores);
  const vec = aivVectorNs(die, copies * hidden * FP32_BYTES, WEIGHTED_SUM_VECTOR_PASSES, aivCores);
  const write = aivGmWriteNs(die, cfg.routing.shape.tokensPerRank * hidden * BF16_BYTES, aivCores);
  return Math.max(read, vec, write);
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

  let maxIssue = 0;
  for (let i = 0; i < n; i++) maxIssue = Math.max(maxIssue, fusedIssueNs(cfg, net, i, rowBytes));
  const flags: Transfer[] = [];
  for (const src of group) for (const dst of group) if (src !== dst) flags.push({ src, dst, bytes: STATUS_FLAG_BYTES });
  net.runGroup(transfers, t1, (netEnd) => {
    const transferEnd = Math.max(netEnd, t1 + maxIssue);
    net.runGroup(flags, transferEnd, (statusEnd) => finish(transferEnd, statusEnd));
  });
}
