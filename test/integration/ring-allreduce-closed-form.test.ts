import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

/** metrics.results row of a collective-bench run. */
interface Row {
  op: string;
  algorithm: string;
  size_bytes: number;
  time_ns: number;
}

function measure(sets: string[]): Row[] {
  const s = loadScenario("configs/hccs-allreduce.yaml", { sets });
  return runScenario(s).metrics.results as unknown as Row[];
}

describe("ring all-reduce on one Atlas 800T A2 server (analytical network)", () => {
  // 50 GB/s makes every step's serialisation time fractional (2,684,354.56 ns), so per-step rounding
  // would drift by several ns over the 14 steps; the closed form must hold to the nanosecond.
  const B = 50e9; // bytes/s per HCCS link
  const latencyNs = 1000; // per hop
  const overheadNs = 2000; // per step
  const sets = [
    "cluster.hccs_link_bandwidth=50GB/s",
    "cluster.hccs_latency=1us",
    "network.collective_step_overhead=2us",
    "workload.algorithms=[ring]",
    "workload.sizes.from=1GiB",
    "workload.sizes.to=1GiB",
  ];

  it("takes 2(n−1)/n·S/B + 2(n−1)·α for 1 GiB over 8 NPUs, to the nanosecond", () => {
    const n = 8;
    const S = 1024 ** 3;
    const alpha = latencyNs + overheadNs;
    const closedFormNs = ((2 * (n - 1)) / n) * (S / B) * 1e9 + 2 * (n - 1) * alpha;
    const [row] = measure(sets);
    expect(row!.size_bytes).toBe(S);
    expect(row!.time_ns).toBe(Math.round(closedFormNs));
  });

  it("follows the same closed form for smaller groups", () => {
    for (const n of [2, 4, 5]) {
      const S = 1024 ** 3;
      const closedFormNs = ((2 * (n - 1)) / n) * (S / B) * 1e9 + 2 * (n - 1) * (latencyNs + overheadNs);
      const [row] = measure([...sets, `workload.ranks=${n}`]);
      expect(Math.abs(row!.time_ns - closedFormNs)).toBeLessThanOrEqual(0.5);
    }
  });

  it("full-mesh all-reduce is 2·(S/n/B + α): seven links per NPU work at once", () => {
    const n = 8;
    const S = 1024 ** 3;
    const closedFormNs = 2 * ((S / n / B) * 1e9 + latencyNs + overheadNs);
    const [row] = measure([...sets, "workload.algorithms=[mesh]"]);
    expect(row!.time_ns).toBe(Math.round(closedFormNs));
  });
});
