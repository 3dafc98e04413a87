// The flow network model on hand-computed cases. Every expected time below is derived in the
// comment above it from max-min fairness: a flow waits its route latency, then each link's capacity
// is shared equally among its flows, except that a flow held back by a tighter link elsewhere leaves
// its unused share to the others.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../../src/engine/index.js";
import { FlowNetwork } from "../../../src/network/flow.js";
import { Topology, type Link, type TopoNode } from "../../../src/topology/topology.js";

const S = 1e9; // ns per second

/**
 * A topology whose links are given by (bandwidth B/s, latency ns) and whose rank pairs (2i, 2i+1)
 * follow `routes[i]` — one pair per flow, like SimGrid's reference tool.
 */
function net(links: [bw: number, latNs: number][], routes: number[][], sim = new Simulator(1)) {
  const nodes: TopoNode[] = [{ id: 0, name: "x", kind: "switch" }];
  const ranks: number[] = [];
  for (let i = 0; i < 2 * routes.length; i++) {
    ranks.push(nodes.length);
    nodes.push({ id: nodes.length, name: `r${i}`, kind: "npu" });
  }
  const ls: Link[] = links.map(([bandwidth, latencyNs], id) => ({ id, name: `l${id}`, from: 0, to: 0, bandwidth, latencyNs }));
  const topo = new Topology("t", nodes, ls, ranks, (s, d) => (d === s + 1 ? routes[s >> 1]! : []));
  return { sim, model: new FlowNetwork(sim, topo) };
}

/** Starts flow i (pair 2i → 2i+1) alone in its own group; records its exact end and the engine time of onDone. */
function start(model: FlowNetwork, sim: Simulator, i: number, bytes: number, startNs: number, ends: number[], at?: number[]) {
  model.runGroup([{ src: 2 * i, dst: 2 * i + 1, bytes }], startNs, (end) => {
    ends[i] = end;
    if (at) at[i] = sim.now;
  });
}

