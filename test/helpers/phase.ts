import type { ResolvedModel } from "../../src/config/model-field.js";
import { loadScenario } from "../../src/config/scenario.js";
import type { WeightPrecision } from "../../src/model/precision.js";
import { buildPhase, type PhaseModel } from "../../src/workload/inference-bench/phase-model.js";
import { phaseSettings, type Deployment, type InferenceBenchConfig } from "../../src/workload/inference-bench/schema.js";

/**
 * The inference-bench phase model of an inline config (`text`, shown as `file` in messages) with `sets`
 * applied: the config's own phase unless `phase` is given. Throws when the phase does not resolve.
 */
export function phaseModelOf(file: string, text: string, sets: readonly string[] = [], phase?: "decode" | "prefill"): PhaseModel {
  const s = loadScenario(file, { text, sets: [...sets] });
  const cfg = s.workload.config as InferenceBenchConfig;
  const settings = phaseSettings(cfg, s.workload.sections.deployment as Deployment, phase ?? (cfg.phase as "decode" | "prefill"));
  const pm = buildPhase(settings, s.workload.sections.model as ResolvedModel, s.workload.sections.precision as WeightPrecision, s.env, (k) => k.split("."));
  if (Array.isArray(pm)) throw new Error(pm.map((i) => i.message).join("; "));
  return pm;
}
