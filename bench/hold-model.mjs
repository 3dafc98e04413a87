// Classic hold-model benchmark of the event engine: `pending` events in the queue; each event,
// when it runs, schedules one successor at a random integer delay (1–1000 ns) from a seeded stream.
import { Simulator } from "../dist/engine/index.js";

/** Runs the hold model; returns {name, pending, events, wall_s, events_per_s}. */
export function runHoldModel(pending, events) {
  const sim = new Simulator(1);
  const u = sim.rng.stream("hold");
  let remaining = events;
  const hold = () => {
    if (--remaining > 0) sim.schedule(1 + Math.floor(u() * 1000), hold);
  };
  for (let i = 0; i < pending; i++) sim.schedule(1 + Math.floor(u() * 1000), hold);
  remaining = events;
  const t0 = performance.now();
  sim.run();
  const wall = (performance.now() - t0) / 1e3;
  return { name: `hold model, ${pending} pending`, pending, events: sim.eventsProcessed, wall_s: wall, events_per_s: sim.eventsProcessed / wall };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const p of [1_000, 100_000]) console.log(runHoldModel(p, 5_000_000));
}
