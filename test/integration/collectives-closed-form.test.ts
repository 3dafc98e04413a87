import { describe, expect, it } from "vitest";
import { ALGORITHMS } from "../../src/collectives/algorithms.js";
import { runPlan } from "../../src/collectives/executor.js";
import type { CollectiveRequest } from "../../src/collectives/plan.js";
import { rankLayout } from "../../src/collectives/rank-layout.js";
import { selectAlgorithm } from "../../src/collectives/select.js";
import { ResolvedEnvironment } from "../../src/config/environment.js";
import { Quantity } from "../../src/config/quantity.js";
import { Hooks, Simulator } from "../../src/engine/index.js";
import { atlasServerSchema } from "../../src/topology/atlas-server.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../../src/topology/registry.js";
import type { SimEvents } from "../../src/trace/span.js";
import { collectiveBench } from "../../src/workload/collective-bench/collective-bench.js";
import { collectiveBenchSchema } from "../../src/workload/collective-bench/schema.js";

const OVERHEAD_NS = 2000; // collective_step_overhead, ns
const network = { model: "analytical", collective_step_overhead: new Quantity(OVERHEAD_NS, "time") };

/** One Atlas 800T A2 server: 8 NPUs, HCCS links of 56 GB/s and 1 µs (the schema defaults). */
const serverEnv = new ResolvedEnvironment(1, { type: "server", name: "atlas-800t-a2", spec: atlasServerSchema.parse({ type: "server" }) }, network);
const B = 56e9; // HCCS link bandwidth, bytes/s
const ALPHA = 1000 + OVERHEAD_NS; // link latency + step overhead, ns

/** An environment from a cluster preset of the registry. */
function presetEnv(name: string): ResolvedEnvironment {
  const p = CLUSTER_PRESETS[name]!;
  const spec = CLUSTER_TYPES[p.type]!.schema.parse({ type: p.type, ...p.params }) as Record<string, unknown>;
  return new ResolvedEnvironment(1, { type: p.type, name, spec }, network);
}

/** Simulated duration of one collective (exact float end time), ns. */
function timeOf(env: ResolvedEnvironment, algorithm: string, req: Omit<CollectiveRequest, "layout">): number {
  const sim = new Simulator(1);
  const net = env.networkModel(sim);
  const plan = ALGORITHMS[algorithm]!.plan({ ...req, layout: rankLayout(net.topology) });
  let end = NaN;
  runPlan(net, plan, 0, OVERHEAD_NS, (t) => (end = t));
  sim.run();
  return end;
}

const ranks = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const S = 1024 ** 3; // 1 GiB buffer, bytes
const sec = (bytes: number, bw: number): number => (bytes / bw) * 1e9; // serialisation time, ns

describe("ring on one HCCS server (analytical network, B = link bandwidth, α = link latency + step overhead)", () => {
  const n = 8;
  it("all-reduce takes 2(n−1)/n·S/B + 2(n−1)·α, to the nanosecond", () => {
    const expected = ((2 * (n - 1)) / n) * sec(S, B) + 2 * (n - 1) * ALPHA;
    expect(Math.round(timeOf(serverEnv, "ring", { op: "all_reduce", group: ranks(n), bytes: S }))).toBe(Math.round(expected));
  });
  it("all-gather and reduce-scatter take (n−1)/n·S/B + (n−1)·α", () => {
    const expected = ((n - 1) / n) * sec(S, B) + (n - 1) * ALPHA;
    for (const op of ["all_gather", "reduce_scatter"] as const) {
      expect(Math.round(timeOf(serverEnv, "ring", { op, group: ranks(n), bytes: S }))).toBe(Math.round(expected));
    }
  });
  it("broadcast (pipelined chain of n chunks) takes (2n−2)·(S/n/B + α)", () => {
    const expected = (2 * n - 2) * (sec(S / n, B) + ALPHA);
    expect(Math.round(timeOf(serverEnv, "ring", { op: "broadcast", group: ranks(n), bytes: S, root: 3 }))).toBe(Math.round(expected));
  });
});

