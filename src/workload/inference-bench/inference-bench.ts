import type { ResolvedModel } from "../../config/model-field.js";
import { fillInferenceDerived } from "./derived-defaults.js";
import { chipByName } from "../../hw/chips.js";
import { formatBytes } from "../../units/index.js";
import { defineWorkload, type JsonValue, type RuleViolation, type SummaryTable } from "../workload.js";
import { BREAKDOWN_CLASSES } from "./costing.js";
import { GPU_REFERENCES } from "./gpu-reference.js";
import { hbmPerDie, type HbmUse } from "./memory.js";
import { buildPhase, type PhaseModel } from "./phase-model.js";
import { inferenceBenchSchema, inferenceSections, phaseSettings, phasesOf, type InferenceBenchConfig, type PhaseName } from "./schema.js";
import { runPhase, type PhaseRun } from "./step-sim.js";

/*
 * Workload `inference-bench`: fixed-batch prefill or decode steps of an MoE (or dense) model on an
 * instance of NPUs, as the CM384 and Pangu papers measured them. See docs/inference-bench.md.
 */

type Sections = { model: ResolvedModel; precision: "bf16" | "w8a8" | "w4a16"; deployment: ReturnType<typeof inferenceSections.deployment.parse> };

/** Config path of a phase knob: the per-phase override when the config lists several phases. */
function pathOf(cfg: InferenceBenchConfig, phase: PhaseName) {
  const overridden = (key: string): boolean => {
    const o = cfg[phase] as Record<string, unknown> | undefined;
    if (o === undefined) return false;
    const [head, ...rest] = key.split(".");
    if (head === "deployment") return o.deployment !== undefined && (rest.length === 0 || (o.deployment as Record<string, unknown>)[rest[0]!] !== undefined);
    if (head === "workload") return o[rest[0]!] !== undefined;
    return false;
  };
  return (key: string): (string | number)[] => {
    const parts = key.split(".");
    if (overridden(key)) return parts[0] === "workload" ? ["workload", phase, ...parts.slice(1)] : ["workload", phase, ...parts];
    return parts;
  };
}

function resolvePhases(cfg: InferenceBenchConfig, sections: Sections, env: Parameters<typeof buildPhase>[3]): { models: PhaseModel[]; violations: RuleViolation[] } {
  const models: PhaseModel[] = [];
  const violations: RuleViolation[] = [];
  const phases = phasesOf(cfg);
  // a phase listed twice would run the same settings again (overrides are keyed by phase) and its second
  // run would replace the first under metrics.<phase>: more samples are `steps`
  const twice = phases.findIndex((p, i) => phases.indexOf(p) < i);
  if (twice >= 0) {
    violations.push({ path: ["workload", "phase", twice], message: `expected each phase at most once, got ${phases[twice]} again (item ${phases.indexOf(phases[twice]!)} is ${phases[twice]} too): a phase runs the same settings each time; for more samples raise workload.steps` });
    return { models, violations };
  }
  for (const phase of phases) {
    const r = buildPhase(phaseSettings(cfg, sections.deployment, phase), sections.model, sections.precision, env, pathOf(cfg, phase));
    // with several phases a shared knob can fail in each: the message says which phase
    if (Array.isArray(r)) violations.push(...r.map((v) => (phases.length > 1 && !v.message.startsWith(`${phase}:`) ? { ...v, message: `${phase}: ${v.message}` } : v)));
    else models.push(r);
  }
  return { models, violations };
}

/** Bytes as GiB with two decimals, for tables (capacities are whole GiB: 64 GiB shows as 64.00). */
function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(2);
}

/** The device-memory technology of `chip` for labels: HBM, or LPDDR4X on the 310P. */
function memoryKind(chip: string): string {
  return chipByName(chip).memoryKind ?? "HBM";
}

function hbmMessage(phase: PhaseName, h: HbmUse, chip: string): string {
  return (
    `${phase}: the busiest die needs ${formatBytes(h.total)} of ${memoryKind(chip)}, it has ${formatBytes(h.capacity)} ` +
    `(weights ${formatBytes(h.weights)}, KV cache ${formatBytes(h.kv_cache)}, communication buffers ${formatBytes(h.buffers)}): ` +
    `lower the batch, the KV length or the tokens per batch, or spread the model over more NPUs`
  );
}

