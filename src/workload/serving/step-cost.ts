import type { ResolvedEnvironment } from "../../config/environment.js";
import type { ResolvedModel } from "../../config/model-field.js";
import { Hooks, Simulator } from "../../engine/index.js";
import { kvCacheBytesPerToken, kvCacheShareOnRank } from "../../model/kv-cache.js";
import type { WeightPrecision } from "../../model/precision.js";
import type { SimEvents } from "../../trace/span.js";
import { tokensPerStep } from "../inference-bench/inference-bench.js";
import { hbmPerDie, type HbmUse } from "../inference-bench/memory.js";
import { buildPhase, clusterChip, instanceNpus, type PhaseIssue, type PhaseModel } from "../inference-bench/phase-model.js";
import type { PhaseName, PhaseSettings } from "../inference-bench/schema.js";
import { runPhase } from "../inference-bench/step-sim.js";
import type { InstanceGroupConfig } from "./schema.js";

/*
 * Step costs of a serving instance from the inference step model (inference-bench's buildPhase +
 * runPhase on a scratch simulator), never from a second cost model. A serving run asks for millions of
 * steps of a few shapes, so each instance shape is priced at a handful of points and memoised:
 *
 * - Prefill: a batch of prompts costs α + Σᵢ P(Lᵢ) with P(L) = βL + γL² (the linear layers per token
 *   and the causal attention's quadratic term). α, β, γ come from three one-prompt step-model runs —
 *   1 × b/16, 1 × b/4, 1 × b tokens with b the token budget — so the quadratic term is measured, not
 *   assumed. A prompt with c cached tokens of L costs P(L) − P(c): its new tokens attend to the cached
 *   prefix. The b/16 run is also a floor (small batches are bound by reading the weights, which the
 *   per-token fit does not capture). Micro-batched batches get their own fit (PrefillCost).
 * - Decode: D(b, kv) = D₀(b) + s·b·(kv − KV_REF), D₀ on a geometric grid of sequences per attention
 *   replica (evaluated lazily, linear in between), the KV slope s from one extra run at KV 4·KV_REF:
 *   decode attention reads each sequence's KV cache once per step, linear in b × kv.
 */

/** KV length of the decode grid, tokens (the CM384 decode point, targets.md T1, so T1 is a grid point). */
export const KV_REF = 4096;
/** Sequences per attention replica of the decode grid points, count (ratio ≈ 1.5 between points). */
const B_GRID = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048];
/** Sequences per replica at which the KV slope is measured (48 = 96 per NPU on a 910C: T1's point), count. */
const SLOPE_BATCH = 48;

/**
 * Fraction of each die's HBM kept free for activations and workspace when sizing the KV cache and the
 * prefix cache. From memory of vLLM's default `gpu_memory_utilization` = 0.9, unverified.
 */
export const ACTIVATION_RESERVE_FRACTION = 0.1;

/** HBM of a die left for the KV cache: capacity less the activation reserve, weights and buffers, B (≥ 0). */
export function freeKvBytesPerDie(h: HbmUse): number {
  return Math.max(0, h.capacity * (1 - ACTIVATION_RESERVE_FRACTION) - h.weights - h.buffers);
}

/** Everything the step model needs besides the per-phase settings. */
export interface StepModelContext {
  readonly model: ResolvedModel;
  readonly precision: WeightPrecision;
  readonly env: ResolvedEnvironment;
  /** Told before each step-model run (a memo miss) what it prices, for the progress line. */
  readonly onStepModel?: (what: string) => void;
}

/**
 * NPUs of one instance of a group on the configured cluster, count: `deployment.npus`, else inference-bench's
 * default (instanceNpus: attention dp × tp ranks over the ranks per NPU). Every serving count — batch
 * sizing, the NPU totals and per-NPU metrics, the reference rows — takes it from here.
 */
export function groupNpus(g: InstanceGroupConfig, env: ResolvedEnvironment): number {
  return instanceNpus(g.deployment, clusterChip(env).ranksPerNpu);
}

