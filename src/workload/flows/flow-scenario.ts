import { didYouMean } from "../../config/did-you-mean.js";
import { Topology, type Link, type TopoNode } from "../../topology/topology.js";

/** A link of an explicit flow scenario. */
export interface ScenarioLink {
  readonly id: string;
  /** Bandwidth, bytes/s. */
  readonly bandwidth: number;
  /** Latency, ns. */
  readonly latencyNs: number;
}

/** A flow of an explicit flow scenario. */
export interface ScenarioFlow {
  readonly id: string;
  /** Link ids in the order the flow crosses them. */
  readonly route: readonly string[];
  /** Payload, bytes. */
  readonly bytes: number;
  /** Start time, ns (the flow then waits its route latency before it shares bandwidth). */
  readonly startNs: number;
}

/** Links and flows in internal units, from YAML (`links:`/`flows:`) or a SimGrid-format JSON file. */
export interface FlowScenario {
  readonly links: readonly ScenarioLink[];
  readonly flows: readonly ScenarioFlow[];
}

/** A problem found in a scenario, with its path relative to the scenario (e.g. ["flows", 3, "route", 1]). */
export interface ScenarioProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Rules the shapes alone cannot state: unique link and flow ids, routes that name existing links,
 * and no link twice in one route (SimGrid would count it twice; a physical path never does).
 */
export function scenarioProblems(s: {
  readonly links: readonly { readonly id: string }[];
  readonly flows: readonly { readonly id: string; readonly route: readonly string[] }[];
}): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const linkIds = new Set<string>();
  s.links.forEach((l, i) => {
    if (linkIds.has(l.id)) out.push({ path: ["links", i, "id"], message: `duplicate link id "${l.id}"` });
    linkIds.add(l.id);
  });
  const known = [...linkIds];
  const flowIds = new Set<string>();
  s.flows.forEach((f, i) => {
    if (flowIds.has(f.id)) out.push({ path: ["flows", i, "id"], message: `duplicate flow id "${f.id}"` });
    flowIds.add(f.id);
    const seen = new Set<string>();
    f.route.forEach((id, k) => {
      if (!linkIds.has(id)) {
        out.push({ path: ["flows", i, "route", k], message: `expected a link id, got unknown link "${id}"${didYouMean(id, known)}` });
      } else if (seen.has(id)) {
        out.push({ path: ["flows", i, "route", k], message: `link "${id}" appears twice in the route of flow "${f.id}"` });
      }
      seen.add(id);
    });
  });
  return out;
}

/**
 * The scenario as a Topology, the way SimGrid's reference tool builds its platform: one source and
 * one destination endpoint per flow (ranks 2i and 2i+1 for flow i) and a route table, so each flow
 * follows exactly its listed links. The links join no real nodes; they all hang off one "fabric"
 * node. Assumes `scenarioProblems` found nothing.
 */
export function scenarioTopology(s: FlowScenario, name = "flows"): Topology {
  const nodes: TopoNode[] = [{ id: 0, name: "fabric", kind: "switch" }];
  const rankNodes: number[] = [];
  for (const f of s.flows) {
    rankNodes.push(nodes.length);
    nodes.push({ id: nodes.length, name: `src:${f.id}`, kind: "nic" });
    rankNodes.push(nodes.length);
    nodes.push({ id: nodes.length, name: `dst:${f.id}`, kind: "nic" });
  }
  const index = new Map<string, number>();
  const links: Link[] = s.links.map((l, id) => {
    index.set(l.id, id);
    return { id, name: l.id, from: 0, to: 0, bandwidth: l.bandwidth, latencyNs: l.latencyNs };
  });
  const routes = s.flows.map((f) => f.route.map((id) => index.get(id)!));
  const none: readonly number[] = [];
  // only (2i → 2i+1) is a flow's pair; any other pair has no path in this platform
  return new Topology(name, nodes, links, rankNodes, (src, dst) => (dst === src + 1 && src % 2 === 0 ? routes[src >> 1]! : none));
}