describe("full mesh on one HCCS server: every pair has its own link", () => {
  const n = 8;
  it("all-reduce is 2·(S/n/B + α): a reduce-scatter and an all-gather phase", () => {
    expect(Math.round(timeOf(serverEnv, "mesh", { op: "all_reduce", group: ranks(n), bytes: S }))).toBe(Math.round(2 * (sec(S / n, B) + ALPHA)));
  });
  it("all-gather and all-to-all are one phase of S/n/B + α", () => {
    for (const op of ["all_gather", "all_to_all"] as const) {
      expect(Math.round(timeOf(serverEnv, "mesh", { op, group: ranks(n), bytes: S }))).toBe(Math.round(sec(S / n, B) + ALPHA));
    }
  });
  it("all-to-allv is one phase priced by its largest pair", () => {
    const m = 4;
    const matrix = new Float64Array(m * m).fill(1e6);
    matrix[1 * m + 2] = 7e6; // rank 1 → rank 2 carries the most, bytes
    const t = timeOf(serverEnv, "mesh", { op: "all_to_allv", group: ranks(m), bytes: 0, matrix });
    expect(Math.round(t)).toBe(Math.round(sec(7e6, B) + ALPHA));
  });
});

describe("recursive halving-doubling (H-D_R)", () => {
  it("all-reduce on 8 ranks: log2 n halving rounds (S/2, S/4, S/8) then log2 n doubling rounds", () => {
    const expected = 2 * (sec(S / 2, B) + sec(S / 4, B) + sec(S / 8, B)) + 2 * 3 * ALPHA;
    expect(Math.round(timeOf(serverEnv, "hd", { op: "all_reduce", group: ranks(8), bytes: S }))).toBe(Math.round(expected));
  });
  it("reduce-scatter on 8 ranks is the halving half: (S/2 + S/4 + S/8)/B + 3α", () => {
    const expected = sec(S / 2, B) + sec(S / 4, B) + sec(S / 8, B) + 3 * ALPHA;
    expect(Math.round(timeOf(serverEnv, "hd", { op: "reduce_scatter", group: ranks(8), bytes: S }))).toBe(Math.round(expected));
  });
  it("all-reduce on 6 ranks folds the 2 extra ranks in and out: 2 extra rounds of S, core of 4", () => {
    const expected = 2 * sec(S, B) + 2 * (sec(S / 2, B) + sec(S / 4, B)) + (2 + 2 * 2) * ALPHA;
    const plan = ALGORITHMS.hd!.plan({ op: "all_reduce", group: ranks(6), bytes: S });
    expect(plan.steps.length).toBe(6);
    expect(Math.round(timeOf(serverEnv, "hd", { op: "all_reduce", group: ranks(6), bytes: S }))).toBe(Math.round(expected));
  });
  it("moves more bytes than ring when n is not a power of two", () => {
    const sent = (alg: string): number =>
      ALGORITHMS[alg]!.plan({ op: "all_reduce", group: ranks(6), bytes: S }).steps.reduce((a, s) => a + s.transfers.reduce((b, t) => b + t.bytes, 0), 0);
    expect(sent("hd")).toBeGreaterThan(sent("ring"));
  });
});

