import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { RngStreams } from "../../../src/engine/rng.js";

// The named random streams (src/engine/rng.ts) are Alea keyed by `${seed}/${name}`: draw for draw what
// seedrandom's alea gives (every seeded output of the simulator rests on it), with a state that can be
// read and resumed (the step simulator's routing-table memo replays its draws that way).

describe("RngStreams", () => {
  it("draws what seedrandom.alea draws for the same seed and name", () => {
    for (const seed of [0, 1, 7, 42, 123456789, 2 ** 31 - 1]) {
      const streams = new RngStreams(seed);
      for (const name of ["arrivals", "routing", "expert-popularity", "eplb", "", "prefill/ünïcode"]) {
        const ours = streams.stream(name);
        const theirs = seedrandom.alea(`${seed}/${name}`);
        for (let i = 0; i < 5000; i++) expect(ours(), `${seed}/${name} draw ${i}`).toBe(theirs());
      }
    }
  });

  it("keeps its streams independent: drawing one does not move another", () => {
    const a = new RngStreams(5);
    const b = new RngStreams(5);
    for (let i = 0; i < 100; i++) a.stream("x")();
    expect(a.stream("y")()).toBe(b.stream("y")());
  });

  it("resumes a stream at a saved state, through the generator it already handed out", () => {
    const s = new RngStreams(3);
    const u = s.stream("r");
    for (let i = 0; i < 10; i++) u();
    const saved = s.stateOf("r");
    const next = [u(), u(), u()];
    s.resume("r", saved);
    expect([u(), u(), u()]).toEqual(next);
    // onto another simulator's stream of the same name
    const t = new RngStreams(99);
    const v = t.stream("r");
    t.resume("r", saved);
    s.resume("r", saved);
    expect([v(), v()]).toEqual([u(), u()]);
  });

  it("hands out copies of its state", () => {
    const s = new RngStreams(1);
    const saved = s.stateOf("r") as { s0: number };
    const first = s.stream("r")();
    saved.s0 = 0.5;
    expect(new RngStreams(1).stream("r")()).toBe(first);
    expect(s.stateOf("r")).not.toEqual(saved);
  });
});