/** Tokens one step completes per sequence: 1 + expected accepted draft tokens (a chain of `layers` drafts, each accepted with `acceptance` given its predecessor was). */
export function tokensPerStep(layers: number, acceptance: number): number {
  let t = 1;
  let p = 1;
  for (let k = 0; k < layers; k++) t += p *= acceptance;
  return t;
}

interface PhaseOutcome {
  readonly model: PhaseModel;
  readonly run: PhaseRun;
  readonly hbm: HbmUse;
  readonly metrics: Record<string, JsonValue>;
}

function phaseMetrics(model: PhaseModel, run: PhaseRun, hbm: HbmUse): Record<string, JsonValue> {
  const s = model.settings;
  const stepNs = run.stepNs.reduce((a, b) => a + b, 0) / run.stepNs.length;
  const layersNs = run.layersNs.reduce((a, b) => a + b, 0) / run.layersNs.length;
  const stepS = stepNs / 1e9;
  const replicas = model.layout.attention.dp;
  let tokensPerStepPerNpu: number;
  const out: Record<string, JsonValue> = { phase: s.phase };
  if (s.phase === "decode") {
    const perSeq = tokensPerStep(s.mtp.layers, s.mtp.acceptance);
    tokensPerStepPerNpu = ((model.sequences * replicas) / model.npus) * perSeq;
    out.step_ms = stepNs / 1e6;
    out.tpot_ms = stepNs / 1e6 / perSeq;
    out.tokens_per_step_per_sequence = perSeq;
  } else {
    tokensPerStepPerNpu = (model.sequences * model.queryTokens * replicas) / model.npus;
    out.step_ms = stepNs / 1e6;
    out.ttft_ms = stepNs / 1e6;
  }
  const perNpu = tokensPerStepPerNpu / stepS;
  const pkg = chipByName(model.chip).package;
  const npuTflops = (pkg.peakFp16Flops / pkg.dies) * model.ranksPerNpu / 1e12;
  Object.assign(out, {
    tokens_per_s_per_npu: perNpu,
    tokens_per_s_total: perNpu * model.npus,
    tokens_per_s_per_tflops: perNpu / npuTflops,
    layer_us: layersNs / model.arch.layers / 1e3,
    breakdown_us: Object.fromEntries(BREAKDOWN_CLASSES.map((c) => [c, run.breakdownNs[c] / 1e3])),
    expert_load_imbalance: run.imbalance,
    expert_load_imbalance_max: run.imbalanceMax,
    hot_expert_ratio: run.hotExpertRatio,
    dispatch_us: run.dispatchNs / 1e3,
    combine_us: run.combineNs / 1e3,
    npus: model.npus,
    ranks: model.ranks,
    sequences_per_replica: model.sequences,
    microbatches: model.microSequences.length,
    overlap: model.microSequences.length > 1 ? model.overlap : "none",
    steps: s.steps,
    hbm_per_die_bytes: { weights: hbm.weights, kv_cache: hbm.kv_cache, buffers: hbm.buffers, total: hbm.total, capacity: hbm.capacity },
  });
  return out;
}

