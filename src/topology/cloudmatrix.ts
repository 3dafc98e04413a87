import { z } from "zod";
import { chipField } from "../config/preset-fields.js";
import { bandwidth, duration } from "../config/quantity.js";
import { defineClusterType } from "./cluster-type.js";
import { addLeafSpine, leafSpineSizeProblem, type LeafSpineSize } from "./leaf-spine.js";
import { unknownPlane } from "./planes.js";
import { SupernodeTopology } from "./supernode-topology.js";
import { TopologyBuilder } from "./topology.js";

/**
 * A CloudMatrix-style Ascend 910C supernode (Atlas 900 A3 SuperPoD; CM384 = 48 nodes × 8 NPUs,
 * hardware.md §3). Each NPU is 2 dies joined by the on-package SIO link; every die and every Kunpeng
 * CPU sits on the Unified Bus (UB); a separate RoCE network (the RDMA plane) joins the dies only.
 *
 * UB graph, and why it is aggregated. Physically each die has 7 UB links of 196/7 = 28 GB/s, one to
 * each of its node's 7 L1 switch chips (one chip per plane); the L1 chip of plane p has one 28 GB/s
 * uplink to each of the 16 L2 chips of plane p (16 die ports in, 16 ports up: 1:1 [V]), and each L2
 * chip has one port per node. A single die-to-die transfer is measured at 150–210 GB/s [S], i.e. it
 * uses all 7 planes at once and, within a plane, more than one 28 GB/s L2 path — UB spreads a transfer
 * over every plane and L2 chip. A route, however, is one list of links each carrying the flow's whole
 * rate, so per-plane links would cap a flow at 28 GB/s (wrong by 7×), and hashing each flow onto one
 * L2 chip would invent ECMP collisions the vendor's "1:1 non-blocking" [V] and CM384's "< 3 % inter-node
 * bandwidth drop" [S] rule out. We therefore model perfect spraying as aggregated links:
 *   - die → `n<k>/ub-l1` (the node's 7 L1 chips as one switch): 196 GB/s, so a die can never send more
 *     than 196 GB/s in total, and likewise receive (ub-l1 → die);
 *   - `n<k>/ub-l1` → `ub-l2` (the 7 × 16 L2 chips as one non-blocking stage): the node's whole uplink
 *     capacity (16 dies × 196 + 4 CPUs × 160 GB/s at 1:1), never the bottleneck unless oversubscribed.
 * Routes are 1 link (SIO, same NPU), 2 links (same node) or 4 links (across nodes), which keeps a
 * max-min flow solver with ~65k flows cheap.
 *
 * Latency of a UB route = 2 × `ub_port_latency` (sending and receiving UB port) + `ub_hop_latency` per
 * switch chip crossed (1 in a node, 3 across nodes) + `ub_optical_latency` per L1↔L2 optical cable (2).
 * Each switch traversal is charged on the link entering the switch.
 *
 * Ranks are dies (see SupernodeTopology for numbering and the CPU endpoints that follow them).
 * Planes: `ub` (default) and `rdma` (dies only; NIC → leaf (→ spine → leaf) → NIC, never a UB link).
 */