/** A group's deployment with its NPU count written out (groupNpus), keys in one order whether or not the config wrote it. */
function resolvedDeployment(g: InstanceGroupConfig, env: ResolvedEnvironment): InstanceGroupConfig["deployment"] & { npus: number } {
  const d = { npus: 0, ...g.deployment };
  d.npus = groupNpus(g, env);
  return d;
}

/** The inference-bench settings of one step of an instance group on `env`'s cluster (the deployment with its NPU count resolved). */
export function phaseSettingsOf(g: InstanceGroupConfig, phase: PhaseName, shape: { sequences: number; len: number; dp?: number }, env: ResolvedEnvironment): PhaseSettings {
  const k = phase === "prefill" ? g.prefill : g.decode;
  // the count written out, so an omitted count and the same count written explicitly are one step (and one memo entry)
  const d = resolvedDeployment(g, env);
  const npus = d.npus;
  const dp = shape.dp ?? d.attention.dp;
  return {
    phase,
    // decode: sequences per replica × replicas / NPUs (fractional per NPU is fine: only the product is used)
    batch_per_npu: (shape.sequences * dp) / npus,
    kv_len: shape.len,
    prompt_len: shape.len,
    tokens_per_batch: shape.sequences * shape.len,
    microbatches: Math.min(k.microbatches, shape.sequences),
    overlap: k.overlap,
    mtp: phase === "decode" ? k.mtp : { layers: 0, acceptance: k.mtp.acceptance },
    routing: k.routing,
    steps: 1,
    deployment: d,
  };
}

/** Resolves one phase of a group (issues instead when it does not fit). */
export function groupPhase(g: InstanceGroupConfig, phase: PhaseName, ctx: StepModelContext, shape = { sequences: Math.max(1, g.decode.microbatches), len: 1024 }): PhaseModel | PhaseIssue[] {
  const s = phaseSettingsOf(g, phase, phase === "prefill" ? { sequences: Math.max(1, g.prefill.microbatches), len: 1024 } : shape, ctx.env);
  // the phase knobs (routing, mtp, microbatches) live under the group's `prefill:` / `decode:`
  return buildPhase(s, ctx.model, ctx.precision, ctx.env, (key) => (key.startsWith("workload.") ? ["workload", phase, ...key.split(".").slice(1)] : key.split(".")));
}

/**
 * Step-model results of this process (this thread), keyed by everything a step depends on: the phase
 * settings, the model, the precision, the seed, the cluster and the network settings. A step is a pure
 * function of these, so a sweep over the serving knobs (arrival rate, routing policy, SLOs) prices each
 * instance shape once per worker instead of once per point, and the results stay byte-identical.
 * Bounded: the oldest entries go first.
 */
const STEP_MEMO = new Map<string, number>();
/** Most memoised step results, count (each a key string of a few kB and a number). */
const STEP_MEMO_MAX = 4096;
/** Step-model runs this process has made (memo misses), count: tests observe the memo with it. */
let stepModelRuns = 0;

/** Forgets the memoised step results (benchmarks time cold runs, as a fresh `ascend-sim run` is). */
export function clearStepModelMemo(): void {
  STEP_MEMO.clear();
}

/** Step-model runs made so far in this process, count (memo hits do not count). */
export function stepModelRunCount(): number {
  return stepModelRuns;
}

