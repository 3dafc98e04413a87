import { EventQueue, type EventFn } from "./event-queue.js";
import { RngStreams } from "./rng.js";

/**
 * Thrown when an event would fall beyond the engine's clock range (2⁵³ ns ≈ 104 days of simulated
 * time): the scenario asks for more than the engine can represent, which is an input problem.
 */
export class TimeLimitExceeded extends RangeError {
  constructor(readonly timeNs: number) {
    super(`simulated time would exceed the engine limit of 2^53 ns (about 104 days): an event at ${timeNs} ns`);
    this.name = "TimeLimitExceeded";
  }
}

/** Handle of a scheduled event, usable with `cancel` (the event's sequence number). */
export type EventId = number;

/** Why `run` returned. */
export type StopReason = "empty" | "time_limit" | "stopped";

/**
 * The discrete-event core: integer-nanosecond clock, (time, seq)-ordered queue, named RNG streams.
 * Knows nothing about NPUs. Callbacks are `fn(arg)` so hot paths can schedule without closures.
 */
export class Simulator {
  private readonly queue = new EventQueue();
  private readonly cancelled = new Set<number>();
  private seq = 0;
  private clock = 0;
  private processed = 0;
  private stopRequested = false;
  /** Named seeded random streams of this run. */
  readonly rng: RngStreams;

  constructor(seed: number) {
    this.rng = new RngStreams(seed);
  }

  /** Current simulated time, ns. */
  get now(): number {
    return this.clock;
  }

  /** Events executed so far (cancelled ones excluded). */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Events waiting in the queue (cancelled ones may still be counted until they surface). */
  get pending(): number {
    return this.queue.size - this.cancelled.size;
  }

  /** Runs `fn(arg)` after `delayNs` (a non-negative integer, ns). */
  schedule(delayNs: number, fn: EventFn, arg?: unknown): EventId {
    const t = this.clock + delayNs;
    // one check covers negative, fractional, NaN and too-large delays
    if (!(delayNs >= 0) || !Number.isSafeInteger(t)) this.badTime(t);
    const id = this.seq++;
    this.queue.push(t, id, fn, arg);
    return id;
  }

  /** Runs `fn(arg)` at absolute time `timeNs` (a safe integer ≥ now, ns). */
  scheduleAt(timeNs: number, fn: EventFn, arg?: unknown): EventId {
    if (!(timeNs >= this.clock) || !Number.isSafeInteger(timeNs)) this.badTime(timeNs);
    const id = this.seq++;
    this.queue.push(timeNs, id, fn, arg);
    return id;
  }

  private badTime(timeNs: number): never {
    // a finite time past 2^53 ns is a scenario too long for the engine (an input problem); NaN and
    // ±Infinity come from a computation gone wrong (0/0, x/0) and are programming errors
    if (Number.isFinite(timeNs) && timeNs > Number.MAX_SAFE_INTEGER) throw new TimeLimitExceeded(timeNs);
    throw new RangeError(`event time must be a finite safe integer >= now (${this.clock} ns), got ${timeNs}`);
  }

  /**
   * Cancels a pending event; cancelling one that already ran or was cancelled is a no-op. Costs a scan
   * of the pending events (O(pending)), so that a stale id never lingers in the cancelled set.
   */
  cancel(id: EventId): void {
    if (id >= 0 && id < this.seq && !this.cancelled.has(id) && this.queue.hasSeq(id)) this.cancelled.add(id);
  }

  /** Makes `run` return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Executes events in (time, seq) order until the queue is empty, `stop()` is called, or the next
   * event lies beyond `untilNs` (then the clock is advanced to `untilNs`). Events at exactly `untilNs`
   * run. `untilNs` is a safe integer >= now (ns) or Infinity; anything else (an earlier time, which
   * would move the clock backwards, a fraction, NaN) is a RangeError.
   */
  run(untilNs: number = Infinity): StopReason {
    if (untilNs !== Infinity && !(untilNs >= this.clock && Number.isSafeInteger(untilNs))) {
      if (Number.isFinite(untilNs) && untilNs > Number.MAX_SAFE_INTEGER) throw new TimeLimitExceeded(untilNs);
      throw new RangeError(`run(untilNs): untilNs must be Infinity or a safe integer >= now (${this.clock} ns), got ${untilNs}`);
    }
    const q = this.queue;
    const cancelled = this.cancelled;
    this.stopRequested = false;
    while (q.size > 0) {
      const t = q.peekTime();
      if (t > untilNs) {
        this.clock = untilNs;
        return "time_limit";
      }
      if (cancelled.size > 0 && cancelled.delete(q.peekSeq())) {
        q.pop();
        continue;
      }
      q.pop();
      this.clock = t;
      this.processed++;
      q.poppedFn!(q.poppedArg);
      if (this.stopRequested) return "stopped";
    }
    if (untilNs !== Infinity && untilNs > this.clock) this.clock = untilNs;
    return "empty";
  }
}
