import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

// The elastic workload end to end on the T3 ablation config (Qwen3-30B-A3B, DP3-TP2 → DP4-TP2 on 910C
// dies of a CloudMatrix384): KV kept by zero-copy, cold restarts requeue or drop (counted), request
// conservation, and the P2P weight copy priced on the network model.

const CFG = "configs/elastic-moe-ablation.yaml";
type M = Record<string, unknown>;
const run = (sets: string[] = []): M => runScenario(loadScenario(CFG, { sets: ["workload.compare=[]", ...sets] })).metrics as M;
const n = (m: M, k: string): number => m[k] as number;
const conserved = (m: M): void => expect(n(m, "requests_completed") + n(m, "requests_rejected") + n(m, "requests_unfinished")).toBe(n(m, "requests_arrived"));

describe("elastic: scaling keeps or loses running requests as configured", () => {
  it("zero-copy keeps the KV of running requests: no re-prefill, no drops, no downtime", () => {
    const m = run(["workload.load.phases=[{until_s: 30, rate_per_s: 10}]"]);
    const up = (m.scalings as M[])[0]!;
    expect(n(up, "running_at_switch")).toBeGreaterThan(0);
    expect(n(m, "requests_requeued")).toBe(0);
    expect(n(m, "reprefill_tokens")).toBe(0);
    expect(n(m, "downtime_s")).toBe(0);
    conserved(m);
  });
  it("a cold restart requeues running requests for re-prefill (default) or drops them, counted", () => {
    const base = ["workload.load.phases=[{until_s: 30, rate_per_s: 10}]", "workload.strategy=cold_restart"];
    const rq = run(base);
    expect(n(rq, "requests_requeued")).toBeGreaterThan(0);
    expect(n(rq, "reprefill_tokens")).toBe(n(rq, "requests_requeued") * 1024);
    expect(n(rq, "downtime_s")).toBeGreaterThan(60);
    conserved(rq);
    const dr = run([...base, "workload.on_restart=drop"]);
    expect(n(dr, "requests_requeued")).toBe(0);
    expect(n(dr, "requests_rejected")).toBeGreaterThan(0);
    conserved(dr);
  });
  it("no request is lost across scaling for any strategy, also when the drain cuts the run", () => {
    for (const strategy of ["elastic", "horizontal", "cold_restart", "extravagant", "colocated"]) {
      for (const drain of ["120", "0"]) conserved(run([`workload.strategy=${strategy}`, `workload.drain_s=${drain}`, "workload.load.phases=[{until_s: 30, rate_per_s: 10}]"]));
    }
  });
});

describe("elastic: P2P weight copy on the network model", () => {
  it("equals bytes / die UB bandwidth (196 GB/s) on an idle fabric", () => {
    const m = run(["workload.load.phases=[]", "workload.load.offline_batch=1"]);
    const up = (m.scalings as M[])[0]!;
    const expected = n(up, "p2p_bytes_per_die") / 196e9;
    expect(n(up, "p2p_s")).toBeGreaterThanOrEqual(expected);
    expect(n(up, "p2p_s")).toBeLessThan(expected * 1.01 + 1e-5);
  });
  it("grows under serving traffic on the flow model (the expert all-to-all shares the senders' UB links)", () => {
    const idle = run(["network.model=flow", "workload.load.phases=[]", "workload.load.offline_batch=1"]);
    // a steady load that outlasts the copy (an offline batch can drain before the scaling at 5 s starts copying at 6 s)
    const busy = run(["network.model=flow", "workload.load.phases=[{until_s: 30, rate_per_s: 20}]"]);
    const p = (m: M): number => n((m.scalings as M[])[0]!, "p2p_s");
    expect(p(idle)).toBeCloseTo(n((idle.scalings as M[])[0]!, "p2p_bytes_per_die") / 196e9, 4);
    expect(p(busy)).toBeGreaterThan(p(idle));
  });
});