/** One step of the inference step model for a group at `sequences` × `len` tokens, ns. */
export function stepNs(g: InstanceGroupConfig, phase: PhaseName, sequences: number, len: number, ctx: StepModelContext): number {
  const settings = phaseSettingsOf(g, phase, { sequences, len }, ctx.env);
  const { env } = ctx;
  const key = JSON.stringify([settings, ctx.model, ctx.precision, env.seed, env.cluster ?? null, env.network]);
  const hit = STEP_MEMO.get(key);
  if (hit !== undefined) return hit;
  const pm = buildPhase(settings, ctx.model, ctx.precision, env, (k) => k.split("."));
  if (Array.isArray(pm)) throw new Error(`step model: ${pm.map((i) => i.message).join("; ")}`);
  ctx.onStepModel?.(`pricing steps: step model ${stepModelRuns + 1}, ${phase === "prefill" ? `prefill of ${sequences} × ${len} tokens` : `decode of ${sequences} sequences at KV ${len} tokens`}`);
  const hooks = new Hooks<SimEvents>();
  const ns = runPhase(pm, { sim: new Simulator(env.seed), hooks, env, wantRecords: false }, 0).stepNs[0]!;
  stepModelRuns++;
  if (STEP_MEMO.size >= STEP_MEMO_MAX) STEP_MEMO.delete(STEP_MEMO.keys().next().value!);
  STEP_MEMO.set(key, ns);
  return ns;
}

/** One fitted prefill regime: T(batch) = α + Σ over prompts (β·len + γ·len²) / dp, ns. */
export interface PrefillFit {
  /** Per-batch constant (graph launch, per-step overheads), ns. */
  readonly alphaNs: number;
  /** Per-token linear cost, ns/token, and causal-attention quadratic cost, ns/token². */
  readonly beta: number;
  readonly gamma: number;
}

/**
 * α, β, γ from three step-model points of `s` prompts each at lengths ℓ₁ < ℓ₂ < ℓ₃:
 * T(ℓ) = α + s·β·ℓ + s·γ·ℓ² (negative β or γ from noise are clamped to 0).
 */
function fitThree(pts: readonly { sequences: number; len: number; ns: number }[]): PrefillFit {
  const s = pts[0]!.sequences;
  const [p1, p2, p3] = pts as [typeof pts[0], typeof pts[0], typeof pts[0]];
  // divided differences of T/s over ℓ: slope = β + γ(ℓa + ℓb), curvature = γ
  const d12 = (p2.ns - p1.ns) / s / (p2.len - p1.len);
  const d23 = (p3.ns - p2.ns) / s / (p3.len - p2.len);
  let gamma = (d23 - d12) / (p3.len - p1.len);
  if (!(gamma > 0)) gamma = 0;
  let beta = d12 - gamma * (p1.len + p2.len);
  if (!(beta > 0)) beta = 0;
  const alphaNs = Math.max(0, p1.ns - s * (beta * p1.len + gamma * p1.len * p1.len));
  return { alphaNs, beta, gamma };
}

/**
 * Prefill batch costs of one instance group, fitted on the step model. With `prefill.microbatches` > 1
 * a batch of several prompts runs micro-batched (their communication hides behind each other's compute)
 * and a lone prompt cannot be split, so the two regimes get their own fits: `single` from one-prompt
 * points, `multi` from points of max(4, microbatches) prompts; a replica uses `multi` once it holds at
 * least two of the batch's prompts (batchNs).
 */
export class PrefillCost {
  readonly single: PrefillFit;
  /** The micro-batched regime; undefined with one micro-batch (then `single` prices every batch). */
  readonly multi: PrefillFit | undefined;
  /** Smallest batch time (a b/16-token prompt), ns. */
  readonly floorNs: number;
  /** Attention replicas sharing a batch, count. */
  readonly dp: number;
  /** The step-model points the fits used: sequences, prompt length, ns; the first is the T1 shape (4 × b/4). */
  readonly points: readonly { sequences: number; len: number; ns: number }[];
  /** Attention replicas the last batchNs call spread its prompts over, count (1: all on replica 0). */
  private lastReplicas = 1;
  /** batchNs's per-replica sums and placement, allocated on first use (dp arrays) and grown with the batch. */
  private scratch: { count: Int32Array; single: Float64Array; multi: Float64Array; at: Int32Array; order: number[] } | undefined;