/** Workload `inference-bench`. */
export const inferenceBench = defineWorkload({
  kind: "inference-bench",
  description: "fixed-batch prefill/decode steps of an LLM on an instance of NPUs: TPOT/TTFT, tokens/s per NPU, per-operator breakdown, expert imbalance, HBM",
  schema: inferenceBenchSchema,
  sections: inferenceSections,

  check(cfg, env, sections): RuleViolation[] {
    if (env.cluster === undefined) return [{ path: ["cluster"], message: "inference-bench needs a cluster: add `cluster:` to the config" }];
    const { models, violations } = resolvePhases(cfg, sections as Sections, env);
    for (const m of models) {
      const h = hbmPerDie(m);
      if (h.total > h.capacity) violations.push({ path: ["deployment"], message: hbmMessage(m.settings.phase, h, m.chip) });
    }
    return violations;
  },

  fillDerived(resolved, cfg, env, sections) {
    fillInferenceDerived(resolved, cfg, (sections as Sections).deployment, env);
  },

  run(cfg, ctx, sections) {
    const { models, violations } = resolvePhases(cfg, sections as Sections, ctx.env);
    if (violations.length > 0) throw new Error(violations.map((v) => v.message).join("; "));
    const outcomes: PhaseOutcome[] = models.map((model, i) => {
      const run = runPhase(model, ctx, i);
      const hbm = hbmPerDie(model);
      return { model, run, hbm, metrics: phaseMetrics(model, run, hbm) };
    });
    const tables: SummaryTable[] = [];
    const notes: string[] = [];
    const rows: (string | number)[][] = [];
    for (const o of outcomes) {
      const m = o.metrics;
      const s = o.model.settings;
      const d = o.model.layout;
      const shape = s.phase === "decode" ? `batch ${s.batch_per_npu}/NPU, KV ${s.kv_len}${s.mtp.layers > 0 ? `, MTP ${s.mtp.layers}@${s.mtp.acceptance}` : ""}` : `${o.model.sequences}×${s.prompt_len} tokens/batch`;
      rows.push([
        s.phase,
        `${o.model.npus} NPUs, attn DP${d.attention.dp}×TP${d.attention.tp}${d.attention.sp ? "+SP" : ""}, EP${d.experts.ep}${d.experts.tp > 1 ? `×TP${d.experts.tp}` : ""}`,
        shape,
        o.model.microSequences.length > 1 ? `${o.model.microSequences.length} (${o.model.overlap})` : 1,
        (m.step_ms as number).toFixed(2),
        s.phase === "decode" ? (m.tpot_ms as number).toFixed(2) : (m.ttft_ms as number).toFixed(1),
        (m.tokens_per_s_per_npu as number).toFixed(0),
        (m.layer_us as number).toFixed(1),
        (m.expert_load_imbalance as number).toFixed(3),
        `${gib(o.hbm.total)} / ${gib(o.hbm.capacity)}`,
      ]);
    }
    tables.push({
      title: `inference-bench · ${models[0]!.modelName} ${models[0]!.precision} on ${models[0]!.chip}`,
      head: ["phase", "deployment", "shape", "micro-batches", "step (ms)", "TPOT/TTFT (ms)", "tokens/s/NPU", "layer (µs)", "expert imbalance (max/mean)", `${memoryKind(models[0]!.chip)}/die used / capacity (GiB)`],
      rows,
    });
    for (const o of outcomes) {
      const b = o.run.breakdownNs;
      tables.push({
        title: `${o.model.settings.phase}: busy time per step by operator class (streams overlap with micro-batches, so the sum can exceed the step)`,
        head: ["class", "time (µs)", "share of step"],
        rows: BREAKDOWN_CLASSES.filter((c) => b[c] > 0).map((c) => [c, (b[c] / 1e3).toFixed(1), `${((100 * b[c]) / (o.metrics.step_ms as number) / 1e6).toFixed(1)} %`]),
      });
    }
    if (/^deepseek-(r1|v3)$/.test(models[0]!.modelName)) {
      const ref: (string | number)[][] = [];
      for (const o of outcomes) {
        ref.push([`ascend-sim: ${o.model.chip} (simulated)`, o.model.settings.phase, (o.metrics.tokens_per_s_per_npu as number).toFixed(0), (o.metrics.tokens_per_s_per_tflops as number).toFixed(2)]);
        for (const g of GPU_REFERENCES.filter((r) => r.phase === o.model.settings.phase)) {
          const v = g.tokensPerSPerGpu;
          const [lo, hi] = typeof v === "number" ? [v, v] : v;
          ref.push([`${g.system} (published)`, g.phase, lo === hi ? lo : `${lo}–${hi}`, lo === hi ? (lo / g.peakTflops).toFixed(2) : `${(lo / g.peakTflops).toFixed(2)}–${(hi / g.peakTflops).toFixed(2)}`]);
        }
      }
      tables.push({ title: "comparison with the GPU reference points of the CM384 paper (targets.md T1)", head: ["system", "phase", "tokens/s per NPU/GPU", "tokens/s per TFLOPS (BF16 dense)"], rows: ref });
    }
    notes.push("attention ranks identical: one representative die simulated for attention; every EP rank's MoE load sampled per token, each step ends with the slowest rank");
    for (const o of outcomes) if (o.hbm.total > o.hbm.capacity) notes.push(hbmMessage(o.model.settings.phase, o.hbm, o.model.chip));
    const metrics: Record<string, JsonValue> =
      outcomes.length === 1 ? outcomes[0]!.metrics : { phases: outcomes.map((o) => o.metrics), ...Object.fromEntries(outcomes.map((o) => [o.model.settings.phase, o.metrics])) };
    return { metrics, tables, notes };
  },
});
