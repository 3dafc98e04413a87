import { describe, expect, it } from "vitest";
import { buildSupernode, supernodeSchema } from "../../src/topology/cloudmatrix.js";
import { CLUSTER_PRESETS } from "../../src/topology/registry.js";
import type { Topology } from "../../src/topology/topology.js";

/**
 * The measured UB points of hardware.md §3 [S] against the cloudmatrix384 topology. A point-to-point
 * transfer is priced as route latency + bytes / bottleneck bandwidth; a "latency" is that of a
 * vanishing message, a "bandwidth" is bytes / time at MESSAGE_BYTES.
 */

/**
 * Message size at which the bandwidths are taken: 1 MiB. Assumption — the sources give no size; from
 * memory of CM384-style point-to-point sweeps (bandwidth quoted near the knee, ~1 MiB), unverified.
 * At 64 MiB the model would give ~195 GB/s for both UB points (size/latency no longer matters).
 */
const MESSAGE_BYTES = 1 << 20;
const TOLERANCE = 0.1;

const preset = CLUSTER_PRESETS.cloudmatrix384!;
const cm384 = buildSupernode(supernodeSchema.parse({ type: preset.type, ...preset.params }), "cloudmatrix384");

/** Simulated one-way latency of a vanishing message, ns. */
const latencyNs = (t: Topology, src: number, dst: number) => t.routeLatencyNs(t.route(src, dst));
/**
 * Simulated round trip of a small remote read (request there, data back), ns: how the [S] latencies are
 * read (src/topology/cloudmatrix.ts, `ub_port_latency`).
 */
const roundTripNs = (t: Topology, src: number, dst: number) => latencyNs(t, src, dst) + latencyNs(t, dst, src);
/** Simulated bandwidth of one MESSAGE_BYTES transfer, bytes/s. */
const bandwidthAt = (t: Topology, src: number, dst: number, bytes = MESSAGE_BYTES) => {
  const r = t.route(src, dst);
  return bytes / ((t.routeLatencyNs(r) + (bytes / t.routeBandwidth(r)) * 1e9) * 1e-9);
};
const within = (simulated: number, measured: number) => expect(Math.abs(simulated / measured - 1)).toBeLessThanOrEqual(TOLERANCE);

// rank 0 = n0/npu0/die0; 1 = its sibling die; 2 = n0/npu1/die0; 16 = n1/npu0/die0
const SAME_NPU = [0, 1] as const;
const SAME_NODE = [0, 2] as const;
const CROSS_NODE = [0, 16] as const;

describe("UB measured points (cloudmatrix384)", () => {
  it("hardware.md §2/§3 [S]: die↔die same-NPU latency 0.2 µs, as a round trip (±10 %)", () => {
    within(roundTripNs(cm384, ...SAME_NPU), 200);
  });

  it("hardware.md §2/§3 [S]: die↔die same-NPU bandwidth 210 GB/s at 1 MiB, an assumed size (±10 %)", () => {
    within(bandwidthAt(cm384, ...SAME_NPU), 210e9);
  });

  it("hardware.md §3 [S]: cross-NPU intra-node UB latency 0.7 µs, as a round trip (±10 %)", () => {
    within(roundTripNs(cm384, ...SAME_NODE), 700);
  });

  it("hardware.md §3 [S]: cross-NPU intra-node UB bandwidth 170 GB/s at 1 MiB, an assumed size (±10 %)", () => {
    within(bandwidthAt(cm384, ...SAME_NODE), 170e9);
  });

  // With nothing fitted to it: 2 × 75 ns ports + 3 × 200 ns switch hops [V] + 2 × 150 ns optical cables
  // (an independent estimate: ≲ 20 m of fibre and two optical modules) = 1.05 µs one way, 2.1 µs there and back. Read as a
  // one-way figure instead (as this model did before), the point needed ~500 ns per cable and
  // contradicted CM384's "< 1 µs increase" and the 1.2 µs 512-byte read below.
  it("hardware.md §3 [S]: cross-node UB latency 2.1 µs, as a round trip (±10 %)", () => {
    within(roundTripNs(cm384, ...CROSS_NODE), 2100);
  });

  it("hardware.md §3 [S]: the one-way cross-node latency exceeds the intra-node one by less than 1 µs (CM384)", () => {
    const increase = latencyNs(cm384, ...CROSS_NODE) - latencyNs(cm384, ...SAME_NODE);
    expect(increase).toBeGreaterThan(0);
    expect(increase).toBeLessThan(1000);
  });

  // CM384 states the UB bandwidth drop from intra- to inter-node as < 3 %: a statement about the fabric's
  // sustained rate, so taken at a size where the route latency no longer matters (64 MiB). At the 1 MiB of
  // the [S] points above the latency difference alone makes it ~11 % (the two sources disagree there).
  it("hardware.md §3 (CM384): inter-node UB bandwidth within 3 % of intra-node at 64 MiB", () => {
    const big = 64 * 2 ** 20;
    const drop = 1 - bandwidthAt(cm384, ...CROSS_NODE, big) / bandwidthAt(cm384, ...SAME_NODE, big);
    expect(drop).toBeGreaterThanOrEqual(0);
    expect(drop).toBeLessThan(0.03);
  });

  it("hardware.md §3 [S]: a 512-byte NPU↔NPU read of 1.2 µs contains at least the intra-node round trip", () => {
    expect(roundTripNs(cm384, ...SAME_NODE)).toBeLessThan(1200);
  });

  it("hardware.md §3 [S]: cross-node UB bandwidth 150 GB/s at 1 MiB, an assumed size (±10 %)", () => {
    within(bandwidthAt(cm384, ...CROSS_NODE), 150e9);
  });
});
