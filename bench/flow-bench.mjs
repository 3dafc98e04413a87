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

/**
 * A dispatch-shaped all-to-all: each of `ranks` ranks routes 128 tokens × top-8 to uniformly random
 * ranks, 7,680 B per token copy (INT8 row + scale), so pair sizes are uneven multiples of a row — the
 * case where nearly every flow finish is its own batch in the exact model (O(flows²)).
 */
function dispatchShaped(ranks) {
  let x = 0x9e3779b9; // xorshift32: a fixed, seedless stream (no Math.random)
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const transfers = [];
  for (let s = 0; s < ranks; s++) {
    const copies = new Float64Array(ranks);
    for (let t = 0; t < 128 * 8; t++) copies[Math.floor(rand() * ranks)]++;
    for (let d = 0; d < ranks; d++) if (d !== s && copies[d] > 0) transfers.push({ src: s, dst: d, bytes: copies[d] * 7680 });
  }
  return transfers;
}

/** One timed run of `transfers` with `network.flow_resolution` = resolutionNs. */
function timed(topo, transfers, resolutionNs) {
  const sim = new Simulator(1);
  const net = new FlowNetwork(sim, topo, resolutionNs);
  let endNs = NaN;
  const t0 = performance.now();
  net.runGroup(transfers, 0, (e) => (endNs = e));
  sim.run();
  return { wall_s: (performance.now() - t0) / 1e3, endNs, batches: net.system.batches };
}

/**
 * Uneven all-to-alls: EP128 exact vs `flow_resolution` 10 ns (wall time and the error of the group's
 * end), and EP256 at 10 ns (the exact EP256 run takes ~1 min here; FLOW_BENCH_EXACT256=1 adds it).
 */
export function runUnevenFlowBench() {
  const topo = topology();
  const rows = [];
  const t128 = dispatchShaped(128);
  const exact = timed(topo, t128, 0);
  const coarse = timed(topo, t128, 10);
  rows.push({ name: `flow model: dispatch-shaped all-to-all 128×128 on ${topo.name}, exact`, flows: t128.length, ...exact });
  rows.push({ name: `flow model: same, flow_resolution 10 ns (end ${(((coarse.endNs - exact.endNs) / exact.endNs) * 100).toFixed(3)} % vs exact)`, flows: t128.length, ...coarse });
  const t256 = dispatchShaped(256);
  if (process.env.FLOW_BENCH_EXACT256 === "1") rows.push({ name: `flow model: dispatch-shaped all-to-all 256×256 on ${topo.name}, exact`, flows: t256.length, ...timed(topo, t256, 0) });
  rows.push({ name: `flow model: dispatch-shaped all-to-all 256×256 on ${topo.name}, flow_resolution 10 ns`, flows: t256.length, ...timed(topo, t256, 10) });
  return rows.map((r) => ({ ...r, flows_per_s: r.flows / r.wall_s }));
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
