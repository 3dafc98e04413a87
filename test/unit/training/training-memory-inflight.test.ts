import { describe, expect, it } from "vitest";
import { Hooks, Simulator } from "../../../src/engine/index.js";
import type { SimEvents } from "../../../src/trace/span.js";
import { simulatePipeline, type PipelineSpec } from "../../../src/workload/training/pipeline-sim.js";
import { peakInFlight, stageOrder } from "../../../src/workload/training/schedule.js";
import { SEG, type TaskSegments } from "../../../src/workload/training/stage-costs.js";

/*
 * The activation memory plan (peakInFlight over a stage's task order) must cover what the simulated
 * pipeline actually holds: a chunk's activations live from the start of its forward to the end of its
 * backward. With adaptive pipe overlap two tasks of a stage are in flight at once, so the next task
 * can start before the backward ahead of it has freed its chunk.
 */

/** compute, an EP-like exchange, compute (ns): the exchange is the gap the other task fills under overlap. */
const task = (c: number, x: number): TaskSegments => ({ dur: Float64Array.of(c, x, c), kind: Uint8Array.of(SEG.compute, SEG.ep, SEG.compute), label: ["a", "x", "b"] });

/** Peak chunks whose F has started and whose B has not ended, per stage, from the pipeline's spans. */
function simulatedPeaks(schedule: PipelineSpec["schedule"], pp: number, vpp: number, m: number, overlap: boolean): number[] {
  const V = pp * vpp;
  const hooks = new Hooks<SimEvents>();
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  hooks.on("span", (s) => {
    const mm = /^(F|B) mb(\d+) v(\d+)/.exec(s.what);
    if (mm === null) return;
    const key = `${s.where.split("/")[0]} ${mm[0]}`;
    first.set(key, Math.min(first.get(key) ?? Infinity, s.start));
    last.set(key, Math.max(last.get(key) ?? 0, s.start + s.dur));
  });
  simulatePipeline(new Simulator(1), {
    schedule,
    pp,
    vpp,
    microBatches: m,
    overlap,
    F: Array.from({ length: V }, () => task(300, 400)),
    B: Array.from({ length: V }, () => task(600, 400)),
    swapNs: new Array<number>(V).fill(0),
    dpReduceScatterNs: new Array<number>(V).fill(0),
    optimizerNs: new Array<number>(pp).fill(0),
    dpAllGatherNs: new Array<number>(pp).fill(0),
    spans: { hooks, prefix: "" },
  });
  const peaks: number[] = [];
  for (let s = 0; s < pp; s++) {
    const ev: [number, number][] = [];
    for (const [k, t] of first) if (k.startsWith(`stage${s} F`)) ev.push([t, 1]);
    for (const [k, t] of last) if (k.startsWith(`stage${s} B`)) ev.push([t, -1]);
    ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // a chunk freed at t is gone before one allocated at t
    let cur = 0;
    let peak = 0;
    for (const [, d] of ev) peak = Math.max(peak, (cur += d));
    peaks.push(peak);
  }
  return peaks;
}

describe("training activation memory plan vs the simulated pipeline", () => {
  for (const [schedule, pp, vpp, m] of [
    ["1f1b", 4, 1, 8],
    ["interleaved", 4, 2, 8],
  ] as const) {
    for (const overlap of [false, true]) {
      it(`the planned chunks in flight cover the simulated ones on every stage (${schedule}, p=${pp}, v=${vpp}, m=${m}, overlap ${overlap})`, () => {
        const sim = simulatedPeaks(schedule, pp, vpp, m, overlap);
        for (let s = 0; s < pp; s++) {
          const planned = peakInFlight(stageOrder(schedule, s, pp, vpp, m), () => 1, overlap);
          expect(planned).toBeGreaterThanOrEqual(sim[s]!);
          // and not more than the one task the overlap lets ahead of a pending backward
          expect(planned).toBeLessThanOrEqual(sim[s]! + 1);
        }
      });
    }
  }
  it("adaptive pipe overlap holds one chunk more than the plain schedule (the next forward starts before the backward ahead of it frees)", () => {
    const order = stageOrder("interleaved", 0, 4, 2, 8);
    expect(peakInFlight(order, () => 1, true)).toBe(peakInFlight(order, () => 1) + 1);
  });
});
