import { expect } from "vitest";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../../../src/topology/registry.js";
import type { Topology } from "../../../src/topology/topology.js";

/** Builds a preset the way `cluster: <name>` will: its params through the type's schema. */
export function buildPreset(name: string): Topology {
  const preset = CLUSTER_PRESETS[name];
  if (!preset) throw new Error(`no preset ${name}`);
  const type = CLUSTER_TYPES[preset.type]!;
  return type.build(type.schema.parse({ type: preset.type, ...preset.params }), name);
}

/** Asserts `route` is a chain of links from graph node `from` to graph node `to`. */
export function expectPath(topo: Topology, route: readonly number[], from: number, to: number): void {
  expect(route.length).toBeGreaterThan(0);
  let at = from;
  for (const l of route) {
    const link = topo.links[l]!;
    expect(link.from, `link ${link.name} should leave ${topo.nodes[at]!.name}`).toBe(at);
    at = link.to;
  }
  expect(topo.nodes[at]!.name).toBe(topo.nodes[to]!.name);
}

/** Names of the nodes a route visits, source first. */
export function visited(topo: Topology, route: readonly number[]): string[] {
  if (route.length === 0) return [];
  return [topo.nodes[topo.links[route[0]!]!.from]!.name, ...route.map((l) => topo.nodes[topo.links[l]!.to]!.name)];
}
