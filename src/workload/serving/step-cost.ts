import type { ResolvedEnvironment } from "../../config/environment.js";
import type { ResolvedModel } from "../../config/model-field.js";
import { Hooks, Simulator } from "../../engine/index.js";
import { kvCacheBytesPerToken } from "../../model/kv-cache.js";
import type { WeightPrecision } from "../../model/precision.js";
import type { SimEvents } from "../../trace/span.js";
import { tokensPerStep } from "../inference-bench/inference-bench.js";
import { hbmPerDie } from "../inference-bench/memory.js";
import { buildPhase, type PhaseIssue, type PhaseModel } from "../inference-bench/phase-model.js";
import type { PhaseName, PhaseSettings } from "../inference-bench/schema.js";
import { runPhase } from "../inference-bench/step-sim.js";
import type { InstanceGroupConfig } from "./schema.js";

/*
 * Step costs of a serving instance from the inference step model (inference-bench's buildPhase +
 * runPhase on a scratch simulator), never from a second cost model. A serving run asks for millions of
 * steps of a few shapes, so each instance shape is priced at a handful of points and memoised:
 *
 * - Prefill: a batch of prompts costs α + Σᵢ P(Lᵢ) with P(L) = βL + γL² (the linear layers per token
 *   and the causal attention's quadratic term). α, β, γ come from three step-model runs that share a
 *   token count or a prompt length — (4 × b/4), (1 × b), (1 × b/4) tokens with b the token budget — so
 *   the quadratic term is measured, not assumed. A prompt with c cached tokens of L costs
 *   P(L) − P(c): its new tokens attend to the cached prefix. A fourth run at b/16 tokens is a floor
 *   (small batches are bound by reading the weights, which the per-token fit does not capture).
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

/** Everything the step model needs besides the per-phase settings. */
export interface StepModelContext {
  readonly model: ResolvedModel;
  readonly precision: WeightPrecision;
  readonly env: ResolvedEnvironment;
}

/** The inference-bench settings of one step of an instance group. */
export function phaseSettingsOf(g: InstanceGroupConfig, phase: PhaseName, shape: { sequences: number; len: number; dp?: number }): PhaseSettings {
  const k = phase === "prefill" ? g.prefill : g.decode;
  const d = g.deployment;
  const npus = d.npus ?? 1;
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
  const s = phaseSettingsOf(g, phase, phase === "prefill" ? { sequences: Math.max(1, g.prefill.microbatches), len: 1024 } : shape);
  return buildPhase(s, ctx.model, ctx.precision, ctx.env, (key) => key.split("."));
}

function stepNs(g: InstanceGroupConfig, phase: PhaseName, sequences: number, len: number, ctx: StepModelContext): number {
  const pm = buildPhase(phaseSettingsOf(g, phase, { sequences, len }), ctx.model, ctx.precision, ctx.env, (key) => key.split("."));
  if (Array.isArray(pm)) throw new Error(`step model: ${pm.map((i) => i.message).join("; ")}`);
  const hooks = new Hooks<SimEvents>();
  return runPhase(pm, { sim: new Simulator(ctx.env.seed), hooks, env: ctx.env }, 0).stepNs[0]!;
}

/** Prefill batch costs of one instance group. */
export class PrefillCost {
  /** Per-batch constant (graph launch, per-step overheads), ns. */
  readonly alphaNs: number;
  /** Per-token linear cost, ns/token, and causal-attention quadratic cost, ns/token². */
  readonly beta: number;
  readonly gamma: number;
  /** Smallest batch time (a b/16-token prompt), ns. */
  readonly floorNs: number;
  /** Attention replicas sharing a batch, count. */
  readonly dp: number;
  /** The step-model points the fit used: sequences, prompt length, ns. */
  readonly points: readonly { sequences: number; len: number; ns: number }[];

