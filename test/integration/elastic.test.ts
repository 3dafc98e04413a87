import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

// The elastic workload end to end on the T3 ablation config (Qwen3-30B-A3B, DP3-TP2 → DP4-TP2 on 910C
// dies of a CloudMatrix384): KV kept by zero-copy, cold restarts requeue or drop (counted), request
// conservation, and the P2P weight copy priced on the network model.

const CFG = "configs/elastic-moe-ablation.yaml";
const BURST = "configs/elastic-moe-burst.yaml";
type M = Record<string, unknown>;
const run = (sets: string[] = []): M => runScenario(loadScenario(CFG, { sets: ["workload.compare=[]", ...sets] })).metrics as M;
const burst = (sets: string[] = []): M => runScenario(loadScenario(BURST, { sets: ["workload.compare=[]", ...sets] })).metrics as M;
const scalingsOf = (m: M): M[] => m.scalings as M[];
const decisionsOf = (m: M): M[] => m.decisions as M[];
/** HBM of one 910C die, GB: 64 GiB (hardware.md, 910C: 128 GB per package, 64 GiB per die). */
const DIE_HBM_GB = (64 * 2 ** 30) / 1e9;
const n = (m: M, k: string): number => m[k] as number;
const conserved = (m: M): void => expect(n(m, "requests_completed") + n(m, "requests_rejected") + n(m, "requests_unfinished")).toBe(n(m, "requests_arrived"));

describe("elastic: run-size guards", () => {
  it("a load or timeline too large to hold is an input error naming the setting", () => {
    expect(() => run(["workload.load.phases=[{until_s: 30, rate_per_s: 1e9}]"])).toThrow(/workload\.load\.phases: the load's requests ≈ 3\.00e\+10/);
    expect(() => run(["workload.timeline_window_s=1e-9"])).toThrow(/workload\.timeline_window_s: .* timeline windows/);
  });
});

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
    // a re-prefill recomputes the 1,024-token prompt and the (up to 127) tokens generated before the restart
    expect(n(rq, "reprefill_tokens")).toBeGreaterThan(n(rq, "requests_requeued") * 1024);
    expect(n(rq, "reprefill_tokens")).toBeLessThan(n(rq, "requests_requeued") * (1024 + 128));
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
  // Qwen3-30B-A3B BF16: one expert = 48 layers × 3 × 2048 × 768 × 2 B = 452,984,832 B
  const EXPERT = 48 * 3 * 2048 * 768 * 2;
  it("scale-up: a joining die's shard (non-expert / TP + 16 experts) / die UB bandwidth (196 GB/s) on an idle fabric", () => {
    const m = run(["workload.load.phases=[]", "workload.load.offline_batch=1"]);
    const up = (m.scalings as M[])[0]!;
    const expected = n(up, "p2p_bytes_per_die") / 196e9;
    expect(n(up, "p2p_s")).toBeGreaterThanOrEqual(expected);
    expect(n(up, "p2p_s")).toBeLessThan(expected * 1.01 + 1e-5);
  });
  it("scale-down: bound by each removed die sending the 16 experts only it holds (16 × 453 MB / 196 GB/s = 36.98 ms)", () => {
    const down = (run(["workload.load.phases=[]", "workload.load.offline_batch=1"]).scalings as M[])[1]!;
    expect(down.kind).toBe("down");
    // each remaining die receives 6 expert slots (EP6 has 22 per die, EP8 16): 2.72 GB
    expect(n(down, "p2p_bytes_per_die")).toBe(6 * EXPERT);
    // the 32 experts of the two removed dies exist nowhere else: 16 × EXPERT per removed die; the 4 redundant
    // slots come from remaining dies. (One removed die per 3 remaining dies, round robin, sent 3 × 6 = 18
    // slots: 41.6 ms.) Plus a few µs of UB latency.
    expect(n(down, "p2p_s")).toBeGreaterThanOrEqual((16 * EXPERT) / 196e9);
    expect(n(down, "p2p_s")).toBeLessThan((16 * EXPERT) / 196e9 + 1e-5);
  });
  it("grows under serving traffic on the flow model where serving shares a sender's UB links", () => {
    const idle = run(["network.model=flow", "workload.load.phases=[]", "workload.load.offline_batch=1"]);
    // a steady load that outlasts both copies (an offline batch can drain before the scaling at 5 s starts copying at 6 s)
    const busy = run(["network.model=flow", "workload.load.phases=[{until_s: 200, rate_per_s: 20}]", "workload.duration_s=200"]);
    const p = (m: M, i: number): number => n((m.scalings as M[])[i]!, "p2p_s");
    // scale-up on an idle fabric: the joining die's ingress, within 2 % (max-min sharing: a sender feeding
    // both joining dies splits its links between them once its other flows end)
    const upBytes = n((idle.scalings as M[])[0]!, "p2p_bytes_per_die");
    expect(p(idle, 0)).toBeGreaterThanOrEqual(upBytes / 196e9);
    expect(p(idle, 0)).toBeLessThan((upBytes / 196e9) * 1.02);
    expect(p(idle, 1)).toBeCloseTo((16 * EXPERT) / 196e9, 5);
    // scale-up: the senders serve (their all-to-all shares their egress) but the joining dies' ingress binds
    expect(p(busy, 0)).toBeGreaterThan(p(idle, 0));
    // scale-down: the removed dies serve until the switch, and their egress is the copy's bottleneck
    expect(p(busy, 1)).toBeGreaterThan(p(idle, 1) * 1.02);
  });
});

