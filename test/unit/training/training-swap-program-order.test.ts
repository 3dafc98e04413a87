import { describe, expect, it } from "vitest";
import { Hooks, Simulator } from "../../../src/engine/index.js";
import type { SimEvents } from "../../../src/trace/span.js";
import { simulatePipeline, type PipelineSpec } from "../../../src/workload/training/pipeline-sim.js";
import { SEG, type TaskSegments } from "../../../src/workload/training/stage-costs.js";

/*
 * The host-swap stream runs in program order, like the compute, communication and DP streams: task by
 * task in the stage's order, the swap-in a backward prefetches (issued when the task before it starts),
 * then a forward's swap-out (issued when it ends); a backward waits for its swap-in. Its start times are
 * then maxima of sums of durations and a shorter duration never lengthens the step.
 */

const C = SEG.compute;
const X = SEG.ep;
const segsOf = (kinds: readonly number[], dur: Float64Array): TaskSegments => ({ dur, kind: Uint8Array.from(kinds), label: kinds.map(String) });

/** 1F1B, one compute segment per task (F 10 ns, B 20 ns), swap `swap` ns on virtual stage 0 only. */
function oneSwappingStage(pp: number, m: number, swap: number, hooks?: Hooks<SimEvents>): number {
  const zeros = new Array<number>(pp).fill(0);
  return simulatePipeline(new Simulator(1), {
    schedule: "1f1b",
    pp,
    vpp: 1,
    microBatches: m,
    overlap: false,
    F: zeros.map(() => segsOf([C], Float64Array.of(10))),
    B: zeros.map(() => segsOf([C], Float64Array.of(20))),
    swapNs: zeros.map((_, v) => (v === 0 ? swap : 0)),
    dpReduceScatterNs: zeros,
    optimizerNs: zeros,
    dpAllGatherNs: zeros,
    ...(hooks === undefined ? {} : { spans: { hooks, prefix: "" } }),
  }).stepNs;
}

/** The copies of stage 0's swap stream in the order they ran. */
function swapOrder(pp: number, m: number, swap: number): string[] {
  const hooks = new Hooks<SimEvents>();
  const seen: [number, string][] = [];
  hooks.on("span", (s) => {
    if (s.where === "stage0/swap") seen.push([s.start, s.what]);
  });
  oneSwappingStage(pp, m, swap, hooks);
  return seen.sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

describe("host-swap stream: fixed program order", () => {
  it("stage 0 of a 4-stage 1F1B (F0 F1 F2 F3 B0 B1 B2 B3) copies out0 out1 out2 in0 out3 in1 in2 in3 whatever the swap time", () => {
    // F3 starts → prefetch B0's swap-in, F3 ends → its swap-out; B0 starts → B1's swap-in, and so on. With
    // long copies B0's swap-in is queued behind waiting swap-outs: it still takes its turn.
    const expected = ["out mb0", "out mb1", "out mb2", "in mb0", "out mb3", "in mb1", "in mb2", "in mb3"].map((c) => `swap-${c} v0`);
    for (const swap of [1, 5, 30, 1000]) expect(swapOrder(4, 4, swap), `swap ${swap} ns`).toEqual(expected);
  });
  it("the step matches the hand-computed timeline (pp = 2, m = 2, swap 30 ns: 150 ns)", () => {
    // stage 0: F0 0–10, F1 10–20; swap: out0 10–40, in0 (issued at 10) 40–70, out1 (issued at 20) 70–100.
    // stage 1: F0 10–20, B0 20–40, F1 40–50, B1 50–70. stage 0: B0 waits for in0: 70–90, prefetching
    // in1 (after out1) 100–130; B1 130–150.
    expect(oneSwappingStage(2, 2, 30)).toBe(150);
    // without swap stage 0 runs B0 40–60 and B1 70–90
    expect(oneSwappingStage(2, 2, 0)).toBe(90);
  });

  /** A random pipeline (durations from a fixed linear congruential sequence, so deterministic). */
  function randomSpec(schedule: "1f1b" | "interleaved", overlap: boolean, seed: number): PipelineSpec {
    let x = seed;
    const rnd = (lo: number, hi: number): number => ((x = (x * 1103515245 + 12345) % 2147483648), lo + (x % (hi - lo + 1)));
    const pp = 4;
    const vpp = schedule === "interleaved" ? 2 : 1;
    const V = pp * vpp;
    const shape = [C, X, C, X, C];
    return {
      schedule,
      pp,
      vpp,
      microBatches: 8,
      overlap,
      F: Array.from({ length: V }, () => segsOf(shape, Float64Array.from(shape, () => rnd(10, 300)))),
      B: Array.from({ length: V }, () => segsOf(shape, Float64Array.from(shape, () => rnd(20, 600)))),
      // comparable to a task: the swap stream is sometimes the bottleneck, sometimes idle (none on the last virtual stage, as in training.ts)
      swapNs: Array.from({ length: V }, (_, v) => (v === V - 1 ? 0 : rnd(100, 2500))),
      dpReduceScatterNs: Array.from({ length: V }, () => rnd(0, 200)),
      optimizerNs: Array.from({ length: pp }, () => rnd(0, 100)),
      dpAllGatherNs: Array.from({ length: pp }, () => rnd(0, 200)),
    };
  }

  for (const schedule of ["1f1b", "interleaved"] as const) {
    for (const overlap of [false, true]) {
      it(`${schedule}${overlap ? " with overlap" : ""}: shortening any one duration (segments, swaps) never lengthens the step`, () => {
        let swapShortened = 0;
        for (const seed of [1, 2, 3, 4, 5, 6]) {
          const spec = randomSpec(schedule, overlap, seed);
          const step = (): number => simulatePipeline(new Simulator(1), spec).stepNs;
          const base = step();
          const swaps = spec.swapNs as number[];
          for (const d of [...spec.F.map((t) => t.dur), ...spec.B.map((t) => t.dur), swaps]) {
            for (let j = 0; j < d.length; j++) {
              const keep = d[j]!;
              for (const f of [0.9, 0.5, 0]) {
                d[j] = keep * f;
                const t = step();
                if (t < base && d === swaps) swapShortened++;
                expect(t, `seed ${seed}, duration ${j} ${keep} → ${keep * f} ns`).toBeLessThanOrEqual(base);
              }
              d[j] = keep;
            }
          }
        }
        // some swaps are on the critical path (the property is not vacuous for them)
        expect(swapShortened).toBeGreaterThan(0);
      });
    }
  }
});
