import { z } from "zod";
import { bandwidth, duration } from "../config/quantity.js";
import { addAtlasServer, atlasServerSchema, type AtlasServerSpec } from "./atlas-server.js";
import { defineClusterType } from "./cluster-type.js";
import { addLeafSpine, leafSpineSizeProblem, type LeafSpineSize } from "./leaf-spine.js";
import { unknownPlane } from "./planes.js";
import { Topology, TopologyBuilder } from "./topology.js";

// the server fields (and their sourced defaults) are the `server` type's own, not copies
const server = atlasServerSchema.shape;

/**
 * N Atlas 800T/800I A2 servers (each the 8 × 910B HCCS full mesh of `server`) joined by a two-tier
 * RoCE leaf/spine Clos: one 200GE port per NPU (hardware.md §1 [V]), leaves sized by `npus_per_leaf`,
 * uplinks by the oversubscription ratio, spines chosen per flow by ECMP.
 *
 * Ranks are NPUs in server-major order: rank = server × npus_per_server + npu.
 * Planes: `default` — HCCS when both NPUs are in one server, else NIC → leaf (→ spine → leaf) → NIC;
 * `rdma` — always through the NICs (what an RDMA transfer between two NPUs of one server would take).
 */

/** Parameters of a RoCE cluster of Atlas A2 servers. */
export const roceClusterSchema = z.strictObject({
  type: z.literal("roce"),
  /**
   * Number of servers. At most 16,384 (131,072 NPUs at 8 per server): beyond the "tens of thousands of
   * NPUs" of P/D-Serve (targets.md T4), and a bound that keeps the topology's arrays allocatable.
   * Default 4 servers: assumption, a small example cluster (as the `roce-4x800t-a2` preset).
   */
  servers: z.number().int().min(1).max(16_384).default(4),
  /** Chip preset of every NPU. */
  chip: server.chip,
  /** NPUs per server, count (the 800T A2 has 8, hardware.md §1 [V]). */
  npus_per_server: server.npus,
  hccs_link_bandwidth: server.hccs_link_bandwidth,
  hccs_latency: server.hccs_latency,
  pcie_bandwidth: server.pcie_bandwidth,
  pcie_latency: server.pcie_latency,
  /** RoCE port speed per NPU, per direction. [V] one 200GE RoCE port per NPU (hardware.md §1). */
  nic_bandwidth: bandwidth().prefault("200Gb/s"),
  /**
   * One-way NIC processing (send or receive side). Estimate, from memory of RoCE v2 small-message
   * one-way latencies (~2–3 µs through one switch), unverified.
   */
  nic_latency: duration().prefault("1us"),
  /** Downlink ports per leaf switch (NPUs per leaf). Illustrative: a 64 × 200GE + 32 × 400GE (25.6 Tb/s) leaf. */
  npus_per_leaf: z.number().int().min(1).default(64),
  /** Speed of one leaf↔spine port, per direction. Illustrative: 400GE (assumption: the usual uplink speed beside 200GE downlinks; not published). */
  leaf_spine_bandwidth: bandwidth().prefault("400Gb/s"),
  /**
   * Leaf downlink capacity : uplink capacity, dimensionless (1 = non-blocking, 2 = 2:1 oversubscribed). Whole
   * uplink ports of `leaf_spine_bandwidth`, run slower when whole ports would overshoot the ratio (see
   * leaf-spine.ts). Default 1: assumption (a non-blocking training Clos; the real ratio is not published).
   */
  oversubscription: z.number().positive().default(1),
  /**
   * One Ethernet switch traversal, port to port, cable included. Estimate, from memory of data-centre
   * switch datasheets (cut-through ~0.5–1 µs), unverified.
   */
  switch_latency: duration().prefault("0.6us"),
  /** Put NPU i of every server on rail leaf i (leaf = group × npus_per_server + i, group = server ÷ npus_per_leaf). */
  rail_optimized: z.boolean().default(false),
}).superRefine((spec, ctx) => {
  // the fields above can ask for billions of spines (e.g. oversubscription 1e-9): refuse before building
  const problem = leafSpineSizeProblem(roceFabricSize(spec), { portsPerLeaf: "npus_per_leaf", uplinkBandwidth: "leaf_spine_bandwidth", oversubscription: "oversubscription" });
  if (problem !== undefined) ctx.addIssue({ code: "custom", path: [], message: problem });
});

/** Parsed parameters of a RoCE cluster. */
export type RoceClusterSpec = z.output<typeof roceClusterSchema>;

