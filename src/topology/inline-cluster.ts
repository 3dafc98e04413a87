import { z } from "zod";
import { bandwidth, duration } from "../config/quantity.js";
import { defineClusterType } from "./cluster-type.js";
import { unknownPlane } from "./planes.js";
import { Topology, TopologyBuilder, type NodeKind } from "./topology.js";

/**
 * A cluster written out in YAML: named nodes, links between them, the nodes that are ranks, and
 * optionally explicit routes. Pairs without an explicit route take a shortest path by hop count (BFS),
 * ties broken deterministically: neighbours are explored in link declaration order and the first path
 * found wins; between parallel links the first declared is used. One plane, `default`.
 */
const NODE_KINDS = ["npu", "die", "cpu", "switch", "nic", "memory"] as const satisfies readonly NodeKind[];

const inlineNodeSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(NODE_KINDS),
});

const inlineLinkSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  /** Bandwidth per direction. */
  bandwidth: bandwidth(),
  /** Latency of the hop. */
  latency: duration().prefault("0ns"),
  /** Whether the cable carries both directions (two directed links of the same bandwidth). */
  duplex: z.boolean().default(true),
});

const inlineRouteSchema = z.strictObject({
  /** Source rank node. */
  src: z.string(),
  /** Destination rank node. */
  dst: z.string(),
  /** Nodes strictly between src and dst, in order (empty for a direct link). */
  via: z.array(z.string()).default([]),
});

/** Parameters of an inline cluster. */
export const inlineClusterSchema = z.strictObject({
  type: z.literal("inline"),
  nodes: z.array(inlineNodeSchema).min(1),
  links: z.array(inlineLinkSchema).default([]),
  /** Node names of the ranks, in rank order. */
  ranks: z.array(z.string()).min(1),
  /** Explicit routes (one direction each); other pairs take a shortest path. */
  routes: z.array(inlineRouteSchema).default([]),
});

/** Parsed parameters of an inline cluster. */
export type InlineClusterSpec = z.output<typeof inlineClusterSchema>;

/** Planes of an inline cluster. */
const INLINE_PLANES = ["default"] as const;

/** Builds the graph; throws an Error naming the field for unknown or repeated node names and unreachable ranks. */
export function buildInlineCluster(spec: InlineClusterSpec, name: string): Topology {
  const b = new TopologyBuilder();
  const names = spec.nodes.map((n) => n.name);
  const lookup = (field: string, node: string): number => {
    if (!names.includes(node)) {
      throw new Error(`${field}: unknown node "${node}" (valid values are: ${names.join(", ")})`);
    }
    return b.id(node);
  };
  spec.nodes.forEach((n, i) => {
    if (names.indexOf(n.name) !== i) throw new Error(`nodes[${i}].name: duplicate node "${n.name}"`);
    b.node(n.name, n.kind);
  });

  // out[v] = links leaving v, in declaration order (the BFS tie-break)
  const out: number[][] = b.nodes.map(() => []);
  spec.links.forEach((l, i) => {
    const from = lookup(`links[${i}].from`, l.from);
    const to = lookup(`links[${i}].to`, l.to);
    if (from === to) throw new Error(`links[${i}]: link from "${l.from}" to itself`);
    out[from]!.push(b.link(from, to, l.bandwidth.value, l.latency.value));
    if (l.duplex) out[to]!.push(b.link(to, from, l.bandwidth.value, l.latency.value));
  });

  const rankNodes = spec.ranks.map((r, i) => lookup(`ranks[${i}]`, r));
  const rankOf = new Map<number, number>();
  rankNodes.forEach((node, i) => {
    if (rankOf.has(node)) throw new Error(`ranks[${i}]: node "${spec.ranks[i]}" is already rank ${rankOf.get(node)}`);
    rankOf.set(node, i);
  });
  const R = rankNodes.length;

  const firstLink = (from: number, to: number): number | undefined => out[from]!.find((l) => b.links[l]!.to === to);

  // routes[s * R + d]: explicit ones first, then BFS from each source rank for the rest
  const routes: (readonly number[] | undefined)[] = new Array<readonly number[] | undefined>(R * R);
  spec.routes.forEach((r, i) => {
    const src = rankOf.get(lookup(`routes[${i}].src`, r.src));
    const dst = rankOf.get(lookup(`routes[${i}].dst`, r.dst));
    if (src === undefined) throw new Error(`routes[${i}].src: node "${r.src}" is not a rank`);
    if (dst === undefined) throw new Error(`routes[${i}].dst: node "${r.dst}" is not a rank`);
    if (src === dst) throw new Error(`routes[${i}]: src and dst are the same rank "${r.src}"`);
    if (routes[src * R + dst]) throw new Error(`routes[${i}]: a route from "${r.src}" to "${r.dst}" is already given`);
    const path = [rankNodes[src]!, ...r.via.map((v, k) => lookup(`routes[${i}].via[${k}]`, v)), rankNodes[dst]!];
    const links: number[] = [];
    for (let k = 0; k + 1 < path.length; k++) {
      const l = firstLink(path[k]!, path[k + 1]!);
      if (l === undefined) {
        throw new Error(`routes[${i}].via: no link from "${b.nodes[path[k]!]!.name}" to "${b.nodes[path[k + 1]!]!.name}"`);
      }
      links.push(l);
    }
    routes[src * R + dst] = links;
  });

  const V = b.nodes.length;
  const parentLink = new Int32Array(V);
  for (let s = 0; s < R; s++) {
    parentLink.fill(-1);
    const origin = rankNodes[s]!;
    const queue = [origin];
    const seen = new Uint8Array(V);
    seen[origin] = 1;
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q]!;
      for (const l of out[v]!) {
        const w = b.links[l]!.to;
        if (seen[w]) continue;
        seen[w] = 1;
        parentLink[w] = l;
        queue.push(w);
      }
    }
    for (let d = 0; d < R; d++) {
      if (d === s || routes[s * R + d]) continue;
      const target = rankNodes[d]!;
      if (!seen[target]) throw new Error(`links: no path from rank "${spec.ranks[s]}" to rank "${spec.ranks[d]}"`);
      const links: number[] = [];
      for (let v = target; v !== origin; v = b.links[parentLink[v]!]!.from) links.push(parentLink[v]!);
      routes[s * R + d] = links.reverse();
    }
  }

  const route = (src: number, dst: number, _flowId: number, plane: string): readonly number[] => {
    if (plane !== "default") unknownPlane(plane, INLINE_PLANES);
    const r = routes[src * R + dst];
    if (r === undefined || !(src >= 0 && src < R && dst >= 0 && dst < R)) throw new RangeError(`rank ${src} or ${dst} outside 0..${R - 1}`);
    return r;
  };
  return new Topology(name, b.nodes, b.links, rankNodes, route, INLINE_PLANES);
}

/** Cluster type `inline`. */
export const inlineClusterType = defineClusterType({
  type: "inline",
  description: "a graph written in the config: nodes, links (bandwidth, latency), ranks, optional explicit routes; else shortest path",
  schema: inlineClusterSchema,
  build: buildInlineCluster,
});
