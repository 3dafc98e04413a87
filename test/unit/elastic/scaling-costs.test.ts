import { describe, expect, it } from "vitest";
import {
  DEVICE_INIT_NS,
  GRAPH_COMPILE_NS,
  HCCL_INIT_NS,
  IPC_ALLOC_NS,
  PLAIN_ALLOC_NS,
  PROCESS_START_NS,
  PROCESS_STOP_NS,
  STORAGE_READ_BYTES_PER_S,
  WARMUP_NS,
  scalingPlan,
  weightsToLoadPerDie,
  type Mechanisms,
} from "../../../src/workload/elastic/scaling-costs.js";

const ALL_ON: Mechanisms = { zero_copy: true, p2p_weights: true, preinit: true, ipc_alloc: true };
const total = (p: ReturnType<typeof scalingPlan>): number => p.components.reduce((s, c) => s + c.ns, 0);
const names = (p: ReturnType<typeof scalingPlan>): string[] => p.components.map((c) => c.name);
const BYTES = 8.79e9; // weights one new die loads, B

describe("ElasticMoE scaling plans: each mechanism removes exactly one cost component", () => {
  it("the full mechanism set keeps serving, keeps KV, and copies weights peer-to-peer (priced on the network)", () => {
    const p = scalingPlan("elastic", ALL_ON, true, BYTES);
    expect(p.during).toBe("old");
    expect(p.keepsKv).toBe(true);
    expect(names(p)).toEqual(["device_init", "weights_p2p", "alloc_ipc", "warmup"]);
    expect(total(p)).toBe(DEVICE_INIT_NS + IPC_ALLOC_NS + WARMUP_NS);
  });

  it("without IPC allocation the plain allocator replaces the IPC one", () => {
    const p = scalingPlan("elastic", { ...ALL_ON, ipc_alloc: false }, true, BYTES);
    expect(total(p) - total(scalingPlan("elastic", ALL_ON, true, BYTES))).toBe(PLAIN_ALLOC_NS - IPC_ALLOC_NS);
  });

  it("without P2P the weights come from storage at its bandwidth (bytes / rate)", () => {
    const p = scalingPlan("elastic", { ...ALL_ON, p2p_weights: false }, true, BYTES);
    const storage = p.components.find((c) => c.name === "weights_storage")!;
    expect(storage.ns).toBe(Math.round((BYTES / STORAGE_READ_BYTES_PER_S) * 1e9));
    expect(names(p)).not.toContain("weights_p2p");
  });

  it("without a pre-initialised standby the cold start (process, graph compile, HCCL init) comes back", () => {
    const on = scalingPlan("elastic", { ...ALL_ON, preinit: true }, true, BYTES);
    const off = scalingPlan("elastic", { ...ALL_ON, preinit: false }, true, BYTES);
    expect(total(off) - total(on)).toBe(PROCESS_START_NS + GRAPH_COMPILE_NS + HCCL_INIT_NS);
    expect(off.during).toBe("old");
  });

  it("without zero-copy the instance is stopped and restarted: serving stops and KV is lost", () => {
    const p = scalingPlan("elastic", { ...ALL_ON, zero_copy: false }, true, BYTES);
    expect(p.during).toBe("none");
    expect(p.keepsKv).toBe(false);
    expect(names(p)[0]).toBe("process_stop");
    expect(p.components.some((c) => c.name === "process_stop" && c.ns === PROCESS_STOP_NS)).toBe(true);
  });

  it("scaling down onto dies already in use skips device initialisation", () => {
    expect(names(scalingPlan("elastic", ALL_ON, false, BYTES))).not.toContain("device_init");
  });
});

