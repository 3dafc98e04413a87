// `npm run bench`: engine throughput (hold model), wall time of every configs/*.yaml, and the
// flow-model benchmark when it exists. A benchmark, not a test: it prints numbers and never fails on them.
import { existsSync, readdirSync } from "node:fs";
import { loadScenario, runScenario } from "../dist/index.js";
import { runHoldModel } from "./hold-model.mjs";
import { isScenarioFile } from "../dist/config/scenario-files.js";
import { clearStepModelMemo } from "../dist/workload/serving/step-cost.js";
import { clearMemos } from "../dist/hw/ops/memo.js";

const fmt = (x, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const rows = [];

// warm-up so the JIT has compiled the hot loop before we time it
runHoldModel(1_000, 500_000);
for (const pending of [1_000, 100_000]) {
  const r = runHoldModel(pending, 5_000_000);
  rows.push([r.name, `${fmt(r.events)} events`, `${fmt(r.wall_s * 1e3, 1)} ms`, `${fmt(r.events_per_s)} events/s`]);
}

const configs = readdirSync("configs").filter(isScenarioFile).sort();
for (const file of configs) {
  if (file === "mooncake-replay.yaml" && !existsSync("../shared/traces/mooncake-conversation.jsonl")) continue;
  // cold, as a fresh `ascend-sim run` is: no step results or operator prices memoised by an earlier config
  clearStepModelMemo();
  clearMemos();
  const t0 = performance.now();
  const r = runScenario(loadScenario(`configs/${file}`));
  const wall = (performance.now() - t0) / 1e3;
  rows.push([`configs/${file}`, `${fmt(r.eventsProcessed)} events`, `${fmt(wall * 1e3, 1)} ms`, `${fmt(r.eventsProcessed / wall)} events/s`]);
}

// the whole Mooncake conversation trace (12,031 requests, one hour) through the serving workload
if (existsSync("../shared/traces/mooncake-conversation.jsonl")) {
  clearStepModelMemo();
  clearMemos();
  const t0 = performance.now();
  const r = runScenario(loadScenario("configs/mooncake-replay.yaml", { sets: ["workload.arrivals.limit=null"] }));
  const wall = (performance.now() - t0) / 1e3;
  rows.push(["mooncake replay, all requests", `${fmt(r.metrics.requests_arrived)} requests`, `${fmt(wall * 1e3, 1)} ms`, `${fmt(r.metrics.requests_arrived / wall)} requests/s`]);
} else rows.push(["mooncake replay, all requests", "skipped: ../shared/traces/ absent", "", ""]);

if (existsSync("bench/flow-bench.mjs")) {
  const { runFlowBench } = await import("./flow-bench.mjs");
  if (typeof runFlowBench === "function") {
    const r = await runFlowBench();
    rows.push([r.name, `${fmt(r.flows)} flows`, `${fmt(r.wall_s * 1e3, 1)} ms`, `${fmt(r.flows_per_s)} flows/s`]);
  }
  const { runUnevenFlowBench } = await import("./flow-bench.mjs");
  if (typeof runUnevenFlowBench === "function") {
    for (const r of runUnevenFlowBench()) rows.push([r.name, `${fmt(r.flows)} flows`, `${fmt(r.wall_s * 1e3, 1)} ms`, `${fmt(r.batches)} batches`]);
  }
}

if (existsSync("bench/sweep-bench.mjs")) {
  const { runSweepBench } = await import("./sweep-bench.mjs");
  const r = await runSweepBench();
  rows.push([r.name, `jobs 1: ${fmt(r.jobs1_s, 2)} s`, `jobs 2: ${fmt(r.jobs2_s, 2)} s`, `speedup ${fmt(r.speedup, 2)}×`]);
  const { runRateSweepBench } = await import("./sweep-bench.mjs");
  const rr = typeof runRateSweepBench === "function" ? await runRateSweepBench() : undefined;
  if (rr !== undefined) rows.push([rr.name, `${rr.points} points`, `${fmt(rr.wall_s * 1e3, 1)} ms`, `${fmt(rr.wall_s / rr.points, 2)} s/point`]);
}

const width = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
console.log(`ascend-sim benchmark · node ${process.version} · ${process.arch}`);
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("   "));
