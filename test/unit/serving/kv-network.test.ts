// Serving transfers (KV hand-offs, pool loads) go over the configured network model. Specification:
// on an idle route a piece takes route latency + its bytes (plus its per-block NIC overhead) over the
// bottleneck bandwidth with either model; concurrent hand-offs into one decode die share its port on the
// flow model and ignore each other on the analytical one; a layer-wise hand-off leaves only the last
// layer's share after the prefill when the network keeps up, and the tail of the transfer when not.
import { starTopology } from "../../helpers/star-topology.js";
import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/engine/index.js";
import { AnalyticalNetwork } from "../../../src/network/analytical.js";
import { FlowNetwork } from "../../../src/network/flow.js";
import type { NetworkModel } from "../../../src/network/network-model.js";
import type { Topology } from "../../../src/topology/topology.js";
import { layerwiseRemainder, sendPieces, type Piece } from "../../../src/workload/serving/kv-network.js";

const NIC = 25e9; // bytes/s, a 200 Gb/s RDMA port
const HOP_NS = 500;

const star = (): Topology => starTopology(4, NIC, HOP_NS, "rdma");

/** Sends each group at time 0 on a fresh model; returns each group's arrival, ns. */
function arrivals(make: (sim: Simulator, t: Topology) => NetworkModel, groups: Piece[][]): number[] {
  const sim = new Simulator(1);
  const net = make(sim, star());
  const ends = groups.map(() => NaN);
  groups.forEach((g, i) => sendPieces(net, g, 0, "rdma", (e) => (ends[i] = e)));
  sim.run();
  return ends;
}

const analytical = (sim: Simulator, t: Topology): NetworkModel => new AnalyticalNetwork(sim, t);
const flow = (sim: Simulator, t: Topology): NetworkModel => new FlowNetwork(sim, t);
const MB = 25e6; // 1 ms at 25 GB/s

describe("serving transfers on the network model", () => {
  it.each([
    ["analytical", analytical],
    ["flow", flow],
  ] as const)("an idle route: latency + bytes / bandwidth (+ the pieces' NIC overhead) on the %s model", (_, make) => {
    const [bulk, blocks] = arrivals(make, [[{ src: 0, dst: 1, bytes: MB }], [{ src: 2, dst: 3, bytes: MB, overheadNs: 200_000 }]]);
    expect(bulk).toBeCloseTo(2 * HOP_NS + 1e6, 3);
    expect(blocks).toBeCloseTo(2 * HOP_NS + 1e6 + 200_000, 3);
  });

  it("two hand-offs into one decode die share its port on the flow model (both end at 2 ms)", () => {
    const [a, b] = arrivals(flow, [[{ src: 0, dst: 3, bytes: MB }], [{ src: 1, dst: 3, bytes: MB }]]);
    expect(a).toBeCloseTo(2 * HOP_NS + 2e6, 3);
    expect(b).toBeCloseTo(2 * HOP_NS + 2e6, 3);
  });

  it("the analytical model prices each group alone (congestion-unaware across groups)", () => {
    const [a, b] = arrivals(analytical, [[{ src: 0, dst: 3, bytes: MB }], [{ src: 1, dst: 3, bytes: MB }]]);
    expect(a).toBeCloseTo(2 * HOP_NS + 1e6, 3);
    expect(b).toBeCloseTo(2 * HOP_NS + 1e6, 3);
  });

  it("per-block overhead keeps the NIC busy: under contention on the flow model it is shared like bytes", () => {
    // 1 MB + 1 ms of overhead (≙ 25 MB at 25 GB/s) against a plain 1 MB into the same port
    const [blocks, bulk] = arrivals(flow, [[{ src: 0, dst: 3, bytes: MB, overheadNs: 1e6 }], [{ src: 1, dst: 3, bytes: MB }]]);
    expect(bulk).toBeCloseTo(2 * HOP_NS + 2e6, 3); // shares the port while both move
    expect(blocks).toBeCloseTo(2 * HOP_NS + 3e6, 3); // 2 MB-equivalent left after the bulk one ends
  });
});

describe("layer-wise KV: what is left when the prefill ends", () => {
  const topo = new AnalyticalNetwork(new Simulator(1), star());
  const piece: Piece = { src: 0, dst: 1, bytes: 61 * MB }; // 61 layers × 1 ms alone

  it("a network faster than the prefill leaves the last layer's share", () => {
    const [rest] = layerwiseRemainder(topo, [piece], "rdma", 120e6, 61); // 120 ms prefill ≫ 61 ms transfer
    expect(rest!.bytes).toBeCloseTo(MB, 0);
  });

  it("a network slower than the prefill leaves the tail of the whole transfer", () => {
    const [rest] = layerwiseRemainder(topo, [piece], "rdma", 20e6, 61); // 20 ms of the 61 ms streamed
    expect(rest!.bytes).toBeCloseTo(41 * MB, 0);
  });

  it("pieces converging on one decode die share its port: three sources, 61 ms of bytes at 25 GB/s, 30 ms of prefill leave 31 ms", () => {
    const third = (src: number): Piece => ({ src, dst: 3, bytes: (61 * MB) / 3 });
    const rest = layerwiseRemainder(topo, [third(0), third(1), third(2)], "rdma", 30e6, 61);
    expect(rest.reduce((a, p) => a + p.bytes, 0)).toBeCloseTo(31 * MB, 0);
    // and on the flow model what is left then takes 31 ms (+ two hops) into the shared port
    const [end] = arrivals(flow, [rest]);
    expect(end).toBeCloseTo(2 * HOP_NS + 31e6, 0);
  });

  it("keeps the piece's endpoints and overhead", () => {
    const [rest] = layerwiseRemainder(topo, [{ ...piece, overheadNs: 7 }], "rdma", 1e6, 61);
    expect(rest).toMatchObject({ src: 0, dst: 1, overheadNs: 7 });
  });
});
