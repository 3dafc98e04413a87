// Sweep scaling: the same sweep of 8 equal points with 1 and with 2 piscina worker threads (wall time,
// including pool start-up). On a 2-core machine the speedup should be ≥ 1.7. `npm run bench` prints it.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { runSweep } from "../dist/sweep/sweep.js";

// a scenario of about a second per run, so thread start-up (~0.2 s) does not dominate; the first that exists
const CANDIDATES = [
  { config: "configs/cloudmatrix-dsr1.yaml", sets: [] },
  { config: "configs/pangu-ultra-moe-train.yaml", sets: [] },
  { config: "configs/cm384-alltoall-flow.yaml", sets: [] },
];
const POINTS = 8;

/** Runs the benchmark: {name, points, jobs1_s, jobs2_s, speedup} (wall seconds; speedup = jobs1_s / jobs2_s). */
export async function runSweepBench() {
  const c = CANDIDATES.find((x) => existsSync(x.config));
  // `seed` as the swept knob: identical work per point, distinct points
  const grid = [`seed=${Array.from({ length: POINTS }, (_, i) => i + 1).join(",")}`];
  const time = async (jobs) => {
    const t0 = performance.now();
    const r = await runSweep({ config: c.config, sets: c.sets, grid, jobs });
    if (r.failed > 0) throw new Error(`sweep bench: ${r.failed} points failed: ${r.records.find((x) => x.error)?.error}`);
    return (performance.now() - t0) / 1e3;
  };
  await time(2); // warm-up: file cache, JIT of the main thread
  const jobs1_s = await time(1);
  const jobs2_s = await time(2);
  return { name: `sweep ${c.config} × ${POINTS} points (${availableParallelism()} CPUs)`, points: POINTS, jobs1_s, jobs2_s, speedup: jobs1_s / jobs2_s };
}

/**
 * A serving sweep over the load (8 arrival rates of the main scenario, one thread): the step model
 * prices each instance shape once per process, so the points after the first cost only their own
 * event loop. Returns {name, points, wall_s, first_s} (wall seconds; first_s = one point alone).
 */
export async function runRateSweepBench() {
  const config = "configs/cloudmatrix-dsr1.yaml";
  if (!existsSync(config)) return undefined;
  const rates = [100, 125, 150, 175, 200, 225, 250, 275];
  const t0 = performance.now();
  const r = await runSweep({ config, sets: [], grid: [`workload.arrivals.rate_per_s=${rates.join(",")}`], jobs: 1 });
  if (r.failed > 0) throw new Error(`rate sweep bench: ${r.failed} points failed`);
  return { name: `sweep ${config} × ${rates.length} arrival rates (jobs 1, step costs memoised)`, points: rates.length, wall_s: (performance.now() - t0) / 1e3 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runSweepBench();
  console.log(`${r.name}: --jobs 1 ${r.jobs1_s.toFixed(2)} s, --jobs 2 ${r.jobs2_s.toFixed(2)} s, speedup ${r.speedup.toFixed(2)}×`);
}
