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
