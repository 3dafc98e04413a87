import { ecmpChoice } from "./ecmp-hash.js";
import type { TopologyBuilder } from "./topology.js";

/**
 * A two-tier leaf/spine Clos of Ethernet (RoCE) switches, added to a larger graph: endpoint ports
 * (NICs) hang off leaves, every leaf has one uplink port to every spine, and a flow between leaves
 * takes the spine picked by the ECMP hash of (src port, dst port, flowId). Used by the RoCE cluster and
 * by the RDMA plane of a supernode.
 *
 * Latency accounting: a switch traversal (port-to-port, cable included) is charged on the link that
 * enters the switch, so a route crossing k switches carries k switch latencies.
 */

/** What to build. */
export interface LeafSpineSpec {
  /** Prefix of switch names, e.g. "" or "rdma/". */
  readonly prefix: string;
  /** Graph node id of each endpoint port, in port order. */
  readonly ports: readonly number[];
  /** Leaf index of each port (same order as `ports`). */
  readonly leafOfPort: readonly number[];
  /** Number of leaves (≥ 1 + max leafOfPort). */
  readonly leaves: number;
  /** Downlink ports per leaf the switch is provisioned for (sizes the uplinks). */
  readonly portsPerLeaf: number;
  /** Endpoint↔leaf port speed per direction, bytes/s. */
  readonly portBandwidth: number;
  /** Speed of one leaf↔spine port per direction, bytes/s. */
  readonly uplinkBandwidth: number;
  /** Leaf downlink capacity : uplink capacity (1 = non-blocking). */
  readonly oversubscription: number;
  /** One switch traversal, ns. */
  readonly switchLatencyNs: number;
}

/** The dimensions that size a leaf/spine fabric. */
export type LeafSpineSize = Pick<LeafSpineSpec, "leaves" | "portsPerLeaf" | "portBandwidth" | "uplinkBandwidth" | "oversubscription">;

/**
 * A leaf's uplinks: enough ports of `uplinkBandwidth` to carry downlink capacity / oversubscription
 * (rounded up: a switch has whole ports), also the number of spines (one port from each leaf to each
 * spine); each runs at the port speed when whole ports give the asked ratio, else at downlink capacity /
 * oversubscription spread over the ports (4 × 25 GB/s at 4:1 on one 50 GB/s port would stay 2:1).
 * Bandwidth per direction, bytes/s.
 */
export function uplinksOf(d: LeafSpineSize): { readonly ports: number; readonly bandwidth: number } {
  const capacity = (d.portsPerLeaf * d.portBandwidth) / d.oversubscription;
  // the small epsilon keeps exact ratios (32 × 25 GB/s / 50 GB/s = 16) from rounding up on float noise
  const ports = Math.max(1, Math.ceil((d.portsPerLeaf * d.portBandwidth) / (d.oversubscription * d.uplinkBandwidth) - 1e-9));
  // same float slack: exact ratios keep the port speed bit for bit
  return { ports, bandwidth: ports * d.uplinkBandwidth <= capacity * (1 + 1e-9) ? d.uplinkBandwidth : capacity / ports };
}

/**
 * Most leaf↔spine port pairs (leaves × uplink ports per leaf) a fabric may have, count. Not a hardware
 * figure: a bound that keeps the topology's link arrays allocatable (two directed links per pair), far
 * above the fabrics the presets describe (roce-768x800t-a2: 96 leaves × 32 = 3,072) and the largest RoCE
 * cluster the schema allows at the default switch sizes (16,384 servers, 64 NPUs per leaf, 1:1:
 * 2,048 × 32 = 65,536).
 */
export const MAX_LEAF_SPINE_PAIRS = 1 << 20;

/**
 * Why a fabric of these dimensions cannot be built (more than MAX_LEAF_SPINE_PAIRS leaf↔spine port
 * pairs), naming the config fields in `fields`; undefined when it can. A single leaf needs no spine.
 */
