import seedrandom from "seedrandom";

/** A seeded uniform generator on [0, 1). */
export type Uniform = () => number;

/**
 * Named, independent, seeded random streams: `stream("arrivals")` always yields the same sequence for
 * the same seed, whatever other streams were drawn from. Alea (seedrandom's fast generator) keyed by
 * `${seed}/${name}`; there is no other source of randomness in the simulator.
 */
export class RngStreams {
  private readonly streams = new Map<string, Uniform>();

  constructor(readonly seed: number) {}

  /** The stream called `name` (created on first use). */
  stream(name: string): Uniform {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = seedrandom.alea(`${this.seed}/${name}`) as unknown as Uniform;
      this.streams.set(name, s);
    }
    return s;
  }
}