/** Planes of a RoCE cluster (the first is the default). */
export const ROCE_PLANES = ["default", "rdma"] as const;

/** The leaf/spine dimensions of the cluster: leaves (see `rail_optimized`), ports, speeds, ratio. */
function roceFabricSize(spec: Pick<RoceClusterSpec, "servers" | "npus_per_server" | "npus_per_leaf" | "rail_optimized" | "nic_bandwidth" | "leaf_spine_bandwidth" | "oversubscription">): LeafSpineSize {
  const n = spec.npus_per_server;
  return {
    leaves: spec.rail_optimized ? Math.ceil(spec.servers / spec.npus_per_leaf) * n : Math.ceil((spec.servers * n) / spec.npus_per_leaf),
    portsPerLeaf: spec.npus_per_leaf,
    portBandwidth: spec.nic_bandwidth.value,
    uplinkBandwidth: spec.leaf_spine_bandwidth.value,
    oversubscription: spec.oversubscription,
  };
}

/** Leaf index of NPU `npu` of server `server` (see `rail_optimized`). */
export function roceLeafOf(spec: RoceClusterSpec, server: number, npu: number): number {
  const n = spec.npus_per_server;
  if (spec.rail_optimized) return Math.floor(server / spec.npus_per_leaf) * n + npu;
  return Math.floor((server * n + npu) / spec.npus_per_leaf);
}

/** Builds servers, NICs, leaves and spines; routes as described at the top of this file. */
export function buildRoceCluster(spec: RoceClusterSpec, name: string): Topology {
  const b = new TopologyBuilder();
  const n = spec.npus_per_server;
  const serverSpec: AtlasServerSpec = {
    type: "server",
    chip: spec.chip,
    npus: n,
    hccs_link_bandwidth: spec.hccs_link_bandwidth,
    hccs_latency: spec.hccs_latency,
    pcie_bandwidth: spec.pcie_bandwidth,
    pcie_latency: spec.pcie_latency,
  };
  const rankNodes: number[] = [];
  const meshes: Int32Array[] = [];
  const nics: number[] = [];
  const leafOfPort: number[] = [];
  // NPU → NIC and back: the 910B's RoCE engine is on the package; the link carries the NIC's processing latency
  const npuToNic = new Int32Array(spec.servers * n);
  const nicToNpu = new Int32Array(spec.servers * n);
  for (let s = 0; s < spec.servers; s++) {
    const parts = addAtlasServer(b, serverSpec, `s${s}/`);
    meshes.push(parts.meshLink);
    for (let i = 0; i < n; i++) {
      const rank = s * n + i;
      const npu = parts.npus[i]!;
      const nic = b.node(`s${s}/nic${i}`, "nic");
      rankNodes.push(npu);
      nics.push(nic);
      leafOfPort.push(roceLeafOf(spec, s, i));
      npuToNic[rank] = b.link(npu, nic, spec.nic_bandwidth.value, spec.nic_latency.value);
      nicToNpu[rank] = b.link(nic, npu, spec.nic_bandwidth.value, spec.nic_latency.value);
    }
  }
  const fabric = addLeafSpine(b, {
    prefix: "",
    ports: nics,
    leafOfPort,
    ...roceFabricSize(spec),
    switchLatencyNs: spec.switch_latency.value,
  });
  const ranks = rankNodes.length;
  const route = (src: number, dst: number, flowId: number, plane: string): readonly number[] => {
    if (plane !== "default" && plane !== "rdma") unknownPlane(plane, ROCE_PLANES);
    if (!(src >= 0 && src < ranks && dst >= 0 && dst < ranks)) throw new RangeError(`rank ${src} or ${dst} outside 0..${ranks - 1}`);
    const ss = Math.floor(src / n);
    if (plane === "default" && ss === Math.floor(dst / n)) return [meshes[ss]![(src % n) * n + (dst % n)]!];
    const out = [npuToNic[src]!];
    fabric.appendRoute(out, src, dst, flowId);
    out.push(nicToNpu[dst]!);
    return out;
  };
  return new Topology(name, b.nodes, b.links, rankNodes, route, ROCE_PLANES);
}

/** Cluster type `roce`. */
export const roceClusterType = defineClusterType({
  type: "roce",
  description: "Atlas 800T/800I A2 servers (8 × 910B, HCCS mesh) on a 200GE RoCE leaf/spine Clos with ECMP",
  schema: roceClusterSchema,
  build: buildRoceCluster,
});
