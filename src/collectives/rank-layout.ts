import { SupernodeTopology } from "../topology/supernode-topology.js";
import type { Topology } from "../topology/topology.js";

/** The scale-up fabric that joins the ranks of one server: an HCCS full mesh (Atlas A2) or the UB (CloudMatrix). */
export type ScaleUpFabric = "hccs" | "ub";

/**
 * Which ranks share a server (HCCL level 0) and which share a scale-up domain (where mesh one-shot
 * collectives are possible). On an Atlas A2 cluster the domain is the server; on a CloudMatrix
 * supernode the whole UB fabric is one domain of 48 servers (nodes).
 */
export interface RankLayout {
  /** Server index of each rank (0 … servers−1, in order of first appearance). */
  readonly serverOf: Int32Array;
  /** Number of servers. */
  readonly servers: number;
  /** Scale-up domain index of each rank. */
  readonly domainOf: Int32Array;
  /** The fabric inside a scale-up domain. */
  readonly fabric: ScaleUpFabric;
}

/**
 * Derives the server layout from the graph. A supernode knows its compute nodes (ranks of node k are
 * one server, the UB joins all of them). Otherwise ranks are grouped by the prefix of their node name
 * before the last "/" (`s3/npu2` → server `s3`, as the RoCE builder names them; no prefix → one
 * server), and the grouping is accepted only when each rank reaches its server's first rank without
 * passing a switch or NIC (a direct HCCS path); if not, every rank is its own server.
 */
export function rankLayout(topo: Topology): RankLayout {
  const n = topo.ranks;
  const serverOf = new Int32Array(n);
  if (topo instanceof SupernodeTopology) {
    for (let r = 0; r < n; r++) serverOf[r] = topo.nodeOf(r);
    return { serverOf, servers: topo.layout.nodes, domainOf: new Int32Array(n), fabric: "ub" };
  }
  const ids = new Map<string, number>();
  const first: number[] = [];
  for (let r = 0; r < n; r++) {
    const name = topo.nodes[topo.rankNodes[r]!]!.name;
    const cut = name.lastIndexOf("/");
    const key = cut < 0 ? "" : name.slice(0, cut);
    let s = ids.get(key);
    if (s === undefined) {
      s = ids.size;
      ids.set(key, s);
      first.push(r);
    }
    serverOf[r] = s;
  }
  let direct = true;
  for (let r = 0; r < n && direct; r++) {
    const head = first[serverOf[r]!]!;
    if (head === r) continue;
    for (const l of topo.route(head, r)) {
      const kind = topo.nodes[topo.links[l]!.to]!.kind;
      if (kind === "switch" || kind === "nic") direct = false;
    }
  }
  if (!direct) {
    for (let r = 0; r < n; r++) serverOf[r] = r;
    return { serverOf, servers: n, domainOf: serverOf.slice(), fabric: "hccs" };
  }
  return { serverOf, servers: ids.size, domainOf: serverOf.slice(), fabric: "hccs" };
}

/**
 * Splits `group` into its servers, keeping group order inside each server and ordering servers by
 * first appearance. Returns undefined unless every server holds the same number of group ranks
 * (hierarchical algorithms need a rectangular servers × ranks-per-server grid).
 */
export function serverGrid(group: readonly number[], layout: RankLayout): number[][] | undefined {
  const byServer = new Map<number, number[]>();
  for (const r of group) {
    const s = layout.serverOf[r];
    if (s === undefined) throw new RangeError(`rank ${r} is not in the topology (${layout.serverOf.length} ranks)`);
    let list = byServer.get(s);
    if (list === undefined) byServer.set(s, (list = []));
    list.push(r);
  }
  const grid = [...byServer.values()];
  const m = grid[0]!.length;
  return grid.every((g) => g.length === m) ? grid : undefined;
}

/** Whether all ranks of `group` are in one scale-up domain. */
export function inOneDomain(group: readonly number[], layout: RankLayout): boolean {
  const d = layout.domainOf[group[0]!];
  return group.every((r) => layout.domainOf[r] === d);
}
