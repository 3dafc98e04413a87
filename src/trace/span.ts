/**
 * The observable events of a simulation. Entities emit them on the run's hooks; observers (trace
 * writers, metrics, reports) subscribe. A span is something that occupied a resource for a while:
 * an operator on a die stream, a transfer step, a collective, a pipeline stage.
 */
export interface Span {
  /** Start time, ns (integer). */
  readonly start: number;
  /** Duration, ns (integer, ≥ 0). */
  readonly dur: number;
  /** Event class, e.g. "collective", "step", "op", "flow". */
  readonly kind: string;
  /** Where it happened, e.g. "rank3", "die12/compute", "group0-7". */
  readonly where: string;
  /** What it was, e.g. "all_reduce ring 1GiB". */
  readonly what: string;
  /** Extra flat attributes (numbers in stated units, strings); keys are written sorted. */
  readonly attrs?: Readonly<Record<string, number | string | boolean>>;
}

/** How far a long run has got, for the progress line on stderr (never part of the outputs). */
export interface Progress {
  /** Units of work done and in total (e.g. measurements, requests, steps). */
  readonly done: number;
  readonly total: number;
  /** What the units are, e.g. "measurements". */
  readonly unit: string;
}

/** Hook payloads of a run. */
export type SimEvents = {
  span: Span;
  progress: Progress;
  /** What a run is doing before it can count (e.g. pricing a step model), for the progress line; never part of the outputs. */
  phase: string;
};
