import { describe, expect, it } from "vitest";
import { EventQueue } from "../../../src/engine/event-queue.js";
import { Hooks } from "../../../src/engine/hooks.js";
import { RngStreams } from "../../../src/engine/rng.js";
import { Simulator } from "../../../src/engine/simulator.js";

describe("event queue", () => {
  it("pops in time order, and equal times in insertion (seq) order", () => {
    const q = new EventQueue();
    const order: number[] = [];
    const fn = (x: number) => order.push(x);
    // times with many ties, pushed out of order; seq = insertion index
    const times = [5, 3, 5, 1, 3, 5, 0, 1, 5, 3];
    times.forEach((t, i) => q.push(t, i, fn, i));
    while (q.size > 0) {
      q.pop();
      q.poppedFn!(q.poppedArg);
    }
    const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((e) => e.i);
    expect(order).toEqual(expected);
  });

  it("keeps (time, seq) order across growth beyond its initial capacity", () => {
    const q = new EventQueue();
    const n = 5000;
    for (let i = 0; i < n; i++) q.push((i * 7919) % 97, i, () => {}, i);
    let prevT = -1;
    let prevS = -1;
    while (q.size > 0) {
      const t = q.peekTime();
      const s = q.peekSeq();
      expect(t > prevT || (t === prevT && s > prevS)).toBe(true);
      prevT = t;
      prevS = s;
      q.pop();
    }
  });
});

describe("simulator", () => {
  it("runs equal-time events in scheduling order (the documented tie-break)", () => {
    const sim = new Simulator(1);
    const seen: string[] = [];
    sim.schedule(10, () => seen.push("a"));
    sim.schedule(5, () => {
      seen.push("b");
      // scheduled later, same time as "a": runs after "a"
      sim.scheduleAt(10, () => seen.push("d"));
    });
    sim.schedule(10, () => seen.push("c"));
    sim.run();
    expect(seen).toEqual(["b", "a", "c", "d"]);
    expect(sim.now).toBe(10);
    expect(sim.eventsProcessed).toBe(4);
  });

  it("skips cancelled events and counts only executed ones", () => {
    const sim = new Simulator(1);
    const seen: number[] = [];
    const id = sim.schedule(3, () => seen.push(3));
    sim.schedule(1, () => sim.cancel(id));
    sim.schedule(5, () => seen.push(5));
    sim.run();
    expect(seen).toEqual([5]);
    expect(sim.eventsProcessed).toBe(2);
  });

  it("stops at a time limit with the clock at the limit, and resumes from there", () => {
    const sim = new Simulator(1);
    const seen: number[] = [];
    for (const t of [10, 20, 30]) sim.scheduleAt(t, () => seen.push(sim.now));
    expect(sim.run(25)).toBe("time_limit");
    expect(seen).toEqual([10, 20]);
    expect(sim.now).toBe(25);
    expect(sim.run()).toBe("empty");
    expect(seen).toEqual([10, 20, 30]);
  });

  it("rejects non-integer and past event times", () => {
    const sim = new Simulator(1);
    expect(() => sim.schedule(1.5, () => {})).toThrow(RangeError);
    sim.schedule(10, () => {
      expect(() => sim.scheduleAt(5, () => {})).toThrow(RangeError);
    });
    sim.run();
  });

  it("passes the scheduled argument to the callback without a closure", () => {
    const sim = new Simulator(1);
    let got: unknown;
    sim.schedule(0, (x: unknown) => (got = x), { k: 1 });
    sim.run();
    expect(got).toEqual({ k: 1 });
  });

  it("returns 'stopped' when a callback calls stop()", () => {
    const sim = new Simulator(1);
    sim.schedule(1, () => sim.stop());
    sim.schedule(2, () => {});
    expect(sim.run()).toBe("stopped");
    expect(sim.pending).toBe(1);
  });
});

describe("named random streams", () => {
  it("gives the same sequence for the same seed and name, whatever else was drawn", () => {
    const a = new RngStreams(42);
    const b = new RngStreams(42);
    b.stream("other")();
    b.stream("other")();
    const xa = [a.stream("arrivals")(), a.stream("arrivals")()];
    const xb = [b.stream("arrivals")(), b.stream("arrivals")()];
    expect(xa).toEqual(xb);
  });

  it("gives different sequences for different names and seeds", () => {
    const r = new RngStreams(42);
    expect(r.stream("a")()).not.toBe(r.stream("b")());
    expect(new RngStreams(1).stream("a")()).not.toBe(new RngStreams(2).stream("a")());
  });
});

describe("hooks", () => {
  it("delivers payloads to subscribers in order and reports whether anyone listens", () => {
    const hooks = new Hooks<{ ping: number }>();
    expect(hooks.has("ping")).toBe(false);
    const got: string[] = [];
    const off = hooks.on("ping", (n) => got.push(`a${n}`));
    hooks.on("ping", (n) => got.push(`b${n}`));
    expect(hooks.has("ping")).toBe(true);
    hooks.emit("ping", 1);
    off();
    hooks.emit("ping", 2);
    expect(got).toEqual(["a1", "b1", "b2"]);
  });
});
