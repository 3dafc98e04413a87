import { Topology, TopologyBuilder } from "../../src/topology/topology.js";

/**
 * `ranks` NPUs on one switch, each by a duplex link of `bandwidth` (B/s) and `latencyNs` (ns) per
 * direction: rank s → switch → rank d, on the one plane `plane`. The hand-computable fabric of the
 * serving, KV-network and elastic tests.
 */
export function starTopology(ranks: number, bandwidth: number, latencyNs: number, plane: string): Topology {
  const b = new TopologyBuilder();
  const sw = b.node("sw", "switch");
  const nodes = Array.from({ length: ranks }, (_, r) => b.node(`r${r}`, "npu"));
  const up: number[] = [];
  const down: number[] = [];
  for (const r of nodes) {
    const [u, d] = b.duplex(r, sw, bandwidth, latencyNs);
    up.push(u);
    down.push(d);
  }
  return new Topology(`star-${ranks}`, b.nodes, b.links, nodes, (s, d) => [up[s]!, down[d]!], [plane]);
}