  constructor(g: InstanceGroupConfig, ctx: StepModelContext) {
    const b = g.token_budget;
    const q = Math.max(2, Math.floor(b / 4));
    const at = (sequences: number, len: number) => ({ sequences, len, ns: stepNs(g, "prefill", sequences, len, ctx) });
    const four = at(4, q);
    const floor = at(1, Math.max(1, Math.floor(b / 16)));
    // the lone-prompt points span the floor to the budget, so a prompt length in between is interpolated
    // (points b/4, b/2, b extrapolated below b/4: a 2,048-token prompt priced 4 % low, 14 % with sequence_cv 1)
    const single = floor.len < q ? [floor, at(1, q), at(1, 4 * q)] : [at(1, q), at(1, 2 * q), at(1, 4 * q)];
    this.single = fitThree(single);
    const mb = g.prefill.microbatches;
    let multiPts: { sequences: number; len: number; ns: number }[] = [];
    if (mb > 1) {
      const s = Math.max(4, mb);
      multiPts = s === 4 ? [at(4, Math.floor(q / 2)), four, at(4, 2 * q)] : [at(s, Math.floor(q / 2)), at(s, q), at(s, 2 * q)];
      this.multi = fitThree(multiPts);
    } else this.multi = undefined;
    this.points = [four, ...single, ...(single.includes(floor) ? [] : [floor]), ...multiPts.filter((p) => p !== four)];
    this.floorNs = floor.ns;
    this.dp = g.deployment.attention.dp;
  }

  /** Cost of the first `len` tokens of one prompt, without the per-batch constant, ns: one prompt alone (`multi` false) or in a micro-batched batch. */
  prefixNs(len: number, multi = false): number {
    const f = multi && this.multi !== undefined ? this.multi : this.single;
    return f.beta * len + f.gamma * len * len;
  }

  /**
   * Time of a batch, ns (integer): prompt i's work is `workSingle[i]` (prefixNs with multi false) or
   * `workMulti[i]` (multi true). Each prompt runs whole on one attention replica (attention DP does not
   * split a sequence): a prompt with `pinned[i]` ≥ 0 runs on that replica (a chunked prompt's later
   * chunk attends to the KV its earlier chunks left there, and attention DP does not move KV), the
   * others go longest first, each to the least loaded (ties: lowest replica), and the batch lasts as long
   * as its busiest replica — the fit points run the same prompts on every replica, so a replica's prompts
   * cost what they cost there. A replica with two or more prompts runs them micro-batched (`multi`), a
   * lone prompt cannot be split.
   */
  batchNs(workSingle: readonly number[], workMulti: readonly number[], pinned?: readonly number[]): number {
    const n = workSingle.length;
    let replicas = Math.min(this.dp, n);
    // a pin beyond the first n replicas keeps its replica (an idle replica costs no more than a busy one)
    if (pinned !== undefined) for (let i = 0; i < n; i++) if (pinned[i]! >= replicas) replicas = this.dp;
    this.lastReplicas = replicas;
    if (replicas <= 1) return Math.round(Math.max(this.floorNs, this.replicaNs(workSingle, workMulti)));
    // scratch reused across batches (this runs once per serving iteration)
    const w = (this.scratch ??= { count: new Int32Array(this.dp), single: new Float64Array(this.dp), multi: new Float64Array(this.dp), at: new Int32Array(0), order: [] });
    if (w.at.length < n) w.at = new Int32Array(2 * n);
    const { count, single, multi, at, order } = w;
    count.fill(0, 0, replicas);
    single.fill(0, 0, replicas);
    multi.fill(0, 0, replicas);
    order.length = 0;
    for (let i = 0; i < n; i++) {
      const p = pinned?.[i] ?? -1;
      if (p >= 0) {
        at[i] = p;
        single[p]! += workSingle[i]!;
      } else order.push(i);
    }
    order.sort((a, b) => workSingle[b]! - workSingle[a]! || a - b);
    for (const i of order) {
      let r = 0;
      for (let q = 1; q < replicas; q++) if (single[q]! < single[r]!) r = q;
      at[i] = r;
      single[r]! += workSingle[i]!;
    }
    // then each replica's works summed in batch order, as replicaNs sums a lone replica's
    single.fill(0, 0, replicas);
    for (let i = 0; i < n; i++) {
      const r = at[i]!;
      count[r]!++;
      single[r]! += workSingle[i]!;
      multi[r]! += workMulti[i]!;
    }
    let ns = this.floorNs;
    for (let r = 0; r < replicas; r++) ns = Math.max(ns, this.regimeNs(count[r]!, single[r]!, multi[r]!));
    return Math.round(ns);
  }

