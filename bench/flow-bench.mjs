// Flow-model benchmark: an EP256-size all-to-all (256 ranks × 256 destinations, 1 MiB each, all
// started together — 65,280 concurrent flows once the 256 self-transfers are dropped) priced by the
// max-min flow model. On the CloudMatrix384 preset (first 256 dies, UB plane) when it exists, else on
// a synthetic two-tier Clos. Needs `npx tsc -p tsconfig.json` first (imports dist/).
// A benchmark, not a test: it prints numbers and never fails on them.
import { Simulator } from "../dist/engine/index.js";
import { FlowNetwork } from "../dist/network/flow.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../dist/topology/registry.js";
import { Topology, TopologyBuilder } from "../dist/topology/topology.js";

const RANKS = 256;
const BYTES = 1024 * 1024;

/**
 * Fallback fabric: 16 leaves × 16 ranks, 16 spines, 1:1 — 50 GB/s per rank link and per leaf↔spine
 * link, 500 ns per hop; inter-leaf flows are spread over spines by a hash of (src, dst).
 */
function syntheticClos(ranks) {
  const perLeaf = 16;
  const leaves = Math.ceil(ranks / perLeaf);
  const spines = 16;
  const bw = 50e9;
  const lat = 500;
  const b = new TopologyBuilder();
  const rankNodes = [];
  for (let r = 0; r < ranks; r++) rankNodes.push(b.node(`r${r}`, "npu"));
  const leafNodes = [];
  for (let l = 0; l < leaves; l++) leafNodes.push(b.node(`leaf${l}`, "switch"));
  const spineNodes = [];
  for (let s = 0; s < spines; s++) spineNodes.push(b.node(`spine${s}`, "switch"));
  const up = [];
  const down = [];
  for (let r = 0; r < ranks; r++) {
    const [u, d] = b.duplex(rankNodes[r], leafNodes[Math.floor(r / perLeaf)], bw, lat);
    up.push(u);
    down.push(d);
  }
  const ls = []; // ls[l * spines + s] = leaf l → spine s; sl likewise spine s → leaf l
  const sl = [];
  for (let l = 0; l < leaves; l++) {
    for (let s = 0; s < spines; s++) {
      const [a, c] = b.duplex(leafNodes[l], spineNodes[s], bw, lat);
      ls.push(a);
      sl.push(c);
    }
  }
  const route = (src, dst) => {
    const a = Math.floor(src / perLeaf);
    const z = Math.floor(dst / perLeaf);
    if (a === z) return [up[src], down[dst]];
    const s = (src * 31 + dst * 17) % spines;
    return [up[src], ls[a * spines + s], sl[z * spines + s], down[dst]];
  };
  return new Topology(`synthetic-clos-${ranks}`, b.nodes, b.links, rankNodes, route);
}

/** CloudMatrix384 when the preset exists (FLOW_BENCH_SYNTHETIC=1 forces the synthetic Clos). */
function topology() {
  const preset = process.env.FLOW_BENCH_SYNTHETIC === "1" ? undefined : CLUSTER_PRESETS.cloudmatrix384;
  const type = preset && CLUSTER_TYPES[preset.type];
  if (type) return type.build(type.schema.parse({ type: preset.type, ...preset.params }), "cloudmatrix384");
  return syntheticClos(RANKS);
}

function allToAll(ranks, bytes) {
  const transfers = [];
  for (let s = 0; s < ranks; s++) for (let d = 0; d < ranks; d++) transfers.push({ src: s, dst: d, bytes });
  return transfers;
}

/** One timed all-to-all; returns the benchmark row plus model statistics. */
function once(topo, transfers) {
  const sim = new Simulator(1);
  const net = new FlowNetwork(sim, topo);
  let endNs = NaN;
  const t0 = performance.now();
  net.runGroup(transfers, 0, (e) => (endNs = e));
  sim.run();
  const wall = (performance.now() - t0) / 1e3;
  return { wall, endNs, sys: net.system };
}

/** Runs the benchmark; returns {name, flows, wall_s, flows_per_s} (plus details). */
export function runFlowBench() {
  const topo = topology();
  const transfers = allToAll(RANKS, BYTES);
  const flows = transfers.filter((t) => t.src !== t.dst).length;
  once(topo, allToAll(16, BYTES)); // warm the JIT on a small instance
  const r = once(topo, transfers);
  return {
    name: `flow model: all-to-all ${RANKS}×${RANKS} × 1 MiB on ${topo.name}`,
    flows,
    wall_s: r.wall,
    flows_per_s: flows / r.wall,
    simulated_ms: r.endNs / 1e6,
    batches: r.sys.batches,
    flows_recomputed: r.sys.flowsRecomputed,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runFlowBench();
  console.log(r.name);
  console.log(`  flows              ${r.flows}`);
  console.log(`  wall time          ${(r.wall_s * 1e3).toFixed(1)} ms`);
  console.log(`  flows/s            ${Math.round(r.flows_per_s)}`);
  console.log(`  simulated time     ${r.simulated_ms.toFixed(4)} ms`);
  console.log(`  batches            ${r.batches} (flows re-solved in total: ${r.flows_recomputed})`);
}