export function leafSpineSizeProblem(
  d: LeafSpineSize,
  fields: { readonly portsPerLeaf: string; readonly uplinkBandwidth: string; readonly oversubscription: string },
): string | undefined {
  if (d.leaves <= 1) return undefined;
  const up = uplinksOf(d).ports;
  const pairs = d.leaves * up;
  if (pairs <= MAX_LEAF_SPINE_PAIRS) return undefined;
  const gb = (bw: number): string => `${+(bw / 1e9).toPrecision(4)} GB/s`;
  return (
    `expected a leaf/spine fabric of at most ${MAX_LEAF_SPINE_PAIRS} leaf↔spine links, got ${d.leaves} leaves × ${up} uplink ports per leaf ` +
    `(${fields.portsPerLeaf} ${d.portsPerLeaf} × ${gb(d.portBandwidth)} down ÷ ${fields.oversubscription} ${d.oversubscription} ÷ ` +
    `${fields.uplinkBandwidth} ${gb(d.uplinkBandwidth)} per uplink port) = ${pairs}: raise ${fields.oversubscription} or ` +
    `${fields.uplinkBandwidth}, or lower ${fields.portsPerLeaf}`
  );
}

/** Link ids of a built leaf/spine fabric and its router. */
export class LeafSpine {
  constructor(
    /** Spines built (0 when there is a single leaf: nothing to connect). */
    readonly spines: number,
    /** Leaf index of each port. */
    readonly leafOfPort: readonly number[],
    /** Link id port→leaf, by port. */
    readonly portUp: Int32Array,
    /** Link id leaf→port, by port. */
    readonly portDown: Int32Array,
    /** Link id leaf→spine at [leaf * spines + spine]. */
    readonly leafUp: Int32Array,
    /** Link id spine→leaf at [spine * leaves + leaf]. */
    readonly spineDown: Int32Array,
    /** Number of leaves. */
    readonly leaves: number,
  ) {}

  /** Appends the links port `src` → port `dst` (2 links on one leaf, 4 across leaves) to `out`. */
  appendRoute(out: number[], src: number, dst: number, flowId: number): void {
    const ls = this.leafOfPort[src]!;
    const ld = this.leafOfPort[dst]!;
    out.push(this.portUp[src]!);
    if (ls !== ld) {
      const s = ecmpChoice(src, dst, flowId, this.spines);
      out.push(this.leafUp[ls * this.spines + s]!, this.spineDown[s * this.leaves + ld]!);
    }
    out.push(this.portDown[dst]!);
  }
}

/** Adds leaves, spines and their links to `b` and returns the fabric. */
export function addLeafSpine(b: TopologyBuilder, spec: LeafSpineSpec): LeafSpine {
  const { ports, leaves } = spec;
  const uplinks = uplinksOf(spec);
  const spines = leaves > 1 ? uplinks.ports : 0;
  const uplinkBandwidth = uplinks.bandwidth;
  const leafNodes: number[] = [];
  for (let l = 0; l < leaves; l++) leafNodes.push(b.node(`${spec.prefix}leaf${l}`, "switch"));
  const spineNodes: number[] = [];
  for (let s = 0; s < spines; s++) spineNodes.push(b.node(`${spec.prefix}spine${s}`, "switch"));
  const portUp = new Int32Array(ports.length);
  const portDown = new Int32Array(ports.length);
  for (let p = 0; p < ports.length; p++) {
    const leaf = leafNodes[spec.leafOfPort[p]!];
    if (leaf === undefined) throw new Error(`leaf/spine: port ${p} on leaf ${spec.leafOfPort[p]} of ${leaves}`);
    portUp[p] = b.link(ports[p]!, leaf, spec.portBandwidth, spec.switchLatencyNs);
    portDown[p] = b.link(leaf, ports[p]!, spec.portBandwidth, 0);
  }
  const leafUp = new Int32Array(leaves * spines);
  const spineDown = new Int32Array(leaves * spines);
  for (let l = 0; l < leaves; l++) {
    for (let s = 0; s < spines; s++) {
      leafUp[l * spines + s] = b.link(leafNodes[l]!, spineNodes[s]!, uplinkBandwidth, spec.switchLatencyNs);
      spineDown[s * leaves + l] = b.link(spineNodes[s]!, leafNodes[l]!, uplinkBandwidth, spec.switchLatencyNs);
    }
  }
  return new LeafSpine(spines, spec.leafOfPort, portUp, portDown, leafUp, spineDown, leaves);
}
