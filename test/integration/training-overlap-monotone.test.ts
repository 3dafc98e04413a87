import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

/*
 * T2 with adaptive pipe overlap: a faster NIC must not slow the step. The greedy scheduler this
 * replaced gave 6.1273 s at 25.9 GB/s and 6.1659 s at 26.0 GB/s (+38.6 ms): the faster NIC changed which
 * of two ready collectives took the communication stream first. Streams now run in program order.
 */
const text = readFileSync("configs/pangu-ultra-moe-train.yaml", "utf8");
const stepAt = (nic: string): number =>
  (runScenario(loadScenario("configs/pangu-ultra-moe-train.yaml", { text, sets: [`cluster.nic_bandwidth=${nic}`] })).metrics as { step_s: number }).step_s;

describe("T2 step is monotone in the NIC bandwidth under adaptive pipe overlap", () => {
  it("26.0 GB/s is not slower than 25.9 GB/s, nor 26.8 GB/s than 26.6 GB/s", () => {
    expect(stepAt("26.0GB/s")).toBeLessThanOrEqual(stepAt("25.9GB/s"));
    expect(stepAt("26.8GB/s")).toBeLessThanOrEqual(stepAt("26.6GB/s"));
  }, 60_000);
});

/*
 * CM384 swaps a fifth of the activations to host memory over UB. The swap stream runs in program order
 * (each stage's swap-outs and swap-in prefetches in the order the host issues them), so a faster host
 * link never slows the step; from 20 GB/s down the swap paces the step (5.59 s at 20 GB/s, 4.95 s at 40).
 */
const cm384 = readFileSync("configs/pangu-ultra-moe-train-cm384.yaml", "utf8");
const cm384Step = (sets: string[]): number =>
  (runScenario(loadScenario("configs/pangu-ultra-moe-train-cm384.yaml", { text: cm384, sets })).metrics as { step_s: number }).step_s;

describe("CM384 step is monotone in the host (swap) bandwidth", () => {
  for (const overlap of [true, false]) {
    it(`overlap ${overlap}: 18 → 26 GB/s of CPU↔UB bandwidth never lengthens the step`, () => {
      const steps = ["18GB/s", "20GB/s", "20.5GB/s", "22GB/s", "26GB/s"].map((bw) => cm384Step([`cluster.cpu_ub_bandwidth=${bw}`, `workload.overlap=${overlap}`]));
      for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeLessThanOrEqual(steps[i - 1]!);
      // the swap is on the critical path over this range
      expect(steps[steps.length - 1]).toBeLessThan(steps[0]!);
    }, 60_000);
  }
});