describe("flow network model", () => {
  it("a lone flow takes its route latency plus bytes / bottleneck bandwidth", () => {
    // two hops: 4 GB/s with 700 ns, 1 GB/s with 500 ns → 1 MB at 1 GB/s = 1 ms after 1.2 µs
    const { sim, model } = net([[4e9, 700], [1e9, 500]], [[0, 1]]);
    const ends: number[] = [];
    const at: number[] = [];
    start(model, sim, 0, 1e6, 300, ends, at);
    sim.run();
    const want = 300 + 1200 + 1e6;
    expect(ends[0]).toBeCloseTo(want, 6);
    expect(at[0]).toBe(Math.round(want));
  });

  it("two equal flows on one link each get half of it", () => {
    // 1 GB over 2 GB/s shared by two → 1 GB/s each → 1 s, both in one group
    const { sim, model } = net([[2e9, 0]], [[0], [0]]);
    let end = NaN;
    let calls = 0;
    model.runGroup(
      [
        { src: 0, dst: 1, bytes: 1e9 },
        { src: 2, dst: 3, bytes: 1e9 },
      ],
      0,
      (e) => {
        end = e;
        calls++;
      },
    );
    sim.run();
    expect(calls).toBe(1);
    expect(end).toBeCloseTo(1 * S, 3);
  });

  it("gives max-min fair rates on a parking lot, as flows leave", () => {
    // links A = 1 GB/s, B = 2 GB/s; "long" crosses A and B, "a" only A, "b" only B.
    // Phase 1: A splits 0.5/0.5 (long, a); long is held to 0.5 so b gets B − 0.5 = 1.5 GB/s.
    //   a: 0.25 GB / 0.5 = 0.5 s.  By then long sent 0.25 (0.85 left), b sent 0.75 (0.75 left).
    // Phase 2: A has only long; B splits 1/1 → both 1 GB/s. b ends at 0.5 + 0.75 = 1.25 s, long has 0.1 left.
    // Phase 3: long alone, bottleneck A = 1 GB/s → ends at 1.25 + 0.1 = 1.35 s.
    const { sim, model } = net([[1e9, 0], [2e9, 0]], [[0, 1], [0], [1]]);
    const ends: number[] = [];
    start(model, sim, 0, 1.1e9, 0, ends);
    start(model, sim, 1, 0.25e9, 0, ends);
    start(model, sim, 2, 1.5e9, 0, ends);
    sim.run();
    expect(ends[1]).toBeCloseTo(0.5 * S, 3);
    expect(ends[2]).toBeCloseTo(1.25 * S, 3);
    expect(ends[0]).toBeCloseTo(1.35 * S, 3);
  });

  it("slows running flows when a flow joins mid-way", () => {
    // 1 GB/s link; A = 1 GB from 0 s would end at 1 s alone. B = 0.25 GB joins at 0.5 s (A has 0.5 GB left):
    // both at 0.5 GB/s → B ends at 1.0 s, A has 0.25 GB left → alone again → ends at 1.25 s.
    const { sim, model } = net([[1e9, 0]], [[0], [0]]);
    const ends: number[] = [];
    start(model, sim, 0, 1e9, 0, ends);
    sim.scheduleAt(0.5 * S, () => start(model, sim, 1, 0.25e9, sim.now, ends));
    sim.run();
    expect(ends[1]).toBeCloseTo(1.0 * S, 3);
    expect(ends[0]).toBeCloseTo(1.25 * S, 3);
  });

  it("handles routes longer than any before while flows are in transfer, and ignores infinite links", () => {
    // 12 links of 1 GB/s plus one of infinite bandwidth. A (1 GB on link 0) and C (1 GB on link 11)
    // run alone from 0 s; B (0.25 GB) crosses all 13 links from 0.5 s, so it halves A's and C's rate
    // as in the mid-way case: B ends at 1.0 s, A and C at 1.25 s.
    const links: [number, number][] = Array.from({ length: 12 }, () => [1e9, 0] as [number, number]);
    links.push([Infinity, 0]);
    const all = links.map((_, i) => i);
    const { sim, model } = net(links, [[0], all, [11]]);
    const ends: number[] = [];
    start(model, sim, 0, 1e9, 0, ends);
    start(model, sim, 2, 1e9, 0, ends);
    sim.scheduleAt(0.5 * S, () => start(model, sim, 1, 0.25e9, sim.now, ends));
    sim.run();
    expect(ends[1]).toBeCloseTo(1.0 * S, 3);
    expect(ends[0]).toBeCloseTo(1.25 * S, 3);
    expect(ends[2]).toBeCloseTo(1.25 * S, 3);
  });

  it("lets flows of different groups and processes share links", () => {
    // group G1 = {0→1 on L}, group G2 = {2→3 on L}, started by two independent engine events at 0:
    // each gets half of 1 GB/s → 0.1 GB takes 0.2 s for both
    const { sim, model } = net([[1e9, 0]], [[0], [0]]);
    const ends: number[] = [];
    sim.scheduleAt(0, () => start(model, sim, 0, 1e8, 0, ends));
    sim.scheduleAt(0, () => start(model, sim, 1, 1e8, 0, ends));
    sim.run();
    expect(ends[0]).toBeCloseTo(0.2 * S, 3);
    expect(ends[1]).toBeCloseTo(0.2 * S, 3);
  });

  it("chains dependent groups on exact end times, with no rounding drift", () => {
    // each step: 1 flow of 1 B over 3 GB/s with 0.4 ns latency = 0.4 + 1/3 ns; 30 steps back to back
    const step = 0.4 + 1 / 3;
    const { sim, model } = net([[3e9, 0.4]], [[0]]);
    let end = 0;
    let steps = 0;
    const next = (t: number) => {
      end = t;
      if (steps++ < 30) model.runGroup([{ src: 0, dst: 1, bytes: 1 }], t, next);
    };
    next(0);
    sim.run();
    // rounding each step to whole ns would give 30 × 1 = 30 ns
    expect(end).toBeCloseTo(30 * step, 9);
    expect(sim.now).toBe(Math.round(30 * step));
  });

  it("finishes an empty group (no bytes, or src = dst) at its start", () => {
    const { sim, model } = net([[1e9, 100]], [[0]]);
    let end = NaN;
    model.runGroup([{ src: 0, dst: 0, bytes: 5 }, { src: 0, dst: 1, bytes: 0 }], 42.25, (e) => (end = e));
    sim.run();
    expect(end).toBe(42.25);
    expect(sim.now).toBe(42);
  });

  it("completes flows that end together within float noise in one batch, with one end time", () => {
    // link k (k = 1..12) has capacity c_k = 1.3 GB/s·(k+1)/7.1, k short flows and one long flow.
    // shorts carry share·0.3 s and end at 0.3 s; the long one then runs alone with c_k·0.7 s of bytes left,
    // so every long flow ends at exactly 1 s — computed in floats, some land 1 ulp either side.
    const links: [number, number][] = [];
    const routes: number[][] = [];
    const flows: { route: number; bytes: number; long: boolean }[] = [];
    for (let k = 1; k <= 12; k++) {
      const cap = (1.3e9 * (k + 1)) / 7.1;
      const share = cap / (k + 1);
      links.push([cap, 0]);
      for (let j = 0; j < k; j++) flows.push({ route: k - 1, bytes: share * 0.3, long: false });
      flows.push({ route: k - 1, bytes: share * 0.3 + cap * 0.7, long: true });
    }
    for (const f of flows) routes.push([f.route]);
    const { sim, model } = net(links, routes);
    const ends: number[] = [];
    flows.forEach((f, i) => start(model, sim, i, f.bytes, 0, ends));
    sim.run();
    const longEnds = new Set(flows.flatMap((f, i) => (f.long ? [ends[i]!] : [])));
    expect(longEnds.size).toBe(1);
    expect([...longEnds][0]).toBeCloseTo(1 * S, 3);
    // batches: the joins at 0, the shorts at 0.3 s, the longs at 1 s
    expect(model.system.batches).toBe(3);
  });

  it("recomputes only the component a change touches", () => {
    // two disjoint links, 10 flows on each; a flow joining link 1 must not re-solve link 0's flows
    const routes: number[][] = [];
    for (let i = 0; i < 10; i++) routes.push([0]);
    for (let i = 0; i < 11; i++) routes.push([1]);
    const { sim, model } = net([[1e9, 0], [1e9, 0]], routes);
    const ends: number[] = [];
    for (let i = 0; i < 20; i++) start(model, sim, i, 1e8, 0, ends);
    sim.run(1000);
    const before = model.system.flowsRecomputed;
    expect(before).toBe(20);
    start(model, sim, 20, 1e8, sim.now, ends);
    sim.run(2000);
    expect(model.system.flowsRecomputed - before).toBe(11);
    sim.run();
    // link 0: ten flows of 0.1 GB at 0.1 GB/s each → 1 s, untouched by link 1's newcomer
    for (let i = 0; i < 10; i++) expect(ends[i]).toBeCloseTo(1 * S, 3);
  });

  it("is deterministic: the same flows give bit-identical end times and callback order", () => {
    const run = () => {
      // 40 flows over 6 links of a ring, routes of 1–3 consecutive links, staggered starts
      const links: [number, number][] = [1, 2, 3, 1.5, 2.5, 0.7].map((g) => [g * 1e9, 100]);
      const routes: number[][] = [];
      for (let i = 0; i < 40; i++) {
        const len = 1 + (i % 3);
        routes.push(Array.from({ length: len }, (_, k) => (i + k) % 6));
      }
      const { sim, model } = net(links, routes);
      const order: number[] = [];
      const ends: number[] = [];
      routes.forEach((_, i) =>
        model.runGroup([{ src: 2 * i, dst: 2 * i + 1, bytes: 1e6 * (1 + ((i * 37) % 11)) }], (i % 7) * 1e5, (e) => {
          ends[i] = e;
          order.push(i);
        }),
      );
      sim.run();
      return { ends, order };
    };
    const a = run();
    const b = run();
    expect(a.ends.length).toBe(40);
    expect(b.ends).toEqual(a.ends);
    expect(b.order).toEqual(a.order);
  });
});
