import { Topology, type Link, type TopoNode } from "../../src/topology/topology.js";

/** 8 leaves × 8 ranks under 4 spines, 25 GB/s everywhere, 300 ns per link; ECMP by (src, dst). */
export function clos(): Topology {
  const leaves = 8;
  const per = 8;
  const spines = 4;
  const nodes: TopoNode[] = [];
  const links: Link[] = [];
  const node = (name: string, kind: TopoNode["kind"]): number => {
    nodes.push({ id: nodes.length, name, kind });
    return nodes.length - 1;
  };
  const link = (from: number, to: number): number => {
    links.push({ id: links.length, name: `l${links.length}`, from, to, bandwidth: 25e9, latencyNs: 300 });
    return links.length - 1;
  };
  const ranks = Array.from({ length: leaves * per }, (_, r) => node(`r${r}`, "npu"));
  const leaf = Array.from({ length: leaves }, (_, l) => node(`leaf${l}`, "switch"));
  const spine = Array.from({ length: spines }, (_, s) => node(`spine${s}`, "switch"));
  const up = ranks.map((r, i) => link(r, leaf[Math.floor(i / per)]!));
  const down = ranks.map((r, i) => link(leaf[Math.floor(i / per)]!, r));
  const ls = leaf.flatMap((l) => spine.map((s) => link(l, s)));
  const sl = leaf.flatMap((l) => spine.map((s) => link(s, l)));
  const route = (src: number, dst: number): number[] => {
    const a = Math.floor(src / per);
    const z = Math.floor(dst / per);
    if (a === z) return [up[src]!, down[dst]!];
    const s = (src * 7 + dst * 3) % spines;
    return [up[src]!, ls[a * spines + s]!, sl[z * spines + s]!, down[dst]!];
  };
  return new Topology("clos-64", nodes, links, ranks, route);
}
