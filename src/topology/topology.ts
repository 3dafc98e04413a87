/**
 * A cluster as a graph: nodes (NPU dies, CPUs, switches, NICs) joined by directed links with a
 * bandwidth (bytes/s) and a latency (ns). Ranks are the compute endpoints collectives talk about
 * (an NPU on 910B, a die on 910C), numbered 0..ranks-1. Routing is deterministic: the same
 * (src, dst, flowId, plane) always yields the same links.
 */

/** What a graph node is. */
export type NodeKind = "npu" | "die" | "cpu" | "switch" | "nic" | "memory";

/** A vertex of the topology graph. */
export interface TopoNode {
  readonly id: number;
  readonly name: string;
  readonly kind: NodeKind;
}

/** A directed link; full-duplex cables are two links. */
export interface Link {
  readonly id: number;
  readonly name: string;
  readonly from: number;
  readonly to: number;
  /** Bandwidth, bytes/s. */
  readonly bandwidth: number;
  /** Propagation + switching latency of this hop, ns. */
  readonly latencyNs: number;
}

/** Chooses the links of a transfer; must be a pure function of its arguments. */
export type RouteFn = (srcRank: number, dstRank: number, flowId: number, plane: string) => readonly number[];

/** An immutable cluster graph with ranks and deterministic routes. */
export class Topology {
  constructor(
    /** Preset or user name of the cluster. */
    readonly name: string,
    readonly nodes: readonly TopoNode[],
    readonly links: readonly Link[],
    /** Node id of each rank, in rank order. */
    readonly rankNodes: readonly number[],
    private readonly routeFn: RouteFn,
    /** Names of the network planes this topology has (first one is the default). */
    readonly planes: readonly string[] = ["default"],
  ) {}

  /** Number of ranks (compute endpoints). */
  get ranks(): number {
    return this.rankNodes.length;
  }

  /** Link ids from `srcRank` to `dstRank` (empty when src == dst). */
  route(srcRank: number, dstRank: number, flowId = 0, plane: string = this.planes[0]!): readonly number[] {
    if (srcRank === dstRank) return EMPTY;
    return this.routeFn(srcRank, dstRank, flowId, plane);
  }

  /** Sum of hop latencies along a route, ns. */
  routeLatencyNs(route: readonly number[]): number {
    let ns = 0;
    for (let i = 0; i < route.length; i++) ns += this.links[route[i]!]!.latencyNs;
    return ns;
  }

  /** Smallest link bandwidth along a route, bytes/s (Infinity for an empty route). */
  routeBandwidth(route: readonly number[]): number {
    let bw = Infinity;
    for (let i = 0; i < route.length; i++) bw = Math.min(bw, this.links[route[i]!]!.bandwidth);
    return bw;
  }
}

const EMPTY: readonly number[] = Object.freeze([]);

/** Incrementally assembles nodes and links with unique names. */
export class TopologyBuilder {
  readonly nodes: TopoNode[] = [];
  readonly links: Link[] = [];
  private readonly byName = new Map<string, number>();

  /** Adds a node and returns its id. */
  node(name: string, kind: NodeKind): number {
    if (this.byName.has(name)) throw new Error(`duplicate topology node "${name}"`);
    const id = this.nodes.length;
    this.nodes.push({ id, name, kind });
    this.byName.set(name, id);
    return id;
  }

  /** Id of the node called `name`. */
  id(name: string): number {
    const id = this.byName.get(name);
    if (id === undefined) throw new Error(`no topology node "${name}"`);
    return id;
  }

  /** Adds one directed link; returns its id. */
  link(from: number, to: number, bandwidth: number, latencyNs: number, name?: string): number {
    const id = this.links.length;
    this.links.push({
      id,
      name: name ?? `${this.nodes[from]!.name}->${this.nodes[to]!.name}`,
      from,
      to,
      bandwidth,
      latencyNs,
    });
    return id;
  }

  /** Adds a full-duplex cable as two directed links; returns [a→b, b→a]. */
  duplex(a: number, b: number, bandwidth: number, latencyNs: number): [number, number] {
    return [this.link(a, b, bandwidth, latencyNs), this.link(b, a, bandwidth, latencyNs)];
  }
}