describe("device_init is per process: a cold restart pays it on a scale-down too (aclInit / aclrtSetDevice run per process)", () => {
  const S = 1e9;
  it("the cold_restart baseline and ElasticMoE without zero-copy scale down with the same plan", () => {
    // process_stop 4.6 + process_start 15 + graph_compile 33 + hccl_init 4.4 + device_init 1
    // + storage 8.79 GB / 1.2 GB/s = 7.325 + alloc_plain 0.86 + warm-up 1.2 = 67.385 s
    // (before: ElasticMoE −zero-copy skipped device_init on a scale-down, 66.385 s)
    const cold = scalingPlan("cold_restart", ALL_ON, false, BYTES);
    const noZeroCopy = scalingPlan("elastic", { ...ALL_ON, zero_copy: false }, false, BYTES);
    expect(total(cold)).toBeCloseTo(67.385 * S, -3);
    expect(total(noZeroCopy)).toBeCloseTo(67.385 * S, -3);
    expect(names(noZeroCopy)).toEqual(names(cold));
    expect(names(cold)).toContain("device_init");
  });

  it("ElasticMoE without the pre-initialised standby starts a fresh process: device_init on a scale-down too", () => {
    // process_start 15 + graph_compile 33 + hccl_init 4.4 + device_init 1 + P2P (priced later, 0 here)
    // + alloc_ipc 0.15 + warm-up 1.2 = 54.75 s (before: 53.75 s, no device_init)
    const p = scalingPlan("elastic", { ...ALL_ON, preinit: false }, false, BYTES);
    expect(total(p)).toBeCloseTo(54.75 * S, -3);
    expect(names(p)).toContain("device_init");
  });

  it("the full mechanism set scales down in place (T3 scale-down row): no process start, no device_init", () => {
    // alloc_ipc 0.15 + warm-up 1.2 = 1.35 s + P2P of the removed dies' experts (priced on the network)
    const p = scalingPlan("elastic", ALL_ON, false, BYTES);
    expect(total(p)).toBe(IPC_ALLOC_NS + WARMUP_NS);
    expect(names(p)).not.toContain("process_start");
  });

  it("cold restart up and down differ by nothing but the bytes read", () => {
    expect(total(scalingPlan("cold_restart", ALL_ON, true, BYTES))).toBe(total(scalingPlan("cold_restart", ALL_ON, false, BYTES)));
    expect(DEVICE_INIT_NS).toBe(1e9);
  });
});

describe("weights a die must load: only what it lacks when its weights stay resident", () => {
  const EP6 = 11.47e9; // B per die at DP3-TP2-EP6 (22 expert slots)
  const EP8 = 8.8e9; // B per die at DP4-TP2-EP8 (16 expert slots)
  it("zero-copy scale-down: the remaining dies keep their shard and load the removed dies' experts (new − old)", () => {
    expect(weightsToLoadPerDie(true, false, EP6, EP8)).toBeCloseTo(EP6 - EP8, 0);
  });
  it("scale-up: a joining die loads its whole shard, resident or not", () => {
    expect(weightsToLoadPerDie(true, true, EP8, EP6)).toBe(EP8);
    expect(weightsToLoadPerDie(false, true, EP8, EP6)).toBe(EP8);
  });
  it("a fresh instance (cold restart, baselines) loads its whole shard also when scaling down", () => {
    expect(weightsToLoadPerDie(false, false, EP6, EP8)).toBe(EP6);
  });
  it("from storage the delta costs delta / read rate, not the whole shard", () => {
    const p = scalingPlan("elastic", { ...ALL_ON, p2p_weights: false }, false, weightsToLoadPerDie(true, false, EP6, EP8));
    expect(p.components.find((c) => c.name === "weights_storage")!.ns).toBe(Math.round(((EP6 - EP8) / STORAGE_READ_BYTES_PER_S) * 1e9));
  });
});

describe("baseline strategies start a fresh instance from storage", () => {
  it.each([
    ["horizontal", "old", true, false],
    ["extravagant", "old", false, true],
    ["colocated", "old_reduced_kv", false, false],
  ] as const)("%s: serving during the switch is %s", (strategy, during, addReplica, freshDies) => {
    const p = scalingPlan(strategy, ALL_ON, true, BYTES);
    expect(p.during).toBe(during);
    expect(p.addReplica).toBe(addReplica);
    expect(p.freshDies).toBe(freshDies);
    expect(p.keepsKv).toBe(false);
    expect(names(p)).toEqual(expect.arrayContaining(["process_start", "graph_compile", "hccl_init", "weights_storage"]));
    // mechanisms are ElasticMoE's: a baseline costs the same with them off
    expect(total(scalingPlan(strategy, { zero_copy: false, p2p_weights: false, preinit: false, ipc_alloc: false }, true, BYTES))).toBe(total(p));
  });

  it("cold restart has downtime (no serving during the switch)", () => {
    expect(scalingPlan("cold_restart", ALL_ON, true, BYTES).during).toBe("none");
  });

  it("removing a horizontal replica starts no instance: it stops taking requests and drains", () => {
    const p = scalingPlan("horizontal", ALL_ON, false, BYTES);
    expect(p.components).toEqual([]);
    expect(p.during).toBe("old");
  });
});