export const supernodeSchema = z.strictObject({
  type: z.literal("supernode"),
  /** Chip preset of every NPU. */
  chip: chipField("910C"),
  /** Compute nodes. [V] CM384 has 48; the L2 tier of one SuperPoD serves at most 48 (hardware.md §3). */
  nodes: z.number().int().min(1).max(48).default(48),
  /** NPU packages per node. [V] 8 (hardware.md §3). */
  npus_per_node: z.number().int().min(1).max(8).default(8),
  /** Kunpeng 920 CPUs per node. [V] 192 CPUs / 48 nodes = 4 (hardware.md §3). */
  cpus_per_node: z.number().int().min(0).max(4).default(4),
  /**
   * SIO die↔die bandwidth per direction. [S] measured die↔die ~210 GB/s (hardware.md §2). The "~540 GB/s
   * aggregate" [S] is not used: how it splits over directions and lanes is not stated, and no single
   * die pair has been measured above ~210 GB/s.
   */
  sio_bandwidth: bandwidth().prefault("210GB/s"),
  /**
   * SIO die↔die latency, one way. [S] measured ~0.2 µs (hardware.md §2), read as the round trip of a
   * small remote read like the other UB latencies of hardware.md §3 (see `ub_port_latency`).
   */
  sio_latency: duration().prefault("100ns"),
  /** UB bandwidth of one die per direction, all 7 links together. [S] 196 GB/s unidirectional per die (hardware.md §2). */
  ub_die_bandwidth: bandwidth().prefault("196GB/s"),
  /** One UB switch chip traversal. [V] 200 ns per UB hop (hardware.md §3). */
  ub_hop_latency: duration().prefault("200ns"),
  /**
   * One UB endpoint port (UB controller, SerDes, FEC) of a die or CPU, charged once at the sender and
   * once at the receiver. No published figure: chosen so the one-switch route inside a node gives the
   * measured 0.7 µs [S] (hardware.md §3) as a round trip: 2 × (2 × 75 + 200 ns); shared unchanged by every
   * UB route. The [S] latencies (0.2 / 0.7 / 2.1 µs) are read as round trips of a small remote read (UB
   * is a load/store fabric; a read's latency is a round trip): then the 200 ns switch hop [V] and the
   * optical-cable estimate below give the cross-node 2.1 µs with nothing fitted (2 × (2 × 75 + 3 × 200 +
   * 2 × 150 ns)), the one-way cross-node increase is 0.7 µs (CM384: "< 1 µs"), and the 512-byte read of
   * 1.2 µs [S] is longer than the 0.7 µs round trip it contains. Read as one-way figures, the cross-node
   * point would need ~500 ns per cable and contradict the other two statements.
   */
  ub_port_latency: duration().prefault("75ns"),
  /**
   * Propagation of one L1↔L2 optical cable, modules included. Estimate, from memory of SuperPoD layouts
   * (bus racks beside 12 compute racks, runs ≲ 20 m at 5 ns/m, plus two optical modules ~25 ns each),
   * unverified.
   */
  ub_optical_latency: duration().prefault("150ns"),
  /** Kunpeng CPU ↔ UB bandwidth per direction. [S] ≈ 160 GB/s per CPU (hardware.md §3). */
  cpu_ub_bandwidth: bandwidth().prefault("160GB/s"),
  /** L1 downlink : uplink capacity, dimensionless. [V] 1:1, no oversubscription (hardware.md §3). */
  ub_oversubscription: z.number().positive().default(1),
  /** RoCE port per die, per direction. [S] 200 Gb/s per die, 400 Gb/s per NPU (hardware.md §2). */
  rdma_bandwidth: bandwidth().prefault("200Gb/s"),
  /** One-way RoCE NIC processing per side. Estimate, as `roce.nic_latency`: from memory, unverified. */
  rdma_nic_latency: duration().prefault("1us"),
  /** One RDMA-plane switch traversal. Estimate, as `roce.switch_latency`: from memory, unverified. */
  rdma_switch_latency: duration().prefault("0.6us"),
  /** Die ports per RDMA leaf. Illustrative: a 64 × 200GE leaf (switch sizes are not published). */
  rdma_ports_per_leaf: z.number().int().min(1).default(64),
  /** Speed of one RDMA leaf↔spine port. Illustrative: 400GE (assumption, as `roce.leaf_spine_bandwidth`; not published). */
  rdma_uplink_bandwidth: bandwidth().prefault("400Gb/s"),
  /** RDMA leaf downlink : uplink capacity, dimensionless (1 = non-blocking). Default 1: assumption, the RDMA plane's ratio is not published. */
  rdma_oversubscription: z.number().positive().default(1),
}).superRefine((spec, ctx) => {
  // the RDMA fields can ask for billions of spines (e.g. rdma_oversubscription 1e-9): refuse before building
  const problem = leafSpineSizeProblem(rdmaFabricSize(spec), { portsPerLeaf: "rdma_ports_per_leaf", uplinkBandwidth: "rdma_uplink_bandwidth", oversubscription: "rdma_oversubscription" });
  if (problem !== undefined) ctx.addIssue({ code: "custom", path: [], message: problem });
});

