#!/usr/bin/env node
// Writes the flow scenarios of test/fixtures/simgrid/<name>.json in the input shape of SimGrid's
// reference tool (../shared/tools/simgrid_flows.py): bw bytes/s, lat and start seconds, bytes.
// Deterministic (seeded Alea stream), so re-running it reproduces the committed files byte for byte.
// Every scenario follows the tool README's pure max-min prescription: shared links have latency 0
// and each flow's latency sits on a private access link of huge bandwidth, the same for every flow
// (then CM02's RTT weighting is uniform and SimGrid computes plain max-min fairness).
// Then run scripts/simgrid-refs.sh to regenerate the <name>.ref.json references.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import seedrandom from "seedrandom";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "simgrid");
/** Bandwidth of the private access links, bytes/s: far above any shared link. */
const ACCESS_BW = 1e12;

/** A scenario builder: shared links plus flows, each flow getting its private access link. */
function scenario(accessLatS) {
  const links = [];
  const flows = [];
  return {
    link(id, bw) {
      links.push({ id, bw, lat: 0 });
      return id;
    },
    flow(id, route, bytes, start = 0) {
      const access = `p_${id}`;
      links.push({ id: access, bw: ACCESS_BW, lat: accessLatS });
      flows.push({ id, route: [access, ...route], bytes, start });
    },
    done: () => ({ links, flows }),
  };
}

/** Four flows of different sizes and two of equal size on one 1 GB/s bottleneck. */
function sharedBottleneck() {
  const s = scenario(1e-6);
  const l = s.link("bottleneck", 1e9);
  s.flow("f100M", [l], 1e8);
  s.flow("f200M", [l], 2e8);
  s.flow("f400M", [l], 4e8);
  s.flow("f800M", [l], 8e8);
  s.flow("g300M_a", [l], 3e8);
  s.flow("g300M_b", [l], 3e8);
  return s.done();
}

/**
 * Parking lot: a long flow across three links in a row, a short flow on each link, and a fourth
 * link that only the long flow crosses. The middle link is faster, so the long flow's bottleneck
 * moves as short flows finish.
 */
function parkingLot() {
  const s = scenario(1e-5);
  const a = s.link("seg_a", 1e9);
  const b = s.link("seg_b", 3e9);
  const c = s.link("seg_c", 1.5e9);
  const d = s.link("seg_d", 4e9);
  s.flow("long", [a, b, c, d], 2e9);
  s.flow("short_a", [a], 5e8);
  s.flow("short_b1", [b], 1.5e9);
  s.flow("short_b2", [b], 2.5e9);
  s.flow("short_c", [c], 1e9);
  s.flow("short_cd", [c, d], 7e8);
  return s.done();
}

/** Flows joining and leaving two shared links while others are in transfer. */
function staggered() {
  const s = scenario(2e-6);
  const x = s.link("x", 2e9);
  const y = s.link("y", 1e9);
  s.flow("early", [x], 2e9, 0);
  s.flow("cross", [x, y], 1e9, 0.25);
  s.flow("late_y", [y], 4e8, 0.5);
  s.flow("late_x", [x], 6e8, 0.75);
  s.flow("burst1", [y], 1e8, 1.0);
  s.flow("burst2", [y], 1e8, 1.0);
  s.flow("burst3", [x, y], 1e8, 1.0);
  s.flow("tail", [x], 3e8, 2.5);
  return s.done();
}

/** The example of the tool README: two flows on a 1 GB/s link, one also on a 2 GB/s link. */
function readmeExample() {
  const s = scenario(1e-6);
  s.link("l0", 1e9);
  s.link("l1", 2e9);
  s.flow("a", ["l0"], 1e9, 0);
  s.flow("b", ["l0", "l1"], 1e9, 0);
  s.flow("c", ["l1"], 1e9, 0.5);
  return s.done();
}

/**
 * 1,000 flows on a small two-tier Clos: 4 leaves × 4 hosts, 2 spines, 2:1 oversubscribed
 * (4 × 10 GB/s of hosts per leaf over 2 × 10 GB/s uplinks). Random source and destination hosts,
 * random spine (ECMP-like), log-uniform sizes 1 MB … 1 GB, starts uniform over the first second.
 */
function closRandom(n) {
  const rng = seedrandom.alea(`clos-random-${n}`);
  const s = scenario(1e-5);
  const leaves = 4;
  const perLeaf = 4;
  const spines = 2;
  const hosts = leaves * perLeaf;
  for (let h = 0; h < hosts; h++) {
    s.link(`h${h}_up`, 10e9);
    s.link(`h${h}_down`, 10e9);
  }
  for (let l = 0; l < leaves; l++) {
    for (let p = 0; p < spines; p++) {
      s.link(`leaf${l}_spine${p}`, 10e9);
      s.link(`spine${p}_leaf${l}`, 10e9);
    }
  }
  for (let i = 0; i < n; i++) {
    const src = Math.floor(rng() * hosts);
    let dst = Math.floor(rng() * (hosts - 1));
    if (dst >= src) dst++;
    const ls = Math.floor(src / perLeaf);
    const ld = Math.floor(dst / perLeaf);
    const spine = Math.floor(rng() * spines);
    const route = ls === ld ? [`h${src}_up`, `h${dst}_down`] : [`h${src}_up`, `leaf${ls}_spine${spine}`, `spine${spine}_leaf${ld}`, `h${dst}_down`];
    const bytes = Math.round(10 ** (6 + 3 * rng()));
    const start = Math.round(rng() * 1e6) / 1e6;
    s.flow(`f${i}`, route, bytes, start);
  }
  return s.done();
}

/** One link or flow per line: diffable, still plain JSON. */
function format(sc) {
  const lines = (xs) => xs.map((x) => "    " + JSON.stringify(x)).join(",\n");
  return `{\n  "links": [\n${lines(sc.links)}\n  ],\n  "flows": [\n${lines(sc.flows)}\n  ]\n}\n`;
}

const SCENARIOS = {
  "shared-bottleneck": sharedBottleneck,
  "parking-lot": parkingLot,
  staggered,
  "readme-example": readmeExample,
  "clos-random-1000": () => closRandom(1000),
};

mkdirSync(OUT, { recursive: true });
for (const [name, build] of Object.entries(SCENARIOS)) {
  writeFileSync(join(OUT, `${name}.json`), format(build()));
  console.log(`wrote ${join(OUT, `${name}.json`)}`);
}
