// After flows finish, the exact flow model re-solves only the flows at least as fast as the slowest
// of them: every slower flow keeps its rate (src/network/flow-system.ts). A join re-solves the whole
// component. Expected rates and times are derived in the comments from max-min fairness.
import { describe, expect, it } from "vitest";
import { FlowSystem } from "../../../src/network/flow-system.js";
import { clos } from "../../helpers/clos-topology.js";

const GB = 1e9;

/**
 * Link 0 = 1 GB/s carries x1, x2, x3 and "long"; link 1 = 4 GB/s carries long, y1 and y2.
 * Link 0 saturates first: 1/4 = 0.25 GB/s each for x1..x3 and long. Link 1 gives the rest,
 * 4 − 0.25 = 3.75 GB/s, to y1 and y2: 1.875 GB/s each.
 */
function parkingLot(): FlowSystem {
  const sys = new FlowSystem([1 * GB, 4 * GB]);
  sys.addFlow([0], 1e5, 0, 0); // x1: 0.1 MB at 0.25 GB/s → 400 µs
  sys.addFlow([0], 1e5, 0, 1); // x2
  sys.addFlow([0], 1e5, 0, 2); // x3
  sys.addFlow([0, 1], 2e5, 0, 3); // long
  sys.addFlow([1], 1.875e5, 0, 4); // y1: 0.1875 MB at 1.875 GB/s → 100 µs
  sys.addFlow([1], 5.625e5, 0, 5); // y2
  return sys;
}

/** Steps until no event is left; per batch: its time (ns), the flows it re-solved, the tags done. */
function run(sys: FlowSystem, untilNs = Infinity): { t: number; resolved: number; done: number[] }[] {
  const out: { t: number; resolved: number; done: number[] }[] = [];
  while (sys.nextTimeNs !== Infinity && sys.nextTimeNs <= untilNs) {
    const before = sys.flowsRecomputed;
    const t = sys.step();
    out.push({ t, resolved: sys.flowsRecomputed - before, done: Array.from(sys.doneTags.subarray(0, sys.doneCount)) });
  }
  return out;
}

describe("flow model: partial re-solve after finishes", () => {
  it("re-solves only the flows at rates ≥ the slowest finished one, and they end as max-min says", () => {
    const batches = run(parkingLot());
    expect(batches.map((b) => b.t)).toEqual([0, 100_000, 200_000, 400_000, 500_000]);
    // t = 0: the six joins, one component.
    // 100 µs: y1 (1.875 GB/s) ends. x1..x3 and long (0.25 GB/s) keep their rate; only y2 is re-solved:
    //   3.75 GB/s, 0.375 MB left → ends at 200 µs.
    // 200 µs: y2 (3.75 GB/s) ends; every live flow is slower: none is re-solved.
    // 400 µs: x1..x3 end (0.25 GB/s); long (0.25 GB/s, 0.1 MB left) is re-solved alone: 1 GB/s → 500 µs.
    expect(batches.map((b) => b.resolved)).toEqual([6, 1, 0, 1, 0]);
    expect(batches.map((b) => b.done.sort())).toEqual([[], [4], [5], [0, 1, 2], [3]]);
  });

  it("on a dispatch-shaped all-to-all, ends every flow when re-solving whole components would", () => {
    // 64 ranks under 8 leaves and 4 spines (25 GB/s links), each rank sending 256 rows of 7,680 B to
    // random ranks: ~4,000 flows of uneven sizes, nearly one batch per finish. Reference: the same
    // system with a flow joining at every batch on a link of its own, which makes every batch
    // re-solve the whole component of its changes (a batch with a join always does).
    const partial = dispatchEnds(false);
    const full = dispatchEnds(true);
    expect(partial.resolved).toBeLessThan(0.7 * full.resolved); // the partial re-solve did happen
    for (let f = 0; f < full.ends.length; f++) expect(Math.abs(partial.ends[f]! - full.ends[f]!)).toBeLessThanOrEqual(1e-9 * full.ends[f]!);
  });

  it("keeps each link's flows sorted by rate between batches (how it finds the fast ones)", () => {
    let batches = 0;
    dispatchEnds(false, (sys, links) => {
      batches++;
      for (let l = 0; l < links; l++) {
        const r = sys.linkRates(l);
        for (let j = 1; j < r.length; j++) if (!(r[j - 1]! <= r[j]!)) expect.fail(`batch ${batches}, link ${l}: ${r[j - 1]} before ${r[j]}`);
      }
    });
    expect(batches).toBeGreaterThan(1000);
  });

  it("re-solves the whole component when a flow joins", () => {
    const sys = parkingLot();
    run(sys, 100_000);
    // z joins link 1 at 150 µs: long, y2 and z share link 1; x1..x3 and long still hold link 0
    sys.addFlow([1], 1e5, 150_000, 6);
    const before = sys.flowsRecomputed;
    expect(sys.step()).toBe(150_000);
    expect(sys.flowsRecomputed - before).toBe(6); // x1, x2, x3, long, y2, z
  });
});

/**
 * Finish time (ns) of each flow of the dispatch-shaped all-to-all, and the flows re-solved in total.
 * `afterStep` sees the system and its number of links after every batch.
 */
function dispatchEnds(joinEveryBatch: boolean, afterStep?: (sys: FlowSystem, links: number) => void): { ends: Float64Array; resolved: number } {
  const topo = clos();
  const caps = topo.links.map((l) => l.bandwidth);
  const leaves = 8;
  const per = 8;
  const tick = caps.push(1) - 1; // the reference's own link, 1 B/s: its flows outlast the others
  const route = (src: number, dst: number): readonly number[] => topo.route(src, dst);
  let x = 0x9e3779b9; // xorshift32: a fixed stream
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const sys = new FlowSystem(caps);
  let n = 0;
  for (let s = 0; s < leaves * per; s++) {
    const rows = new Float64Array(leaves * per);
    for (let k = 0; k < 256; k++) rows[Math.floor(rand() * rows.length)]! += 1;
    rows.forEach((r, d) => {
      if (d !== s && r > 0) sys.addFlow(route(s, d), r * 7680, 0, n++);
    });
  }
  const ends = new Float64Array(n);
  for (let live = n; live > 0; ) {
    if (joinEveryBatch) sys.addFlow([tick], 1, sys.nextTimeNs, -1);
    const t = sys.step();
    for (let k = 0; k < sys.doneCount; k++) {
      if (sys.doneTags[k]! < 0) continue;
      ends[sys.doneTags[k]!] = t;
      live--;
    }
    afterStep?.(sys, caps.length);
  }
  return { ends, resolved: sys.flowsRecomputed };
}
