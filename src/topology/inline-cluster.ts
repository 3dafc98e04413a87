import { z } from "zod";
import { didYouMean } from "../config/did-you-mean.js";
import { chipField } from "../config/preset-fields.js";
import { ProblemList, type PathProblem } from "../config/problem-list.js";
import { bandwidth, duration } from "../config/quantity.js";
import { defineClusterType } from "./cluster-type.js";
import { firstUnreachablePair, HopPaths } from "./hop-paths.js";
import { unknownPlane } from "./planes.js";
import { Topology, TopologyBuilder, type NodeKind } from "./topology.js";

/**
 * A cluster written out in YAML: named nodes, links between them, the nodes that are ranks, and
 * optionally explicit routes. Pairs without an explicit route take a shortest path by hop count (BFS),
 * ties broken deterministically: neighbours are explored in link declaration order and the first path
 * found wins. A direction has at most one link (a parallel one would never carry traffic). One plane, `default`.
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

/** Parameters of an inline cluster; the rules between fields (names, links, routes, reachability) are `inlineClusterProblems`. */
export const inlineClusterSchema = z
  .strictObject({
    type: z.literal("inline"),
    /** Chip preset of every rank (a rank is one die), for the workloads' compute and memory. Default 910B3, as an A2 server's. */
    chip: chipField("910B3"),
    nodes: z.array(inlineNodeSchema).min(1),
    links: z.array(inlineLinkSchema).default([]),
    /** Node names of the ranks, in rank order. */
    ranks: z.array(z.string()).min(1),
    /** Explicit routes (one direction each); other pairs take a shortest path. */
    routes: z.array(inlineRouteSchema).default([]),
  })
  .superRefine((spec, ctx) => {
    for (const p of inlineClusterProblems(spec)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  });

/** Parsed parameters of an inline cluster. */
export type InlineClusterSpec = z.output<typeof inlineClusterSchema>;

/** A rule an inline cluster breaks, at its path below `cluster:` (e.g. ["links", 3, "to"]). */
export type InlineProblem = PathProblem;

/** Planes of an inline cluster. */
const INLINE_PLANES = ["default"] as const;

/** Node names listed after an unknown one, up to this many nodes. */
const MAX_LISTED_NODES = 20;

/** The graph of a spec: nodes and directed links, the links leaving each node (in declaration order), ranks, explicit routes. */
interface InlineGraph {
  readonly builder: TopologyBuilder;
  readonly out: number[][];
  readonly rankNodes: number[];
  /** Explicit routes by `src × ranks + dst`. */
  readonly explicit: Map<number, number[]>;
}

/** Builds the graph of `spec` and lists every rule it breaks (the graph is usable only when there is none). */
function inlineGraph(spec: InlineClusterSpec): { graph: InlineGraph; problems: InlineProblem[] } {
  const problems = new ProblemList("the inline cluster");
  const problem = (path: (string | number)[], message: () => string): void => problems.add(path, message);
  const b = new TopologyBuilder();
  const ids = new Map<string, number>();
  spec.nodes.forEach((n, i) => {
    if (ids.has(n.name)) problem(["nodes", i, "name"], () => `duplicate node "${n.name}" (also nodes[${ids.get(n.name)}])`);
    else ids.set(n.name, b.node(n.name, n.kind));
  });
  const names = [...ids.keys()];
  const lookup = (path: (string | number)[], name: string): number | undefined => {
    const id = ids.get(name);
    if (id === undefined) {
      problem(path, () => {
        const list = names.length <= MAX_LISTED_NODES ? ` (valid values are: ${names.join(", ")})` : ` (not one of the ${names.length} nodes)`;
        return `unknown node "${name}"${didYouMean(name, names)}${list}`;
      });
    }
    return id;
  };

  const out: number[][] = b.nodes.map(() => []);
  // entry of links: that declared each direction first (by from × nodes + to)
  const declared = new Map<number, number>();
  const direction = (i: number, from: number, to: number): boolean => {
    const first = declared.get(from * b.nodes.length + to);
    if (first === undefined) {
      declared.set(from * b.nodes.length + to, i);
      return true;
    }
    // routes take the first of parallel links: a second would carry nothing (and its bandwidth would be lost)
    const name = (v: number): string => b.nodes[v]!.name;
    problem(["links", i], () => `a second link from "${name(from)}" to "${name(to)}" (links[${first}] is the first): routes use one link per direction, so it would carry nothing; expected one link with the total bandwidth (duplex: false on both for different directions)`);
    return false;
  };
  spec.links.forEach((l, i) => {
    const from = lookup(["links", i, "from"], l.from);
    const to = lookup(["links", i, "to"], l.to);
    if (from === undefined || to === undefined) return;
    if (from === to) return problem(["links", i, "to"], () => `a link from "${l.from}" to itself: expected another node`);
    if (!direction(i, from, to) || (l.duplex && !direction(i, to, from))) return;
    out[from]!.push(b.link(from, to, l.bandwidth.value, l.latency.value));
    if (l.duplex) out[to]!.push(b.link(to, from, l.bandwidth.value, l.latency.value));
  });

  const rankNodes: number[] = [];
  const rankOf = new Map<number, number>();
  spec.ranks.forEach((r, i) => {
    const node = lookup(["ranks", i], r);
    if (node === undefined) return;
    if (rankOf.has(node)) return problem(["ranks", i], () => `node "${r}" is already rank ${rankOf.get(node)}`);
    rankOf.set(node, rankNodes.length);
    rankNodes.push(node);
  });
  const R = spec.ranks.length;

  const explicit = new Map<number, number[]>();
  spec.routes.forEach((r, i) => {
    const rankAt = (key: "src" | "dst", name: string): number | undefined => {
      const node = lookup(["routes", i, key], name);
      if (node === undefined) return undefined;
      const rank = rankOf.get(node);
      if (rank === undefined) problem(["routes", i, key], () => `node "${name}" is not a rank (the ranks are listed in ranks:)`);
      return rank;
    };
    const src = rankAt("src", r.src);
    const dst = rankAt("dst", r.dst);
    if (src === undefined || dst === undefined) return;
    if (src === dst) return problem(["routes", i, "dst"], () => `src and dst are the same rank "${r.src}"`);
    if (explicit.has(src * R + dst)) return problem(["routes", i], () => `a route from "${r.src}" to "${r.dst}" is already given`);
    // hop k of the route lands on via[k], the last on dst
    const landing = (k: number): (string | number)[] => (k < r.via.length ? ["routes", i, "via", k] : ["routes", i, "dst"]);
    const path = [rankNodes[src]!];
    for (let k = 0; k < r.via.length; k++) {
      const v = lookup(landing(k), r.via[k]!);
      if (v === undefined) return;
      path.push(v);
    }
    path.push(rankNodes[dst]!);
    const links: number[] = [];
    for (let k = 0; k + 1 < path.length; k++) {
      const from = path[k]!;
      const to = path[k + 1]!;
      const fromName = b.nodes[from]!.name;
      const toName = b.nodes[to]!.name;
      // a loop would cross its links twice and be charged twice: no physical path does
      if (path.indexOf(to) <= k) return problem(landing(k), () => `the route visits "${toName}" twice: expected a path without loops`);
      const l = out[from]!.find((id) => b.links[id]!.to === to);
      if (l === undefined) return problem(landing(k), () => `no link from "${fromName}" to "${toName}" (links:)`);
      links.push(l);
    }
    explicit.set(src * R + dst, links);
  });

  if (problems.count === 0) {
    const missing = firstUnreachablePair(b.links, out, rankNodes, (s, d) => explicit.has(s * R + d));
    if (missing !== undefined) {
      const [s, d] = missing;
      problem(["links"], () => `no path from rank "${spec.ranks[s]}" to rank "${spec.ranks[d]}": expected links that join every pair of ranks (in each direction; a link with duplex: false carries one)`);
    }
  }
  return { graph: { builder: b, out, rankNodes, explicit }, problems: problems.done() };
}

/** Every rule `spec` breaks, each at its path: unknown or repeated names, self-loops, parallel links, routes over missing links or with loops, unreachable ranks. */
export function inlineClusterProblems(spec: InlineClusterSpec): InlineProblem[] {
  return inlineGraph(spec).problems;
}

/**
 * Builds the graph (the schema has rejected any problem; a spec built without it throws an Error naming
 * the field of the first). Routes without an explicit one are found on first use, not for every pair.
 */
export function buildInlineCluster(spec: InlineClusterSpec, name: string): Topology {
  const { graph, problems } = inlineGraph(spec);
  const first = problems[0];
  if (first !== undefined) throw new Error(`${first.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "")}: ${first.message}`);
  const { builder: b, out, rankNodes, explicit } = graph;
  const R = rankNodes.length;
  const paths = new HopPaths(b.links, out);
  const route = (src: number, dst: number, _flowId: number, plane: string): readonly number[] => {
    if (plane !== "default") unknownPlane(plane, INLINE_PLANES);
    if (!(Number.isInteger(src) && Number.isInteger(dst) && src >= 0 && src < R && dst >= 0 && dst < R)) throw new RangeError(`rank ${src} or ${dst} outside 0..${R - 1}`);
    const r = explicit.get(src * R + dst) ?? paths.path(rankNodes[src]!, rankNodes[dst]!);
    if (r === undefined) throw new Error(`no path from rank ${src} to rank ${dst}`); // excluded by inlineClusterProblems
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
