/** A seeded uniform generator on [0, 1). */
export type Uniform = () => number;

/** The whole state of one stream (Alea's three lags and its carry): where its sequence continues. */
export interface RngState {
  readonly c: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

/** A stream's mutable state and its generator (which reads and advances that state). */
interface Stream {
  readonly state: { c: number; s0: number; s1: number; s2: number };
  readonly next: Uniform;
}

/**
 * Baagøe's Mash hash, as seedrandom's alea.js has it: each call folds `data` into the running `n`
 * and returns it scaled to [0, 1).
 */
function mash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
}

/**
 * Alea seeded with `seed`: seedrandom's `alea(seed)` draw for draw (the same seeding and step; a unit test
 * checks the two against each other), with its state exposed so a stream can be saved and resumed.
 */
function alea(seed: string): Stream {
  const m = mash();
  const state = { c: 1, s0: m(" "), s1: m(" "), s2: m(" ") };
  state.s0 -= m(seed);
  if (state.s0 < 0) state.s0 += 1;
  state.s1 -= m(seed);
  if (state.s1 < 0) state.s1 += 1;
  state.s2 -= m(seed);
  if (state.s2 < 0) state.s2 += 1;
  const next = (): number => {
    const t = 2091639 * state.s0 + state.c * 2.3283064365386963e-10; // 2^-32
    state.s0 = state.s1;
    state.s1 = state.s2;
    return (state.s2 = t - (state.c = t | 0));
  };
  return { state, next };
}

/**
 * Named, independent, seeded random streams: `stream("arrivals")` always yields the same sequence for
 * the same seed, whatever other streams were drawn from. Alea (seedrandom's fast generator) keyed by
 * `${seed}/${name}`; there is no other source of randomness in the simulator.
 */
export class RngStreams {
  private readonly streams = new Map<string, Stream>();

  constructor(readonly seed: number) {}

  private get(name: string): Stream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = alea(`${this.seed}/${name}`);
      this.streams.set(name, s);
    }
    return s;
  }

  /** The stream called `name` (created on first use). */
  stream(name: string): Uniform {
    return this.get(name).next;
  }

  /** Where stream `name` stands now (a copy). */
  stateOf(name: string): RngState {
    const { c, s0, s1, s2 } = this.get(name).state;
    return { c, s0, s1, s2 };
  }

  /**
   * Moves stream `name` to `state` (one stateOf returned): its generator, also as already handed out,
   * continues from there. For a memo that replays the draws a computation would have made.
   */
  resume(name: string, state: RngState): void {
    Object.assign(this.get(name).state, { c: state.c, s0: state.s0, s1: state.s1, s2: state.s2 });
  }
}
