// Serving transfers (KV hand-offs, pool loads) go over the configured network model. Specification:
// on an idle route a piece takes route latency + its bytes (plus its per-block NIC overhead) over the
// bottleneck bandwidth with either model; concurrent hand-offs into one decode die share its port on the
// flow model and ignore each other on the analytical one; a layer-wise hand-off leaves only the last
// layer's share after the prefill when the network keeps up, and the tail of the transfer when not; a
// chunked prompt's earlier chunks stream from their own steps on.
import { starTopology } from "../../helpers/star-topology.js";
import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/engine/index.js";
import { AnalyticalNetwork } from "../../../src/network/analytical.js";
import { FlowNetwork } from "../../../src/network/flow.js";
import type { NetworkModel } from "../../../src/network/network-model.js";
import type { Topology } from "../../../src/topology/topology.js";
import { layerwiseStreamed, piecesLeft, sendPieces, type LayerwiseStep, type Piece } from "../../../src/workload/serving/kv-network.js";

/** What is left to send at `nowNs` (what the simulator sends then): the pieces less the share streamed. */
function layerwiseRemainder(alone: Parameters<typeof layerwiseStreamed>[0], pieces: readonly Piece[], plane: string, nowNs: number, layers: number, steps: readonly LayerwiseStep[]): Piece[] {
  return piecesLeft(pieces, layerwiseStreamed(alone, pieces, plane, nowNs, layers, steps).sent);
}

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
  /** An unchunked prefill whose first layer was computed `elapsedNs` before it ended (now = elapsedNs). */
  const oneStep = (elapsedNs: number): LayerwiseStep[] => [{ firstLayerNs: 0, lastLayerNs: elapsedNs, before: 0, after: 1 }];

  it("a network faster than the prefill leaves the last layer's share", () => {
    const [rest] = layerwiseRemainder(topo, [piece], "rdma", 120e6, 61, oneStep(120e6)); // 120 ms prefill ≫ 61 ms transfer
    expect(rest!.bytes).toBeCloseTo(MB, 0);
  });

  it("a network slower than the prefill leaves the tail of the whole transfer", () => {
    const [rest] = layerwiseRemainder(topo, [piece], "rdma", 20e6, 61, oneStep(20e6)); // 20 ms of the 61 ms streamed
    expect(rest!.bytes).toBeCloseTo(41 * MB, 0);
  });

  it("pieces converging on one decode die share its port: three sources, 61 ms of bytes at 25 GB/s, 30 ms of prefill leave 31 ms", () => {
    const third = (src: number): Piece => ({ src, dst: 3, bytes: (61 * MB) / 3 });
    const rest = layerwiseRemainder(topo, [third(0), third(1), third(2)], "rdma", 30e6, 61, oneStep(30e6));
    expect(rest.reduce((a, p) => a + p.bytes, 0)).toBeCloseTo(31 * MB, 0);
    // and on the flow model what is left then takes 31 ms (+ two hops) into the shared port
    const [end] = arrivals(flow, [rest]);
    expect(end).toBeCloseTo(2 * HOP_NS + 31e6, 0);
  });

  describe("a chunked prompt: two chunks of half the KV each, 10 layers, steps 0 → 10 ms and 10 → 20 ms", () => {
    // each step computes a layer per 1 ms: chunk 1's layers exist at 1…10 ms, chunk 2's at 11…20 ms
    const twoChunks = (firstEndNs: number, secondEndNs: number): LayerwiseStep[] => [
      { firstLayerNs: firstEndNs / 10, lastLayerNs: firstEndNs, before: 0, after: 0.5 },
      { firstLayerNs: firstEndNs + (secondEndNs - firstEndNs) / 10, lastLayerNs: secondEndNs, before: 0.5, after: 1 },
    ];
    it("a network that keeps up leaves the last chunk's last layer: 5 % of the KV (not the 10 % of a 20 ms prefill)", () => {
      // 4 ms alone (0.4 ms per layer): every layer has left before the next one is computed
      const [rest] = layerwiseRemainder(topo, [{ src: 0, dst: 1, bytes: 4 * MB }], "rdma", 20e6, 10, twoChunks(10e6, 20e6));
      expect(rest!.bytes).toBeCloseTo(0.05 * 4 * MB, 0);
    });

    it("a slow network leaves the tail of the whole transfer since chunk 1's first layer (1 ms), not since chunk 2's (11 ms)", () => {
      // 40 ms alone: busy from 1 ms on, 19 ms of it sent by 20 ms → 21 ms left (since 11 ms it would be 31 ms)
      const [rest] = layerwiseRemainder(topo, [{ src: 0, dst: 1, bytes: 40 * MB }], "rdma", 20e6, 10, twoChunks(10e6, 20e6));
      expect(rest!.bytes).toBeCloseTo(21 * MB, 0);
    });

    it("a network that keeps up with a slow chunk but not with a fast one catches up just before the slow chunk's last layer", () => {
      // chunk 1 over 0 → 100 ms (a layer per 10 ms), chunk 2 over 100 → 102 ms; 40 ms alone (2 ms per 5 %
      // layer). By 100 ms chunk 1's first 9 layers (45 %, 18 ms) have left; from then on the sender is behind:
      // 2 ms more by 102 ms → 20 ms sent, 20 ms left (counted from chunk 2's first layer: chunk 1's 20 ms + 1.8 ms = 21.8 ms)
      const [rest] = layerwiseRemainder(topo, [{ src: 0, dst: 1, bytes: 40 * MB }], "rdma", 102e6, 10, twoChunks(100e6, 102e6));
      expect(rest!.bytes).toBeCloseTo(20 * MB, 0);
    });
  });

  describe("a cached prefix: half the KV found in the prefix cache, the other half computed in one step 0 → 10 ms of 10 layers", () => {
    // the cached half exists whole from the step's start (0 ms), the computed half's layers at 1…10 ms
    const cachedHalf: LayerwiseStep[] = [
      { firstLayerNs: 0, lastLayerNs: 0, before: 0, after: 0.5 },
      { firstLayerNs: 1e6, lastLayerNs: 10e6, before: 0.5, after: 1 },
    ];
    /** The same request priced as if the cached half were computed layer by layer over the step (the former pricing). */
    const cachedAsComputed: LayerwiseStep[] = [{ firstLayerNs: 1e6, lastLayerNs: 10e6, before: 0, after: 1 }];

    it("a network that keeps up leaves the computed half's last layer, 5 % of the KV (10 % were the cached half computed)", () => {
      // 4 ms alone: the cached half (2 ms) leaves by 2 ms, each computed layer (0.2 ms) before the next one
      const piece: Piece = { src: 0, dst: 1, bytes: 4 * MB };
      const [rest] = layerwiseRemainder(topo, [piece], "rdma", 10e6, 10, cachedHalf);
      expect(rest!.bytes).toBeCloseTo(0.05 * 4 * MB, 0);
      const [former] = layerwiseRemainder(topo, [piece], "rdma", 10e6, 10, cachedAsComputed);
      expect(former!.bytes).toBeCloseTo(0.1 * 4 * MB, 0);
    });

    it("a slow network has been busy since the step's start, not since its first layer: 30 ms of 40 ms left (31 ms from the first layer)", () => {
      // 40 ms alone: the cached 20 ms are on the wire from 0 ms; by 10 ms 10 ms of them have left
      const piece: Piece = { src: 0, dst: 1, bytes: 40 * MB };
      const [rest] = layerwiseRemainder(topo, [piece], "rdma", 10e6, 10, cachedHalf);
      expect(rest!.bytes).toBeCloseTo(30 * MB, 0);
      const [former] = layerwiseRemainder(topo, [piece], "rdma", 10e6, 10, cachedAsComputed);
      expect(former!.bytes).toBeCloseTo(31 * MB, 0);
    });

    it("never leaves more than the former pricing, whatever the network's speed", () => {
      for (const ms of [0.5, 1, 2, 5, 9, 10, 11, 20, 50, 100, 1000]) {
        const piece: Piece = { src: 0, dst: 1, bytes: ms * MB };
        const [rest] = layerwiseRemainder(topo, [piece], "rdma", 10e6, 10, cachedHalf);
        const [former] = layerwiseRemainder(topo, [piece], "rdma", 10e6, 10, cachedAsComputed);
        expect(rest!.bytes).toBeLessThanOrEqual(former!.bytes + 1e-6);
      }
    });
  });

  it("keeps the piece's endpoints and overhead", () => {
    const [rest] = layerwiseRemainder(topo, [{ ...piece, overheadNs: 7 }], "rdma", 1e6, 61, oneStep(1e6));
    expect(rest).toMatchObject({ src: 0, dst: 1, overheadNs: 7 });
  });
});