describe("elastic: peak memory during a switch", () => {
  it("zero-copy scale-down: a remaining die holds its old configuration and the 6 expert slots it receives until the remap", () => {
    const [up, down] = scalingsOf(run());
    // scale-up: 6 old dies + 2 joining dies, each ≈ HBM × 0.9 (serving's KV sizing fills to it); scale-down:
    // 8 dies of the old configuration (≈ the same per die) + 6 × 2.72 GB received by the remaining ones
    expect(n(down!, "peak_memory_gb") - n(up!, "peak_memory_gb")).toBeCloseTo((6 * n(down!, "p2p_bytes_per_die")) / 1e9, 3);
  });
});

describe("elastic: colocated scalings in a row", () => {
  it("a scaling due while the last copy retires waits for it (a die holds two copies, as the config check assumes)", () => {
    // DP3 → DP4 at 5 s (62.8 s to load the second copy) and DP4 → DP3 due at 6 s: it starts at the end of the
    // first, once the retiring DP3 copy has finished its running sequences — it used to start at once beside
    // it, size its pool beside both copies (nothing left) and end the run with an error
    const m = run(["workload.strategy=colocated", "workload.scaling.events=[{at_s: 5, dp: 4}, {at_s: 6, dp: 3}]", "workload.load.phases=[{until_s: 200, rate_per_s: 10}]", "workload.duration_s=200"]);
    const [up, down] = scalingsOf(m);
    expect([up!.kind, up!.from_dp, up!.to_dp, down!.kind, down!.from_dp, down!.to_dp]).toEqual(["up", 3, 4, "down", 4, 3]);
    expect(n(down!, "start_s")).toBeGreaterThan(n(up!, "start_s") + n(up!, "duration_s"));
    // both pools as the config check computes them: with K = usable HBM − both layouts' weights and buffers
    // (tokens), the DP4 copy gets y = K − 0.5 · S3 beside the DP3 copy's halved pool (S3 = serving's DP3
    // pool), the DP3 copy x = K − 0.5 · y = (y + S3) / 2 beside the DP4 copy's halved pool
    const s3 = n(scalingsOf(run())[1]!, "kv_pool_tokens_per_replica");
    expect(Math.abs(n(down!, "kv_pool_tokens_per_replica") - (n(up!, "kv_pool_tokens_per_replica") + s3) / 2)).toBeLessThanOrEqual(1);
    conserved(m);
  });
});

