import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/engine/index.js";
import { simulatePipeline, type PipelineSpec } from "../../../src/workload/training/pipeline-sim.js";
import { peakInFlight, stageOrder } from "../../../src/workload/training/schedule.js";
import type { TaskSegments } from "../../../src/workload/training/stage-costs.js";

const seg = (ns: number): TaskSegments => ({ dur: Float64Array.of(ns), kind: Uint8Array.of(0), label: ["x"] });

/** A uniform pipeline: every virtual stage F = tf/v, B = tb/v, no communication, no DP tail. */
function uniform(schedule: PipelineSpec["schedule"], pp: number, vpp: number, m: number, tf = 1000, tb = 2000, overlap = false) {
  const V = pp * vpp;
  const spec: PipelineSpec = {
    schedule,
    pp,
    vpp,
    microBatches: m,
    overlap,
    F: Array.from({ length: V }, () => seg(tf / vpp)),
    B: Array.from({ length: V }, () => seg(tb / vpp)),
    swapNs: new Array<number>(V).fill(0),
    dpReduceScatterNs: new Array<number>(V).fill(0),
    optimizerNs: new Array<number>(pp).fill(0),
    dpAllGatherNs: new Array<number>(pp).fill(0),
  };
  return simulatePipeline(new Simulator(1), spec);
}

describe("training pipeline schedules", () => {
  for (const [p, m] of [
    [4, 8],
    [8, 8],
    [16, 32],
    [2, 1],
  ] as const) {
    it(`1F1B bubble ratio = (p−1)/(m+p−1) on a uniform pipeline (p=${p}, m=${m})`, () => {
      const r = uniform("1f1b", p, 1, m);
      expect(r.bubbleRatio).toBeCloseTo((p - 1) / (m + p - 1), 9);
      expect(r.flushNs).toBe((m + p - 1) * 3000);
    });
    it(`GPipe has the same bubble (p=${p}, m=${m})`, () => {
      expect(uniform("gpipe", p, 1, m).bubbleRatio).toBeCloseTo((p - 1) / (m + p - 1), 9);
    });
  }
  for (const [p, v, m] of [
    [4, 2, 8],
    [4, 4, 8],
    [16, 2, 32],
    [8, 3, 16],
  ] as const) {
    it(`interleaved 1F1B bubble = (p−1)/(v·m+p−1) (p=${p}, v=${v}, m=${m})`, () => {
      const r = uniform("interleaved", p, v, m);
      expect(r.bubbleRatio).toBeCloseTo((p - 1) / (v * m + p - 1), 9);
      expect(r.bubbleRatio).toBeLessThan((p - 1) / (m + p - 1));
    });
  }
  for (const [p, m] of [
    [4, 6],
    [8, 3],
    [4, 5],
  ] as const) {
    it(`1F1B flush = (m + p − 1)·(tf + tb) also when m is not a multiple of p (p=${p}, m=${m})`, () => {
      expect(uniform("1f1b", p, 1, m).flushNs).toBe((m + p - 1) * 3000);
    });
  }
  for (const [p, v, m] of [
    [2, 2, 4],
    [4, 2, 8],
    [2, 4, 4],
  ] as const) {
    it(`interleaved flush = (m + (p − 1)/v)·(tf + tb) (p=${p}, v=${v}, m=${m})`, () => {
      expect(uniform("interleaved", p, v, m, 1200, 2400).flushNs).toBeCloseTo((m + (p - 1) / v) * 3600, 6);
    });
  }
  it("1F1B keeps at most p − s micro-batches in flight on stage s; GPipe keeps all m", () => {
    for (let s = 0; s < 4; s++) expect(peakInFlight(stageOrder("1f1b", s, 4, 1, 8), () => 1)).toBe(4 - s);
    expect(peakInFlight(stageOrder("gpipe", 0, 4, 1, 8), () => 1)).toBe(8);
  });
  it("interleaved stage 0 holds 2(p−1) + (v−1)p + 1 chunk activations at its peak", () => {
    expect(peakInFlight(stageOrder("interleaved", 0, 4, 2, 8), () => 1)).toBe(2 * 3 + 4 + 1);
  });
});
