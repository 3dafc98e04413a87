import { describe, expect, it } from "vitest";
import { RngStreams } from "../../../src/engine/rng.js";
import { elasticArrivals, rateAt } from "../../../src/workload/elastic/load.js";
import type { ElasticCore } from "../../../src/workload/elastic/schema.js";

/** A load of piecewise phases (requests/s), with only the fields the load functions read. */
function load(phases: { until_s: number; rate_per_s: number; rate_end_per_s?: number }[], duration_s: number, offline_batch = 0): ElasticCore {
  return { duration_s, load: { phases, offline_batch, input_tokens: 1024, output_tokens: 64 } } as unknown as ElasticCore;
}

describe("elastic load profile", () => {
  const cfg = load(
    [
      { until_s: 10, rate_per_s: 2 },
      { until_s: 20, rate_per_s: 2, rate_end_per_s: 12 },
    ],
    30,
  );

  it("is piecewise constant, ramps linearly inside a ramped phase, and is 0 after the last phase", () => {
    expect(rateAt(cfg, 5)).toBe(2);
    expect(rateAt(cfg, 15)).toBeCloseTo(7, 12);
    expect(rateAt(cfg, 19.999)).toBeCloseTo(12, 2);
    expect(rateAt(cfg, 25)).toBe(0);
  });

  it("draws about ∫rate dt arrivals (thinning), none after the last phase, and the offline batch at t = 0", () => {
    // expected count: 2·10 + (2 + 12)/2·10 = 90 requests; the offline batch adds 50 at 0
    const arrivals = elasticArrivals(load(cfg.load.phases as never, 30, 50), new RngStreams(7));
    const atZero = arrivals.filter((a) => a.atNs === 0).length;
    expect(atZero).toBeGreaterThanOrEqual(50);
    const online = arrivals.length - 50;
    expect(online).toBeGreaterThan(60);
    expect(online).toBeLessThan(120);
    expect(arrivals.every((a) => a.atNs < 20e9)).toBe(true);
  });

  it("is the same for the same seed", () => {
    const a = elasticArrivals(cfg, new RngStreams(3)).map((x) => x.atNs);
    const b = elasticArrivals(cfg, new RngStreams(3)).map((x) => x.atNs);
    expect(a).toEqual(b);
  });
});