describe("elastic: the SLO coordinator scales down when demand falls, not when steps stop running", () => {
  // burst config: 4 req/s, ramp to 40 req/s at 20–30 s, 40 req/s until 110 s, 2 req/s until 180 s
  const m = burst();
  const at = (lo: number, hi: number): M[] => decisionsOf(m).filter((d) => n(d, "t_s") > lo && n(d, "t_s") <= hi);
  it("utilisation is demand ÷ capacity: a few % of DP3's max batch at 4 req/s, near or above 1 in the 40 req/s burst", () => {
    for (const [lo, hi] of [[0, 20], [40, 110], [120, 180]] as const) expect(at(lo, hi).length, `decisions in (${lo}, ${hi}] s`).toBeGreaterThan(0);
    for (const d of at(0, 20)) expect(n(d, "utilisation")).toBeLessThan(0.1);
    for (const d of at(40, 110)) expect(n(d, "utilisation")).toBeGreaterThan(0.9);
    for (const d of at(120, 180)) expect(n(d, "utilisation")).toBeLessThan(0.1);
  });
  it("scales up in the burst and back down to DP3 after it (2 req/s from 110 s), releasing two NPUs", () => {
    const kinds = scalingsOf(m).map((x) => x.kind);
    expect(kinds).toEqual(["up", "down"]);
    const down = scalingsOf(m)[1]!;
    expect(n(down, "start_s")).toBeGreaterThan(110);
    expect(n(down, "start_s")).toBeLessThan(110 + 3 * 5 + 20);
    const after = (m.timeline as M[]).filter((w) => n(w, "t_s") > n(down, "start_s") + 5);
    for (const w of after) expect(n(w, "dies")).toBe(6);
  });
  it("NPU-seconds are billed until the last request completes: the idle drain after it costs nothing", () => {
    const long = burst(["workload.drain_s=120"]);
    expect(n(long, "npu_seconds")).toBe(n(m, "npu_seconds"));
    expect(n(m, "billing_window_s")).toBeLessThan(180 + 5);
    expect(n(m, "billing_window_s")).toBeGreaterThan(175);
  });
  it("scaling down saves NPU-seconds: ElasticMoE bills fewer than a cold restart that stays at DP4", () => {
    expect(n(m, "npu_seconds")).toBeLessThan(n(burst(["workload.strategy=cold_restart"]), "npu_seconds"));
  });
});

describe("elastic: the coordinator measures its own window", () => {
  it("decisions do not depend on the timeline window (timeline_window_s 5, 7, 15 → the same decisions and scalings)", () => {
    const sets = (tw: number): string[] => ["workload.scaling.down_windows=2", `workload.timeline_window_s=${tw}`];
    const key = (m: M) => ({ decisions: decisionsOf(m), scalings: scalingsOf(m).map((x) => [x.kind, x.start_s]), slo: m.slo_attainment });
    const base = key(burst(sets(5)));
    expect(base.decisions.length).toBeGreaterThan(30);
    expect(key(burst(sets(15)))).toEqual(base);
    expect(key(burst(sets(7)))).toEqual(base);
    // and no scale-down in the middle of the 40 req/s burst
    for (const [kind, start] of base.scalings) if (kind === "down") expect(start as number).toBeGreaterThan(110);
  });
});

describe("elastic: the coordinator judges a request as soon as its verdict is known", () => {
  it("a backlog past its TTFT deadline scales up before any request completes (40 req/s of 2,000-token outputs)", () => {
    const m = burst(["workload.load.phases=[{until_s: 60, rate_per_s: 40}]", "workload.load.output_tokens=2000", "workload.duration_s=60"]);
    const firstCompletion = (m.timeline as M[]).find((w) => n(w, "completed") > 0)!;
    const up = decisionsOf(m).find((d) => d.action === "scale_up")!;
    expect(up, "a scale-up decision").toBeDefined();
    expect(n(up, "slo_attainment")).toBeLessThan(0.9);
    // the first completion comes in a later window than the decision: only queued requests were judged
    expect(n(up, "t_s")).toBeLessThan(n(firstCompletion, "t_s") - 5);
  });
  it("a request is judged once: a miss judged at its deadline is not judged again when it completes", () => {
    const m = burst(["workload.load.phases=[{until_s: 60, rate_per_s: 40}]", "workload.load.output_tokens=2000", "workload.duration_s=60", "workload.drain_s=600"]);
    const judged = decisionsOf(m).reduce((a, d) => a + n(d, "judged"), 0);
    // nearly every request is judged twice over if completions recount deadline misses; here each once at most
    expect(n(m, "requests_completed")).toBe(n(m, "requests_arrived"));
    expect(judged).toBeLessThanOrEqual(n(m, "requests_arrived"));
    expect(judged).toBeGreaterThan(0.9 * n(m, "requests_arrived"));
  });
});