  /** The attention replica prompt `i` of the last batchNs call runs on (its KV is there after the batch). */
  replicaOf(i: number): number {
    return this.lastReplicas <= 1 ? 0 : this.scratch!.at[i]!;
  }

  /** One replica running all of `workSingle` / `workMulti` (summed in batch order), ns. */
  private replicaNs(workSingle: readonly number[], workMulti: readonly number[]): number {
    let single = 0;
    let multi = 0;
    for (let i = 0; i < workSingle.length; i++) {
      single += workSingle[i]!;
      multi += workMulti[i]!;
    }
    return this.regimeNs(workSingle.length, single, multi);
  }

  /** A replica's time for `prompts` prompts whose works sum to `single` / `multi`, ns: micro-batched from two prompts on. */
  private regimeNs(prompts: number, single: number, multi: number): number {
    return this.multi !== undefined && prompts >= 2 ? this.multi.alphaNs + multi : this.single.alphaNs + single;
  }
}

/** Decode step costs of one instance group, memoised on a grid. */
export class DecodeCost {
  private readonly d0 = new Map<number, number>();
  private slope: number | undefined;
  /** Expected tokens per step per sequence (1 + MTP accepted drafts), tokens. */
  readonly tokensPerStep: number;
  /** Attention replicas of the instance, count. */
  readonly dp: number;
  /** NPUs of the instance, count (groupNpus). */
  readonly npus: number;
  /** Most sequences per attention replica, count. */
  readonly maxPerReplica: number;
  /** KV-cache capacity per attention replica, tokens. */
  readonly kvTokensPerReplica: number;
  /** KV bytes of one token of one sequence on the wire (every layer, BF16, MTP layer included when on), B. */
  readonly kvBytesPerToken: number;
  /** HBM of the busiest die of the decode layout (inference-bench memory.ts): weights, buffers, capacity, B. */
  readonly hbm: HbmUse;

  constructor(
    private readonly g: InstanceGroupConfig,
    private readonly ctx: StepModelContext,
  ) {
    const k = g.decode;
    this.tokensPerStep = tokensPerStep(k.mtp.layers, k.mtp.acceptance);
    const d = g.deployment;
    this.dp = d.attention.dp;
    this.npus = groupNpus(g, ctx.env);
    this.maxPerReplica = Math.max(1, Math.floor((g.max_batch_per_npu * this.npus) / this.dp));
    const pm = groupPhase(g, "decode", ctx);
    if (Array.isArray(pm)) throw new Error(`step model: ${pm.map((i) => i.message).join("; ")}`);
    const h = (this.hbm = hbmPerDie(pm));
    const arch = ctx.model.arch;
    this.kvBytesPerToken = kvCacheBytesPerToken(arch, "bf16", { includeMtp: k.mtp.layers > 0 });
    this.kvTokensPerReplica = Math.floor(freeKvBytesPerDie(h) / (this.kvBytesPerToken * kvCacheShareOnRank(arch, d.attention.tp)));
  }

  private at(b: number): number {
    let v = this.d0.get(b);
    if (v === undefined) {
      v = stepNs(this.g, "decode", b, KV_REF, this.ctx);
      this.d0.set(b, v);
    }
    return v;
  }

  /** Step time at the reference KV length for `b` sequences per replica (grid interpolation), ns. */
  baseNs(b: number): number {
    if (B_GRID.includes(b)) return this.at(b);
    let hi = B_GRID.findIndex((x) => x >= b);
    if (hi < 0) return this.at(b);
    const lo = B_GRID[hi - 1]!;
    const h = B_GRID[hi]!;
    return this.at(lo) + ((this.at(h) - this.at(lo)) * (b - lo)) / (h - lo);
  }

