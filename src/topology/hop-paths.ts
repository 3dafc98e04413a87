import type { Link } from "./topology.js";

/*
 * Fewest-hop paths over a directed graph given as per-node lists of leaving links (BFS; ties: the first
 * link of each list, i.e. declaration order). Nothing is computed for all pairs up front: a cluster of
 * 100,000 ranks would need 10¹⁰ routes (tens of GB) before the first transfer.
 */

/** Int32 entries the cached BFS trees of one router may hold: 64 MiB. */
const TREE_CACHE_ENTRIES = 1 << 24;

/** Nodes reachable from `origin` by following `lists` (links leaving, or entering, each node) to `end` of each link. */
export function reachableFrom(origin: number, lists: readonly (readonly number[])[], end: (l: number) => number): Uint8Array {
  const seen = new Uint8Array(lists.length);
  seen[origin] = 1;
  const queue = [origin];
  for (let q = 0; q < queue.length; q++) {
    for (const l of lists[queue[q]!]!) {
      const w = end(l);
      if (seen[w]) continue;
      seen[w] = 1;
      queue.push(w);
    }
  }
  return seen;
}

/**
 * The first pair (i, j) of `endpoints` (graph nodes; i in order, then j) with no path from endpoint i to
 * endpoint j that `covered(i, j)` does not excuse (an explicit route), or undefined. Endpoints that reach
 * each other reach the same nodes, so one forward and one backward search per such group suffice: two
 * searches for a connected cluster, whatever its size.
 */
export function firstUnreachablePair(
  links: readonly Link[],
  out: readonly (readonly number[])[],
  endpoints: readonly number[],
  covered: (i: number, j: number) => boolean,
): [number, number] | undefined {
  const into: number[][] = out.map(() => []);
  links.forEach((l) => into[l.to]!.push(l.id));
  const grouped = new Uint8Array(endpoints.length);
  for (let s = 0; s < endpoints.length; s++) {
    if (grouped[s]) continue;
    const forward = reachableFrom(endpoints[s]!, out, (l) => links[l]!.to);
    const backward = reachableFrom(endpoints[s]!, into, (l) => links[l]!.from);
    const group: number[] = [];
    endpoints.forEach((node, i) => {
      if (!grouped[i] && forward[node] && backward[node]) {
        grouped[i] = 1;
        group.push(i);
      }
    });
    for (let j = 0; j < endpoints.length; j++) {
      if (forward[endpoints[j]!]) continue;
      for (const i of group) if (!covered(i, j)) return [i, j];
    }
  }
  return undefined;
}

/** Fewest-hop paths from any source node, each source's BFS tree computed on first use and cached (bounded). */
export class HopPaths {
  private readonly trees = new Map<number, Int32Array>();
  private readonly maxTrees: number;

  constructor(
    private readonly links: readonly Link[],
    /** Links leaving each node, in tie-break order. */
    private readonly out: readonly (readonly number[])[],
  ) {
    this.maxTrees = Math.max(1, Math.floor(TREE_CACHE_ENTRIES / Math.max(1, out.length)));
  }

  /** Links of a fewest-hop path from node `from` to node `to` (empty when equal), or undefined if there is none. */
  path(from: number, to: number): number[] | undefined {
    const parent = this.tree(from);
    const links: number[] = [];
    for (let v = to; v !== from; v = this.links[parent[v]!]!.from) {
      if (parent[v]! < 0) return undefined;
      links.push(parent[v]!);
    }
    return links.reverse();
  }

  /** The link by which the BFS from `origin` first reaches each node (−1: the origin, or unreached). */
  private tree(origin: number): Int32Array {
    let parent = this.trees.get(origin);
    if (parent !== undefined) return parent;
    parent = new Int32Array(this.out.length).fill(-1);
    const seen = new Uint8Array(this.out.length);
    seen[origin] = 1;
    const queue = [origin];
    for (let q = 0; q < queue.length; q++) {
      for (const l of this.out[queue[q]!]!) {
        const w = this.links[l]!.to;
        if (seen[w]) continue;
        seen[w] = 1;
        parent[w] = l;
        queue.push(w);
      }
    }
    // a full cache starts over: trees are pure functions of the graph, so this changes no route
    if (this.trees.size >= this.maxTrees) this.trees.clear();
    this.trees.set(origin, parent);
    return parent;
  }
}
