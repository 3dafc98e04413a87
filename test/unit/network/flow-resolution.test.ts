// `network.flow_resolution`: the flow model's speed/exactness trade. With a resolution r > 0 every
// flow finish within r ns of the earliest pending event joins its batch, so flows finish (and free their
// bandwidth) up to r early; joins are never moved. Specification: r = 0 is the exact model; r > 0
// keeps every finish within a few r of exact (early or late: bandwidth freed early speeds some flows and,
// through max-min sharing, can slow others) and needs fewer recomputations.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/engine/index.js";
import { FlowNetwork } from "../../../src/network/flow.js";
import { FlowSystem } from "../../../src/network/flow-system.js";
import { clos } from "../../helpers/clos-topology.js";
import { Topology, type Link, type TopoNode } from "../../../src/topology/topology.js";

/**
 * 2,000 flows of uneven sizes between random pairs, in 4 waves 20 µs apart; per-flow finish, ns.
 * `resolutionNs` undefined = the network model as the registry builds it by default.
 */
function finishes(resolutionNs: number | undefined): { ends: Float64Array; batches: number } {
  const topo = clos();
  const sim = new Simulator(1);
  const net = resolutionNs === undefined ? new FlowNetwork(sim, topo) : new FlowNetwork(sim, topo, resolutionNs);
  const rng = seedrandom.alea("flow-resolution");
  const n = 2000;
  const ends = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const src = Math.floor(rng() * 64);
    const dst = (src + 1 + Math.floor(rng() * 63)) % 64;
    const bytes = Math.floor(1e4 + rng() * 2e6);
    const start = 20_000 * Math.floor(i / 500);
    net.runGroup([{ src, dst, bytes }], start, (e) => (ends[i] = e));
  }
  sim.run();
  return { ends, batches: net.system.batches };
}

describe("flow model resolution (network.flow_resolution)", () => {
  const exact = finishes(0);
  // the default model: no flow in this mix finishes within float noise of another, so every finish is a batch
  it("the exact model recomputes at (nearly) every one of the 2,000 finishes", () => {
    expect(exact.batches).toBeGreaterThan(1900);
  });

  it("0 ns is the default, exact model: bit-identical finishes", () => {
    expect(finishes(undefined).ends).toEqual(exact.ends);
  });

  for (const r of [5, 50, 500]) {
    it(`${r} ns: every flow finishes within 4 × ${r} ns of exact, in fewer batches`, () => {
      const got = finishes(r);
      let worst = 0;
      for (let i = 0; i < exact.ends.length; i++) worst = Math.max(worst, Math.abs(got.ends[i]! - exact.ends[i]!));
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(4 * r);
      expect(got.batches).toBeLessThan(exact.batches);
    });
  }

  it("never starts a flow before its own start: a coarse resolution batches finishes only", () => {
    // one 1 GB/s link: A (1 MB) from 0, B (1 kB) from 2 µs. However coarse the resolution, B joins at 2 µs
    // and needs at least 1 µs for its bytes (alone on the link it would take exactly that)
    const nodes: TopoNode[] = [{ id: 0, name: "a", kind: "npu" }, { id: 1, name: "b", kind: "npu" }];
    const links: Link[] = [{ id: 0, name: "l", from: 0, to: 1, bandwidth: 1e9, latencyNs: 0 }];
    const topo = new Topology("one-link", nodes, links, [0, 1], () => [0]);
    const sim = new Simulator(1);
    const net = new FlowNetwork(sim, topo, 1e6);
    let endB = NaN;
    net.runGroup([{ src: 0, dst: 1, bytes: 1e6 }], 0, () => undefined);
    net.runGroup([{ src: 0, dst: 1, bytes: 1e3 }], 2000, (e) => (endB = e));
    sim.run();
    expect(endB).toBeGreaterThanOrEqual(2000 + 1000);
  });

  it("rejects a negative or non-finite resolution", () => {
    expect(() => new FlowSystem([1e9], 4, -1)).toThrow(/resolution/);
    expect(() => new FlowSystem([1e9], 4, Infinity)).toThrow(/resolution/);
  });
});