  /** Extra step time per sequence-token of KV, ns/token. */
  kvSlope(): number {
    if (this.slope === undefined) {
      const b = Math.min(SLOPE_BATCH, this.maxPerReplica);
      this.slope = Math.max(0, (stepNs(this.g, "decode", b, 4 * KV_REF, this.ctx) - this.at(b)) / (b * 3 * KV_REF));
    }
    return this.slope;
  }

  /** One decode step with `b` sequences per replica of mean KV length `kv`, ns (integer). */
  stepNs(b: number, kv: number): number {
    const base = this.baseNs(b);
    // below KV_REF the KV term is extrapolated from KV_REF … 4·KV_REF; the step never drops below half the
    // KV_REF step, a guard (not calibrated): the weight reads and per-token work do not shrink with KV
    return Math.round(Math.max(0.5 * base, base + this.kvSlope() * b * (kv - KV_REF)));
  }

  /** The T1-style point: tokens/s per NPU of a full batch at KV_REF (evaluated on demand). */
  referencePoint(): { sequencesPerReplica: number; stepNs: number; tokensPerSPerNpu: number } {
    const b = Math.min(SLOPE_BATCH, this.maxPerReplica);
    const ns = this.at(b);
    return { sequencesPerReplica: b, stepNs: ns, tokensPerSPerNpu: ((b * this.dp) / this.npus) * this.tokensPerStep / (ns / 1e9) };
  }
}

/** Step-cost models of a run, shared by instances and compared variants with the same group shape. */
export class StepCostCache {
  private readonly prefill = new Map<string, PrefillCost>();
  private readonly decode = new Map<string, DecodeCost>();

  constructor(private readonly ctx: StepModelContext) {}

  private key(g: InstanceGroupConfig, phase: PhaseName): string {
    const k = phase === "prefill" ? g.prefill : g.decode;
    return JSON.stringify([resolvedDeployment(g, this.ctx.env), k, phase === "prefill" ? g.token_budget : g.max_batch_per_npu]);
  }

  /** The prefill cost model of a group. */
  prefillOf(g: InstanceGroupConfig): PrefillCost {
    const key = this.key(g, "prefill");
    let c = this.prefill.get(key);
    if (c === undefined) this.prefill.set(key, (c = new PrefillCost(g, this.ctx)));
    return c;
  }

  /** The decode cost model of a group. */
  decodeOf(g: InstanceGroupConfig): DecodeCost {
    const key = this.key(g, "decode");
    let c = this.decode.get(key);
    if (c === undefined) this.decode.set(key, (c = new DecodeCost(g, this.ctx)));
    return c;
  }
}

/**
 * One decode step of `running` (at least one sequence) on an instance priced by `decode`, ns: paced by the
 * attention replica with the most sequences (the EP exchange joins every replica each layer) at the batch's
 * mean KV length (prompt + tokens so far). A sequence without a replica (decodeReplica < 0: colocated
 * serving) makes the whole batch count as spread evenly, ⌈n / dp⌉. `perReplica`: scratch of at least dp
 * entries (no allocation per step). Serving and elastic price their decode steps with it.
 */
export function runningStepNs(
  decode: Pick<DecodeCost, "dp" | "stepNs">,
  running: readonly { readonly input: number; readonly emitted: number; readonly decodeReplica: number }[],
  perReplica: Int32Array,
): number {
  let kv = 0;
  let unplaced = 0;
  perReplica.fill(0);
  for (const r of running) {
    kv += r.input + r.emitted;
    if (r.decodeReplica >= 0) perReplica[r.decodeReplica]!++;
    else unplaced++;
  }
  let busiest = 0;
  for (let k = 0; k < perReplica.length; k++) if (perReplica[k]! > busiest) busiest = perReplica[k]!;
  const n = running.length;
  return decode.stepNs(unplaced > 0 ? Math.ceil(n / decode.dp) : busiest, kv / n);
}
