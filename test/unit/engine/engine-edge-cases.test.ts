import { describe, expect, it } from "vitest";
import { EventQueue } from "../../../src/engine/event-queue.js";
import { Hooks } from "../../../src/engine/hooks.js";
import { Simulator, TimeLimitExceeded } from "../../../src/engine/simulator.js";

describe("simulator: cancel", () => {
  it("is a no-op for an event that already ran, so `pending` stays exact", () => {
    const sim = new Simulator(1);
    const id = sim.schedule(1, () => {});
    sim.run();
    sim.cancel(id);
    sim.cancel(id);
    sim.schedule(5, () => {});
    expect(sim.pending).toBe(1);
    expect(sim.run()).toBe("empty");
    expect(sim.eventsProcessed).toBe(2);
  });

  it("is a no-op for an event that was cancelled and has been discarded", () => {
    const sim = new Simulator(1);
    const id = sim.schedule(1, () => {});
    sim.cancel(id);
    sim.run();
    sim.cancel(id);
    sim.schedule(1, () => {});
    sim.schedule(2, () => {});
    expect(sim.pending).toBe(2);
  });

  it("counts a pending cancelled event once however often it is cancelled", () => {
    const sim = new Simulator(1);
    const id = sim.schedule(1, () => {});
    sim.schedule(2, () => {});
    sim.cancel(id);
    sim.cancel(id);
    expect(sim.pending).toBe(1);
  });

  it("runs in (time, seq) order, never runs a cancelled event and ends with nothing pending, under random schedules and cancellations", () => {
    let s = 12345;
    const rnd = (n: number) => (s = (s * 16807) % 2147483647) % n;
    const sim = new Simulator(1);
    const ran: [number, number][] = []; // [time ns, id]
    const cancelled = new Set<number>();
    const ids: number[] = [];
    const add = () => {
      if (ids.length < 3000) ids.push(sim.scheduleAt(sim.now + rnd(5), body, ids.length)); // many equal times
    };
    const body = (id: unknown) => {
      ran.push([sim.now, id as number]);
      for (let k = rnd(3); k > 0; k--) add();
      if (rnd(4) === 0) {
        const victim = ids[rnd(ids.length)]!;
        // cancelling an event that already ran must change nothing
        if (!ran.some((r) => r[1] === victim)) cancelled.add(victim);
        sim.cancel(victim);
      }
    };
    for (let i = 0; i < 50; i++) add();
    sim.run();
    for (let i = 1; i < ran.length; i++) {
      const [ta, ia] = ran[i - 1]!;
      const [tb, ib] = ran[i]!;
      expect(ta < tb || (ta === tb && ia < ib)).toBe(true);
    }
    expect(ran.filter((r) => cancelled.has(r[1]))).toEqual([]);
    expect(ran.length + cancelled.size).toBe(ids.length);
    expect(sim.pending).toBe(0);
  });
});

describe("simulator: run(untilNs)", () => {
  it("rejects an untilNs before now rather than moving the clock backwards", () => {
    const sim = new Simulator(1);
    sim.scheduleAt(10, () => {});
    sim.scheduleAt(30, () => {});
    sim.run(20);
    expect(() => sim.run(5)).toThrow(RangeError);
    expect(sim.now).toBe(20);
    expect(sim.run()).toBe("empty");
    expect(sim.now).toBe(30);
  });

  it("rejects NaN and fractional untilNs instead of running to the end or making the clock fractional", () => {
    const sim = new Simulator(1);
    sim.scheduleAt(10, () => {});
    expect(() => sim.run(NaN)).toThrow(RangeError);
    expect(() => sim.run(2.5)).toThrow(RangeError);
    expect(sim.now).toBe(0);
    expect(sim.eventsProcessed).toBe(0);
  });

  it("runs events at exactly untilNs and accepts untilNs = now", () => {
    const sim = new Simulator(1);
    const seen: number[] = [];
    sim.scheduleAt(10, () => seen.push(10));
    sim.scheduleAt(11, () => seen.push(11));
    expect(sim.run(10)).toBe("time_limit");
    expect(seen).toEqual([10]);
    expect(sim.run(10)).toBe("time_limit");
    expect(sim.now).toBe(10);
  });
});

describe("simulator: non-finite times", () => {
  it("reports NaN and ±Infinity delays and times as programming errors, not as a too-long scenario", () => {
    const sim = new Simulator(1);
    for (const f of [() => sim.schedule(Infinity, () => {}), () => sim.scheduleAt(Infinity, () => {}), () => sim.schedule(NaN, () => {}), () => sim.schedule(-Infinity, () => {})]) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RangeError);
      expect(err).not.toBeInstanceOf(TimeLimitExceeded);
    }
    expect(sim.pending).toBe(0);
  });

  it("still reports a finite time past 2^53 ns as TimeLimitExceeded", () => {
    const sim = new Simulator(1);
    expect(() => sim.schedule(2 ** 54, () => {})).toThrow(TimeLimitExceeded);
    expect(() => sim.run(2 ** 54)).toThrow(TimeLimitExceeded);
  });
});

describe("event queue: pop", () => {
  it("throws on an empty queue instead of corrupting the slot pool and losing the next push", () => {
    const q = new EventQueue();
    expect(() => q.pop()).toThrow(RangeError);
    expect(q.size).toBe(0);
    let ran = 0;
    q.push(1, 0, () => ran++, undefined);
    expect(q.size).toBe(1);
    q.pop();
    q.poppedFn!(q.poppedArg);
    expect(ran).toBe(1);
  });
});

describe("hooks: re-entrancy", () => {
  it("delivers to every observer when one unsubscribes itself during the emit", () => {
    const hooks = new Hooks<{ x: number }>();
    const got: string[] = [];
    const off = hooks.on("x", () => {
      got.push("a");
      off();
    });
    hooks.on("x", () => got.push("b"));
    hooks.emit("x", 1);
    hooks.emit("x", 2);
    expect(got).toEqual(["a", "b", "b"]);
  });

  it("does not deliver the current payload to an observer subscribed during the emit", () => {
    const hooks = new Hooks<{ x: number }>();
    const got: string[] = [];
    hooks.on("x", (n) => {
      got.push(`a${n}`);
      if (n === 1) hooks.on("x", (m) => got.push(`c${m}`));
    });
    hooks.emit("x", 1);
    hooks.emit("x", 2);
    expect(got).toEqual(["a1", "a2", "c2"]);
  });

  it("removes only its own subscription when the unsubscribe function is called twice", () => {
    const hooks = new Hooks<{ x: number }>();
    let n = 0;
    const fn = () => n++;
    const off1 = hooks.on("x", fn);
    hooks.on("x", fn);
    off1();
    off1();
    hooks.emit("x", 0);
    expect(n).toBe(1);
  });
});