describe("hierarchical all-reduce on 4 RoCE servers (roce-4x800t-a2): mesh inside, same-index ranks across", () => {
  const env = presetEnv("roce-4x800t-a2");
  const topo = env.topology();
  const m = 8; // NPUs per server
  const s = 4; // servers
  const nic = 200e9 / 8; // one 200GE port per NPU, bytes/s
  // every level-1 transfer (server k → server k+1 or k+2, same NPU index) crosses NIC → rail leaf → NIC
  const interLatency = topo.routeLatencyNs(topo.route(0, m));
  it("has one inter-server path latency for every same-index pair", () => {
    for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) if (a !== b) for (let j = 0; j < m; j++) {
      expect(topo.routeLatencyNs(topo.route(a * m + j, b * m + j))).toBe(interLatency);
    }
  });
  const intraPhase = sec(S / m, B) + ALPHA;
  it("with a level-1 ring: intra RS (S/m) + 2(s−1) ring rounds of S/(m·s) over the NIC + intra AG (S/m)", () => {
    const expected = 2 * intraPhase + 2 * (s - 1) * (sec(S / (m * s), nic) + interLatency + OVERHEAD_NS);
    const t = timeOf(env, "hierarchical", { op: "all_reduce", group: ranks(m * s), bytes: S, level1: "ring" });
    expect(Math.round(t)).toBe(Math.round(expected));
  });
  it("with level-1 H-D: log2 s halving + log2 s doubling rounds of S/(2m), S/(4m)", () => {
    const inter = 2 * (sec(S / (2 * m), nic) + sec(S / (4 * m), nic)) + 2 * 2 * (interLatency + OVERHEAD_NS);
    const t = timeOf(env, "hierarchical", { op: "all_reduce", group: ranks(m * s), bytes: S, level1: "hd" });
    expect(Math.round(t)).toBe(Math.round(2 * intraPhase + inter));
  });
  it("beats a flat ring over all 32 NPUs for 1 GiB", () => {
    const flat = timeOf(env, "ring", { op: "all_reduce", group: ranks(m * s), bytes: S });
    const hier = timeOf(env, "hierarchical", { op: "all_reduce", group: ranks(m * s), bytes: S });
    expect(hier).toBeLessThan(flat);
  });
});

describe("algorithm: auto follows HCCL's rules", () => {
  it("uses the level-0 mesh inside an HCCS server whatever the size", () => {
    const layout = rankLayout(serverEnv.topology());
    for (const bytes of [1024, S]) expect(selectAlgorithm("all_reduce", ranks(8), bytes, layout)).toBe("mesh");
  });
  it("goes hierarchical across RoCE servers, pairwise for all-to-all", () => {
    const layout = rankLayout(presetEnv("roce-4x800t-a2").topology());
    expect(layout.servers).toBe(4);
    expect(selectAlgorithm("all_reduce", ranks(32), S, layout)).toBe("hierarchical");
    expect(selectAlgorithm("all_to_all", ranks(32), S, layout)).toBe("pairwise");
  });
  it("switches from mesh to ring above 8 MiB on the UB (hardware.md §3 crossover)", () => {
    const layout = rankLayout(presetEnv("cloudmatrix-16").topology());
    expect(layout.fabric).toBe("ub");
    expect(selectAlgorithm("all_reduce", ranks(32), 8 * 1024 ** 2, layout)).toBe("mesh");
    expect(selectAlgorithm("all_reduce", ranks(32), 16 * 1024 ** 2, layout)).toBe("ring");
  });
});

describe("collective-bench reports hccl_test-style rows", () => {
  it("gives time, algbw and busbw per size, busbw = algbw × 2(n−1)/n for all-reduce", () => {
    const cfg = collectiveBenchSchema.parse({ kind: "collective-bench", ops: ["all_reduce"], algorithms: ["ring", "auto"], sizes: { from: "1MiB", to: "4MiB", factor: 4 } });
    const ctx = { sim: new Simulator(1), hooks: new Hooks<SimEvents>(), env: serverEnv };
    const rows = collectiveBench.run(cfg, ctx).metrics.results as { algorithm: string; selected_algorithm: string; size_bytes: number; time_ns: number; algbw_gb_per_s: number; busbw_gb_per_s: number }[];
    expect(rows.map((r) => [r.algorithm, r.size_bytes])).toEqual([
      ["ring", 1024 ** 2],
      ["ring", 4 * 1024 ** 2],
      ["auto", 1024 ** 2],
      ["auto", 4 * 1024 ** 2],
    ]);
    for (const r of rows) {
      expect(r.algbw_gb_per_s).toBeCloseTo(r.size_bytes / r.time_ns, 12);
      expect(r.busbw_gb_per_s).toBeCloseTo((r.algbw_gb_per_s * 2 * 7) / 8, 12);
    }
    expect(rows[2]!.selected_algorithm).toBe("mesh");
  });
});
