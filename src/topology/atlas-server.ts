import { z } from "zod";
import { chipField } from "../config/preset-fields.js";
import { bandwidth, duration } from "../config/quantity.js";
import { defineClusterType } from "./cluster-type.js";
import { unknownPlane } from "./planes.js";
import { Topology, TopologyBuilder } from "./topology.js";

/**
 * One Atlas 800T A2 / 800I A2 server: up to 8 × 910B on an HCCS full mesh (a direct link between
 * every pair of NPUs), each NPU on PCIe to the host. Ranks are the NPUs.
 */
export const atlasServerSchema = z.strictObject({
  type: z.literal("server"),
  /**
   * Chip preset of every NPU. Default 910B3 [I]: the 20-AIC, 64 GB part, matching the 313 TFLOPS FP16 SKU
   * (20 AIC, hardware.md §1 [V]); the server sheet does not name the SoC.
   */
  chip: chipField("910B3"),
  /** NPUs in the server, count (the 800T A2 has 8, hardware.md §1 [V]). */
  npus: z.number().int().min(1).max(8).default(8),
  /** Bandwidth of one HCCS link, per direction. [I] 392 GB/s per NPU over 7 links (hardware.md §1). */
  hccs_link_bandwidth: bandwidth().prefault("56GB/s"),
  /** Latency of one HCCS hop. Estimate, from memory of HCCS point-to-point figures (~1 µs), unverified. */
  hccs_latency: duration().prefault("1us"),
  /** NPU↔host bandwidth per direction. [I] PCIe 4.0 x16 = 16 GT/s × 16 × 128/130 / 8 ≈ 31.5 GB/s (hardware.md §1). */
  pcie_bandwidth: bandwidth().prefault("31.5GB/s"),
  /** NPU↔host latency. Estimate, from memory of PCIe round-trip figures (~1 µs one way), unverified. */
  pcie_latency: duration().prefault("1us"),
});

/** Parsed parameters of one Atlas A2 server. */
export type AtlasServerSpec = z.output<typeof atlasServerSchema>;

/** Node and link ids of one server added to a larger graph by {@link addAtlasServer}. */
export interface AtlasServerParts {
  /** Graph node id of each NPU, in NPU order. */
  readonly npus: readonly number[];
  /** Graph node id of the host (the Kunpeng CPUs as one node). */
  readonly host: number;
  /** meshLink[i * npus + j] = id of the HCCS link i→j (−1 on the diagonal). */
  readonly meshLink: Int32Array;
}

/**
 * Adds one server (HCCS full mesh npu_i→npu_j for every ordered pair, npu↔host PCIe) to `b`, its
 * node names prefixed by `prefix` (e.g. "s3/"), so RoCE clusters reuse the server as a building block.
 */
export function addAtlasServer(b: TopologyBuilder, spec: AtlasServerSpec, prefix = ""): AtlasServerParts {
  const n = spec.npus;
  const npus: number[] = [];
  for (let i = 0; i < n; i++) npus.push(b.node(`${prefix}npu${i}`, "npu"));
  const host = b.node(`${prefix}host`, "cpu");
  const meshLink = new Int32Array(n * n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) meshLink[i * n + j] = b.link(npus[i]!, npus[j]!, spec.hccs_link_bandwidth.value, spec.hccs_latency.value);
    }
  }
  for (let i = 0; i < n; i++) b.duplex(npus[i]!, host, spec.pcie_bandwidth.value, spec.pcie_latency.value);
  return { npus, host, meshLink };
}

/** Planes of one server: the HCCS mesh only. */
const SERVER_PLANES = ["default"] as const;

/**
 * Builds one server: the HCCS full mesh of {@link addAtlasServer}; every route is the direct link. An
 * unknown plane or a rank outside 0..npus−1 is an error (s·n + d of an out-of-range pair would index
 * another pair's route).
 */
export function buildAtlasServer(spec: AtlasServerSpec, name: string): Topology {
  const b = new TopologyBuilder();
  const n = spec.npus;
  const { npus, meshLink } = addAtlasServer(b, spec);
  const routes: number[][] = [];
  for (let k = 0; k < n * n; k++) routes.push(meshLink[k]! >= 0 ? [meshLink[k]!] : []);
  const route = (src: number, dst: number, _flowId: number, plane: string): readonly number[] => {
    if (plane !== "default") unknownPlane(plane, SERVER_PLANES);
    if (!(Number.isInteger(src) && Number.isInteger(dst) && src >= 0 && src < n && dst >= 0 && dst < n)) throw new RangeError(`rank ${src} or ${dst} outside 0..${n - 1}`);
    return routes[src * n + dst]!;
  };
  return new Topology(name, b.nodes, b.links, npus, route, SERVER_PLANES);
}

/** Cluster type `server`. */
export const atlasServerType = defineClusterType({
  type: "server",
  description: "one Atlas 800T/800I A2 server: 8 × 910B on an HCCS full mesh",
  schema: atlasServerSchema,
  build: buildAtlasServer,
});
