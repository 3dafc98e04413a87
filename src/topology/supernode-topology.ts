import { Topology, type Link, type RouteFn, type TopoNode } from "./topology.js";

/** Shape of a supernode: compute nodes of NPUs of dies, plus host CPUs on the same UB fabric. */
export interface SupernodeLayout {
  /** Compute nodes (48 on CloudMatrix384). */
  readonly nodes: number;
  /** NPU packages per node (8). */
  readonly npusPerNode: number;
  /** Dies per NPU package (2 on the 910C). */
  readonly diesPerNpu: number;
  /** Kunpeng CPUs per node (4). */
  readonly cpusPerNode: number;
}

/**
 * A supernode graph: ranks are dies (die-major within NPU within node: rank = (node × npusPerNode +
 * npu) × diesPerNpu + die), and the Kunpeng CPUs (with their DRAM, the EMS memory pool) are extra
 * *endpoints* numbered after the ranks: endpoint `ranks + node × cpusPerNode + cpu`. Every `route`,
 * `Transfer.src`/`dst` and network-model call accepts CPU endpoints on the `ub` plane, so an NPU ↔
 * remote-CPU-DRAM transfer is priced like any other; collectives keep iterating 0..ranks−1 only.
 */
export class SupernodeTopology extends Topology {
  constructor(
    name: string,
    nodes: readonly TopoNode[],
    links: readonly Link[],
    rankNodes: readonly number[],
    routeFn: RouteFn,
    planes: readonly string[],
    readonly layout: SupernodeLayout,
    /** Graph node id of each CPU endpoint, in CPU order (node-major). */
    readonly cpuNodes: readonly number[],
  ) {
    super(name, nodes, links, rankNodes, routeFn, planes);
  }

  /** Ranks (dies) per compute node. */
  get diesPerNode(): number {
    return this.layout.npusPerNode * this.layout.diesPerNpu;
  }

  /** Number of CPU endpoints. */
  get cpus(): number {
    return this.cpuNodes.length;
  }

  /** Ranks plus CPU endpoints: valid `route` arguments are 0..endpoints−1. */
  get endpoints(): number {
    return this.ranks + this.cpus;
  }

  /** Endpoint id of CPU `cpu` (0..cpusPerNode−1) of compute node `node`. */
  cpuEndpoint(node: number, cpu: number): number {
    if (!(node >= 0 && node < this.layout.nodes && cpu >= 0 && cpu < this.layout.cpusPerNode)) {
      throw new RangeError(`no CPU ${cpu} on node ${node} (${this.layout.nodes} nodes × ${this.layout.cpusPerNode} CPUs)`);
    }
    return this.ranks + node * this.layout.cpusPerNode + cpu;
  }

  /** Whether endpoint id `e` is a CPU (not a die rank). */
  isCpu(e: number): boolean {
    return e >= this.ranks && e < this.endpoints;
  }

  /** Compute node of a die rank or CPU endpoint. */
  nodeOf(e: number): number {
    if (this.isCpu(e)) return Math.floor((e - this.ranks) / this.layout.cpusPerNode);
    return Math.floor(e / this.diesPerNode);
  }

  /** Global NPU package index of die rank `rank`. */
  npuOf(rank: number): number {
    return Math.floor(rank / this.layout.diesPerNpu);
  }

  /** Graph node id of a die rank or CPU endpoint. */
  endpointNode(e: number): number {
    const id = e < this.ranks ? this.rankNodes[e] : this.cpuNodes[e - this.ranks];
    if (id === undefined || e < 0) throw new RangeError(`endpoint ${e} outside 0..${this.endpoints - 1}`);
    return id;
  }
}
