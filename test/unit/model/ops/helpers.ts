import type { ModelArchitecture, WeightPrecision } from "../../../../src/model/index.js";
import { MODELS } from "../../../../src/model/index.js";
import { parallelLayout, type LayerItem, type LayerOpsInput, type ParallelLayoutInput, type StepShape } from "../../../../src/model/ops/index.js";
import type { ComputeItem, CommItem } from "../../../../src/model/ops/index.js";

/** The preset architecture `name`. */
export function arch(name: string): ModelArchitecture {
  const p = MODELS[name];
  if (p === undefined) throw new Error(`no preset ${name}`);
  return p.arch;
}

/** An op-builder input from a preset name, a shape, a precision and a partial layout. */
export function input(name: string, shape: StepShape, precision: WeightPrecision = "bf16", layout: ParallelLayoutInput = {}): LayerOpsInput {
  return { arch: arch(name), precision, shape, layout: parallelLayout(layout) };
}

/** The compute items of a list. */
export function computes(items: readonly LayerItem[]): ComputeItem[] {
  return items.filter((i): i is ComputeItem => i.kind === "compute");
}

/** The communication items of a list. */
export function comms(items: readonly LayerItem[]): CommItem[] {
  return items.filter((i): i is CommItem => i.kind === "comm");
}

/** The single compute item labelled `label` (throws when absent or repeated). */
export function byLabel(items: readonly LayerItem[], label: string): ComputeItem {
  const found = computes(items).filter((i) => i.label === label);
  if (found.length !== 1) throw new Error(`expected one item "${label}", found ${found.length}: ${items.map((i) => i.label).join(", ")}`);
  return found[0]!;
}