  constructor(g: InstanceGroupConfig, ctx: StepModelContext) {
    const b = g.token_budget;
    const q = Math.max(1, Math.floor(b / 4));
    const pts = [
      { sequences: 4, len: q },
      { sequences: 1, len: 4 * q },
      { sequences: 1, len: q },
      { sequences: 1, len: Math.max(1, Math.floor(b / 16)) },
    ].map((p) => ({ ...p, ns: stepNs(g, "prefill", p.sequences, p.len, ctx) }));
    this.points = pts;
    const [t4, t1, tq] = [pts[0]!.ns, pts[1]!.ns, pts[2]!.ns];
    // t4 = α + 4βq + 4γq², t1 = α + 4βq + 16γq², tq = α + βq + γq²
    let gamma = (t1 - t4) / (12 * q * q);
    if (!(gamma > 0)) gamma = 0;
    let beta = (t4 - tq - 3 * gamma * q * q) / (3 * q);
    if (!(beta > 0)) beta = 0;
    this.gamma = gamma;
    this.beta = beta;
    this.alphaNs = Math.max(0, tq - beta * q - gamma * q * q);
    this.floorNs = pts[3]!.ns;
    this.dp = g.deployment.attention.dp;
  }

  /** Cost of the first `len` tokens of one prompt, without the per-batch constant, ns. */
  prefixNs(len: number): number {
    return this.beta * len + this.gamma * len * len;
  }

  /** Time of a batch whose per-request work sums to `workNs` (Σ prefixNs(end) − prefixNs(start)), ns (integer). */
  batchNs(workNs: number): number {
    return Math.round(Math.max(this.floorNs, this.alphaNs + workNs / this.dp));
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
  /** Most sequences per attention replica, count. */
  readonly maxPerReplica: number;
  /** KV-cache capacity per attention replica, tokens. */
  readonly kvTokensPerReplica: number;
  /** KV bytes of one token of one sequence on the wire (every layer, BF16, MTP layer included when on), B. */
  readonly kvBytesPerToken: number;

  constructor(
    private readonly g: InstanceGroupConfig,
    private readonly ctx: StepModelContext,
  ) {
    const k = g.decode;
    this.tokensPerStep = tokensPerStep(k.mtp.layers, k.mtp.acceptance);
    const d = g.deployment;
    this.dp = d.attention.dp;
    const npus = d.npus ?? 1;
    this.maxPerReplica = Math.max(1, Math.floor((g.max_batch_per_npu * npus) / this.dp));
    const pm = groupPhase(g, "decode", ctx);
    if (Array.isArray(pm)) throw new Error(`step model: ${pm.map((i) => i.message).join("; ")}`);
    const h = hbmPerDie(pm);
    const arch = ctx.model.arch;
    this.kvBytesPerToken = kvCacheBytesPerToken(arch, "bf16", { includeMtp: k.mtp.layers > 0 });
    const att = arch.attention;
    const kvHeads = att.kind === "gqa" ? att.kv_heads : att.kind === "mha" ? att.heads : 1;
    const share = att.kind === "mla" ? 1 : Math.max(1, kvHeads / d.attention.tp) / kvHeads;
    const free = h.capacity * (1 - ACTIVATION_RESERVE_FRACTION) - h.weights - h.buffers;
    this.kvTokensPerReplica = Math.max(0, Math.floor(free / (this.kvBytesPerToken * share)));
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
    return Math.round(Math.max(0.5 * base, base + this.kvSlope() * b * (kv - KV_REF)));
  }

  /** The T1-style point: tokens/s per NPU of a full batch at KV_REF (evaluated on demand). */
  referencePoint(): { sequencesPerReplica: number; stepNs: number; tokensPerSPerNpu: number } {
    const b = Math.min(SLOPE_BATCH, this.maxPerReplica);
    const ns = this.at(b);
    const npus = this.g.deployment.npus ?? 1;
    return { sequencesPerReplica: b, stepNs: ns, tokensPerSPerNpu: ((b * this.dp) / npus) * this.tokensPerStep / (ns / 1e9) };
  }
}

/** Step-cost models of a run, shared by instances and compared variants with the same group shape. */
export class StepCostCache {
  private readonly prefill = new Map<string, PrefillCost>();
  private readonly decode = new Map<string, DecodeCost>();

  constructor(private readonly ctx: StepModelContext) {}

  private key(g: InstanceGroupConfig, phase: PhaseName): string {
    const k = phase === "prefill" ? g.prefill : g.decode;
    return JSON.stringify([g.deployment, k, phase === "prefill" ? g.token_budget : g.max_batch_per_npu]);
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
