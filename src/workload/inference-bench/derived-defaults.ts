import type { ResolvedEnvironment } from "../../config/environment.js";
import type { JsonValue } from "../workload.js";
import { clusterChip, instanceNpus } from "./phase-model.js";
import { defaultOverlap, phasesOf, phaseSettings, type Deployment, type InferenceBenchConfig } from "./schema.js";

type JsonObject = { [k: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** `o` with `overlap` right after its `microbatches` key (or last when it has none). */
export function withOverlap(o: JsonObject, overlap: string): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v;
    if (k === "microbatches") out.overlap = overlap;
  }
  if (out.overlap === undefined) out.overlap = overlap;
  return out;
}

/**
 * The inference benchmark's derived defaults, written into the resolved config (WorkloadDefinition.fillDerived):
 * `deployment.npus` (attention dp × tp ranks over the ranks per NPU) and, where a phase override changes
 * the deployment without naming its NPUs, that phase's; `overlap` (split_cores for decode, comm_stream for
 * prefill) at the top for one phase, in each phase's override for several.
 */
export function fillInferenceDerived(resolved: Record<string, JsonValue>, cfg: InferenceBenchConfig, deployment: Deployment, env: ResolvedEnvironment): void {
  const rpn = clusterChip(env).ranksPerNpu;
  const dep = resolved.deployment;
  // in the schema's key order: npus first in a deployment, overlap after microbatches
  if (isObject(dep) && dep.npus === undefined) resolved.deployment = { npus: instanceNpus(deployment, rpn), ...dep };
  const w = resolved.workload;
  if (!isObject(w)) return;
  const phases = phasesOf(cfg);
  for (const p of phases) {
    const o = w[p];
    if (isObject(o) && isObject(o.deployment) && o.deployment.npus === undefined && deployment.npus === undefined) {
      o.deployment = { npus: instanceNpus(phaseSettings(cfg, deployment, p).deployment, rpn), ...o.deployment };
    }
  }
  if (cfg.overlap !== undefined) return;
  if (phases.length === 1) {
    const o = w[phases[0]!];
    if (!(isObject(o) && o.overlap !== undefined)) resolved.workload = withOverlap(w, defaultOverlap(phases[0]!));
    return;
  }
  for (const p of phases) {
    const o = w[p];
    if (!isObject(o)) w[p] = { overlap: defaultOverlap(p) };
    else if (o.overlap === undefined) w[p] = withOverlap(o, defaultOverlap(p));
  }
}