describe("elastic: colocated scaling fits both copies in each die's HBM", () => {
  const colocated = (f: number): M => burst(["workload.strategy=colocated", `workload.colocated_kv_fraction=${f}`]);
  it("the new copy's KV pool is the HBM left on its dies: peak ≤ dies × 64 GiB, and the pool shrinks as the serving copy keeps more", () => {
    const pools: number[] = [];
    for (const f of [0.05, 0.2, 0.5]) {
      const m = colocated(f);
      for (const x of scalingsOf(m)) expect(n(x, "peak_memory_gb")).toBeLessThanOrEqual(8 * DIE_HBM_GB);
      pools.push(n(scalingsOf(m)[0]!, "kv_pool_tokens_per_replica"));
    }
    expect(pools[1]).toBeLessThan(pools[0]!);
    expect(pools[2]).toBeLessThan(pools[1]!);
    // on fresh dies (extravagant) the new instance gets serving's full pool
    expect(n(scalingsOf(burst(["workload.strategy=extravagant"]))[0]!, "kv_pool_tokens_per_replica")).toBeGreaterThan(pools[0]!);
  });
  it("a serving copy that keeps too much KV for a second copy to fit is refused", () => {
    expect(() => colocated(0.9)).toThrow(/colocated_kv_fraction/);
  });
  it("the serving copy holds no more KV than its reduced pool: sequences beyond it are preempted for re-prefill, counted", () => {
    // at 40 req/s DP3 runs 192 sequences × 1152 tokens; 5 % of the pool holds fewer
    const m = colocated(0.05);
    expect(n(m, "requests_requeued")).toBeGreaterThan(0);
    expect(n(m, "reprefill_tokens")).toBeGreaterThanOrEqual(n(m, "requests_requeued") * 1024);
    expect(n(m, "reprefill_tokens")).toBeLessThan(n(m, "requests_requeued") * (1024 + 128));
    conserved(m);
  });
});

describe("elastic: scale-down with weights resident loads only what the remaining dies lack", () => {
  it("without P2P the storage read is the removed dies' experts (the bytes P2P would copy), not the whole shard", () => {
    const full = scalingsOf(run())[1]!;
    const noP2p = scalingsOf(run(["workload.mechanisms.p2p_weights=false"]))[1]!;
    expect(full.kind).toBe("down");
    const delta = n(full, "p2p_bytes_per_die");
    expect(delta).toBeGreaterThan(0);
    // STORAGE_READ_BYTES_PER_S = 1.2 GB/s per die (scaling-costs.ts)
    expect((noP2p.components_s as M).weights_storage).toBeCloseTo(delta / 1.2e9, 6);
    expect(n(noP2p, "duration_s")).toBeLessThan(5);
  });
});

describe("elastic: layouts on any cluster", () => {
  it("runs on 910B servers over RoCE (one die per NPU): P2P weights on the cluster's default plane, slower than over UB", () => {
    const roce = run(["cluster=roce-4x800t-a2", "workload.load.phases=[]", "workload.load.offline_batch=1"]);
    const ub = run(["workload.load.phases=[]", "workload.load.offline_batch=1"]);
    const p2p = (m: M): number => n(scalingsOf(m)[0]!, "p2p_s");
    expect(p2p(roce)).toBeGreaterThan(p2p(ub));
    // a 910B NPU is one die: NPU·s = die·s (a 910C's two dies halve them)
    expect(n(roce, "npu_seconds")).toBe(n(roce, "die_seconds"));
    expect(n(ub, "npu_seconds")).toBe(n(ub, "die_seconds") / 2);
    conserved(roce);
  });
  it("a layout that leaves half a 910C is an input error at the knob that asks for it", () => {
    expect(() => run(["workload.tp=3"])).toThrow(/workload\.from\.dp: dp 3 × tp 3 = 9 dies do not fill whole 910C NPUs of 2 dies: expected a multiple of 2/);
  });
  it("a tp every layout rejects is reported once, at workload.tp", () => {
    let msg = "";
    try {
      run(["workload.tp=6"]);
    } catch (e) {
      msg = (e as Error).message;
    }
    const lines = msg.split("\n").filter((l) => l.includes("must divide the 32 attention heads"));
    expect(lines).toEqual([expect.stringMatching(/workload\.tp: attention\.tp \(6\) must divide the 32 attention heads$/)]);
  });
});
