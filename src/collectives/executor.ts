import type { NetworkModel } from "../network/network-model.js";
import type { CollectivePlan } from "./plan.js";

/**
 * Runs a plan's steps one after another on a network model. Each step costs `stepOverheadNs` of
 * software time (HCCL notify/sync) before its transfers start. Exact (sub-ns) times are carried from
 * step to step, so a plan's total matches its closed form to the nanosecond.
 */
export function runPlan(
  net: NetworkModel,
  plan: CollectivePlan,
  startNs: number,
  stepOverheadNs: number,
  onDone: (endNs: number) => void,
): void {
  const steps = plan.steps;
  let i = 0;
  const next = (t: number): void => {
    if (i === steps.length) {
      onDone(t);
      return;
    }
    const step = steps[i++]!;
    net.runGroup(step.transfers, t + stepOverheadNs, next);
  };
  next(startNs);
}