/** The RDMA plane's leaf/spine dimensions: one port per die, dies filling leaves in rank order. */
function rdmaFabricSize(spec: Pick<z.output<typeof supernodeSchema>, "nodes" | "npus_per_node" | "rdma_ports_per_leaf" | "rdma_bandwidth" | "rdma_uplink_bandwidth" | "rdma_oversubscription">): LeafSpineSize {
  const ranks = spec.nodes * spec.npus_per_node * DIES_PER_910C;
  return {
    leaves: Math.ceil(ranks / spec.rdma_ports_per_leaf),
    portsPerLeaf: spec.rdma_ports_per_leaf,
    portBandwidth: spec.rdma_bandwidth.value,
    uplinkBandwidth: spec.rdma_uplink_bandwidth.value,
    oversubscription: spec.rdma_oversubscription,
  };
}

/** Parsed parameters of a supernode. */
export type SupernodeSpec = z.output<typeof supernodeSchema>;

/** Planes of a supernode (the first, `ub`, is the default). */
export const SUPERNODE_PLANES = ["ub", "rdma"] as const;

/** Dies per 910C package. [V] 2 dies ("logic chips") per package (hardware.md §2). */
export const DIES_PER_910C = 2;

/** Builds the UB fabric, the CPUs and the RDMA plane described at the top of this file. */
export function buildSupernode(spec: SupernodeSpec, name: string): SupernodeTopology {
  const b = new TopologyBuilder();
  const N = spec.nodes;
  const D = DIES_PER_910C;
  const diesPerNode = spec.npus_per_node * D;
  const ranks = N * diesPerNode;
  const cpus = N * spec.cpus_per_node;
  const endpoints = ranks + cpus;
  const hop = spec.ub_hop_latency.value;
  const port = spec.ub_port_latency.value;

  const rankNodes: number[] = [];
  const cpuNodes: number[] = [];
  const l1: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < spec.npus_per_node; j++) {
      for (let d = 0; d < D; d++) rankNodes.push(b.node(`n${n}/npu${j}/die${d}`, "die"));
    }
    for (let c = 0; c < spec.cpus_per_node; c++) cpuNodes.push(b.node(`n${n}/cpu${c}`, "cpu"));
    l1.push(b.node(`n${n}/ub-l1`, "switch"));
  }

  // SIO: sio[rank] = link from the die to its sibling die on the same package
  const sio = new Int32Array(ranks);
  for (let r = 0; r < ranks; r += D) {
    for (let d = 0; d < D; d++) {
      for (let e = 0; e < D; e++) {
        // with 2 dies each die has exactly one sibling
        if (d !== e) sio[r + d] = b.link(rankNodes[r + d]!, rankNodes[r + e]!, spec.sio_bandwidth.value, spec.sio_latency.value);
      }
    }
  }

  // UB endpoint ports, indexed by endpoint id (dies, then CPUs)
  const up = new Int32Array(endpoints);
  const down = new Int32Array(endpoints);
  const nodeOf = new Int32Array(endpoints);
  for (let e = 0; e < endpoints; e++) {
    const isCpu = e >= ranks;
    const n = isCpu ? Math.floor((e - ranks) / spec.cpus_per_node) : Math.floor(e / diesPerNode);
    const node = isCpu ? cpuNodes[e - ranks]! : rankNodes[e]!;
    const bw = isCpu ? spec.cpu_ub_bandwidth.value : spec.ub_die_bandwidth.value;
    nodeOf[e] = n;
    up[e] = b.link(node, l1[n]!, bw, port + hop);
    down[e] = b.link(l1[n]!, node, bw, port);
  }

  // L1 ↔ L2: one aggregated link per node and direction carrying the node's whole uplink capacity
  const l1Up = new Int32Array(N);
  const l2Down = new Int32Array(N);
  if (N > 1) {
    const l2 = b.node("ub-l2", "switch");
    const capacity =
      (diesPerNode * spec.ub_die_bandwidth.value + spec.cpus_per_node * spec.cpu_ub_bandwidth.value) / spec.ub_oversubscription;
    const optical = spec.ub_optical_latency.value;
    for (let n = 0; n < N; n++) {
      l1Up[n] = b.link(l1[n]!, l2, capacity, optical + hop);
      l2Down[n] = b.link(l2, l1[n]!, capacity, optical + hop);
    }
  }

  // RDMA plane: one NIC port per die on a leaf/spine, dies filling leaves in rank order
  const nicUp = new Int32Array(ranks);
  const nicDown = new Int32Array(ranks);
  const nics: number[] = [];
  const leafOfPort: number[] = [];
  for (let r = 0; r < ranks; r++) {
    const nic = b.node(`${b.nodes[rankNodes[r]!]!.name}/rdma-nic`, "nic");
    nics.push(nic);
    leafOfPort.push(Math.floor(r / spec.rdma_ports_per_leaf));
    nicUp[r] = b.link(rankNodes[r]!, nic, spec.rdma_bandwidth.value, spec.rdma_nic_latency.value);
    nicDown[r] = b.link(nic, rankNodes[r]!, spec.rdma_bandwidth.value, spec.rdma_nic_latency.value);
  }
  const rdma = addLeafSpine(b, {
    prefix: "rdma/",
    ports: nics,
    leafOfPort,
    ...rdmaFabricSize(spec),
    switchLatencyNs: spec.rdma_switch_latency.value,
  });

  const route = (src: number, dst: number, flowId: number, plane: string): readonly number[] => {
    if (!(src >= 0 && src < endpoints && dst >= 0 && dst < endpoints)) {
      throw new RangeError(`endpoint ${src} or ${dst} outside 0..${endpoints - 1} (${ranks} dies, then ${cpus} CPUs)`);
    }
    if (plane === "ub") {
      if (src < ranks && dst < ranks && Math.floor(src / D) === Math.floor(dst / D)) return [sio[src]!];
      const ns = nodeOf[src]!;
      const nd = nodeOf[dst]!;
      if (ns === nd) return [up[src]!, down[dst]!];
      return [up[src]!, l1Up[ns]!, l2Down[nd]!, down[dst]!];
    }
    if (plane === "rdma") {
      if (src >= ranks || dst >= ranks) {
        throw new Error(`CPU endpoint ${src >= ranks ? src : dst} is not on the rdma plane (it joins NPU dies only; use plane "ub")`);
      }
      const out = [nicUp[src]!];
      rdma.appendRoute(out, src, dst, flowId);
      out.push(nicDown[dst]!);
      return out;
    }
    return unknownPlane(plane, SUPERNODE_PLANES);
  };

  return new SupernodeTopology(
    name,
    b.nodes,
    b.links,
    rankNodes,
    route,
    SUPERNODE_PLANES,
    { nodes: N, npusPerNode: spec.npus_per_node, diesPerNpu: D, cpusPerNode: spec.cpus_per_node },
    cpuNodes,
  );
}

/** Cluster type `supernode`. */
export const supernodeType = defineClusterType({
  type: "supernode",
  description: "CloudMatrix-style 910C supernode: dies on a 2-tier UB fabric (196 GB/s per die), Kunpeng CPUs on UB, RDMA plane",
  schema: supernodeSchema,
  build: buildSupernode,
});
