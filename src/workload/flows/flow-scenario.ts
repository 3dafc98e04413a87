import { didYouMean } from "../../config/did-you-mean.js";
import { ProblemList, type PathProblem } from "../../config/problem-list.js";
import { ENGINE_CLOCK } from "../../config/seconds.js";
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
export type ScenarioProblem = PathProblem;

/**
 * Most flows one scenario may hold. The flows workload runs the exact max-min model, which re-solves every
 * flow sharing a link with one that starts or ends: O(flows²) when they share one bottleneck (20,000 flows
 * of distinct sizes over one link ~20 s, 100,000 ~85 s), while an all-to-all of 65,280 equal flows over
 * per-host links takes ~4 s (mostly reading the file). A million ran for minutes.
 */
export const MAX_FLOWS = 100_000;

/**
 * Rules the shapes alone cannot state: at most MAX_FLOWS flows, unique link and flow ids, routes that
 * name existing links, and no link twice in one route (SimGrid would count it twice; a physical path never does).
 */
export function scenarioProblems(s: {
  readonly links: readonly { readonly id: string }[];
  readonly flows: readonly { readonly id: string; readonly route: readonly string[] }[];
}): ScenarioProblem[] {
  if (s.flows.length > MAX_FLOWS) {
    const n = s.flows.length.toLocaleString("en-US");
    return [{ path: ["flows"], message: `expected at most ${MAX_FLOWS.toLocaleString("en-US")} flows, got ${n}: the exact max-min model re-solves every flow sharing a link at each start and end (O(flows²) on a shared bottleneck)` }];
  }
  const out = new ProblemList("the flows");
  const linkIds = new Set<string>();
  s.links.forEach((l, i) => {
    if (linkIds.has(l.id)) out.add(["links", i, "id"], () => `duplicate link id "${l.id}"`);
    linkIds.add(l.id);
  });
  const known = [...linkIds];
  const flowIds = new Set<string>();
  s.flows.forEach((f, i) => {
    if (flowIds.has(f.id)) out.add(["flows", i, "id"], () => `duplicate flow id "${f.id}"`);
    flowIds.add(f.id);
    const seen = new Set<string>();
    f.route.forEach((id, k) => {
      if (!linkIds.has(id)) {
        out.add(["flows", i, "route", k], () => `expected a link id, got unknown link "${id}"${didYouMean(id, known)}`);
      } else if (seen.has(id)) {
        out.add(["flows", i, "route", k], () => `link "${id}" appears twice in the route of flow "${f.id}"`);
      }
      seen.add(id);
    });
  });
  return out.done();
}

/** A time in ns as seconds with 4 digits, for messages. */
function seconds(ns: number): string {
  const s = ns / 1e9;
  return `${s >= 1e6 ? s.toExponential(3) : Number(s.toPrecision(4))} s`;
}

/**
 * Flows that cannot end within the engine's 2^53 ns clock (about 104 days) whatever the sharing: a flow
 * alone (start + route latency + bytes over its slowest link), or a link carrying more bytes than it can
 * pass before then (from the earliest start among its flows). Named here; the engine could only say that
 * some event was too late. Assumes `scenarioProblems` found nothing.
 */
export function scenarioTimeProblems(s: FlowScenario): ScenarioProblem[] {
  const out = new ProblemList("the flows");
  const limit = Number.MAX_SAFE_INTEGER;
  const clock = `past ${ENGINE_CLOCK}`;
  const index = new Map(s.links.map((l, i) => [l.id, i]));
  const linkBytes = new Float64Array(s.links.length);
  const linkFirst = new Float64Array(s.links.length).fill(Infinity);
  s.flows.forEach((f, i) => {
    let latencyNs = 0;
    let slowest = s.links[index.get(f.route[0]!)!]!;
    for (const id of f.route) {
      const j = index.get(id)!;
      const l = s.links[j]!;
      latencyNs += l.latencyNs;
      if (l.bandwidth < slowest.bandwidth) slowest = l;
      linkBytes[j] = linkBytes[j]! + f.bytes;
      linkFirst[j] = Math.min(linkFirst[j]!, f.startNs);
    }
    const aloneNs = f.startNs + latencyNs + (f.bytes / slowest.bandwidth) * 1e9;
    if (aloneNs > limit) {
      out.add(["flows", i], () => `flow "${f.id}" would end at ${seconds(aloneNs)} even alone (start ${seconds(f.startNs)}, route latency ${seconds(latencyNs)}, ${f.bytes} bytes at ${slowest.bandwidth} bytes/s on link "${slowest.id}"), ${clock}: expected a smaller size, a faster link or an earlier start`);
    }
  });
  const alone = out.done();
  if (alone.length > 0) return alone;
  s.links.forEach((l, j) => {
    const endNs = linkFirst[j]! + (linkBytes[j]! / l.bandwidth) * 1e9;
    if (linkBytes[j]! > 0 && endNs > limit) {
      out.add(["links", j], () => `link "${l.id}" carries ${linkBytes[j]} bytes of flows at ${l.bandwidth} bytes/s: the last cannot end before ${seconds(endNs)}, ${clock}; expected a faster link or fewer bytes over it`);
    }
  });
  return out.done();
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
