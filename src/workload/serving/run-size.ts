import { MAX_ENGINE_S } from "../../config/seconds.js";
/*
 * Sizing guards of request-level runs (serving, elastic): a request is a record plus its prefix-block ids
 * and a timeline window a row, all held in memory until the metrics are computed. These bound what one
 * run may allocate so that a mistyped rate or window (1e9 requests/s, a 1 ns window) is an input error
 * instead of minutes of work ending out of memory. They are not model constants: at ~2,600 requests/s of
 * simulation (npm run bench, Mooncake hour) the request limit is about half an hour of wall time.
 */

/** Most requests one run may generate, count. */
export const MAX_RUN_REQUESTS = 5_000_000;

/**
 * Most prompt blocks (512-token prefix-block ids, one number each in memory) the synthetic arrivals of one
 * run may hold, count: about 400 MB as JS numbers. 5,000,000 requests of the default 4,096-token prompts
 * are 40 million.
 */
export const MAX_RUN_PROMPT_BLOCKS = 50_000_000;

/** Most timeline windows one run may record, count. */
export const MAX_TIMELINE_WINDOWS = 1_000_000;

/**
 * Most ticks of one periodic decision one run may make (the P/D-ratio controller, the elastic SLO
 * coordinator), count: each tick is an event and, for the coordinator, a `decisions` row in the JSON, so a
 * 1 ns period over a minute would be 6e10 events. The same bound as the timeline windows.
 */
export const MAX_RUN_TICKS = MAX_TIMELINE_WINDOWS;

/** The message when `what` (a count) exceeds `limit`. */
export function tooLarge(what: string, count: number, limit: number, fix: string, verb = "hold"): string {
  return `${what} ≈ ${count.toPrecision(3)}, more than the ${limit.toLocaleString("en-US")} one run may ${verb}: ${fix}`;
}

/**
 * The problem with a periodic decision every `periodS` seconds (the key `key`) over a run of `spanS`
 * seconds (`span` says what it is, for the message), if it would tick more than MAX_RUN_TICKS times.
 */
export function ticksTooMany(spanS: number, periodS: number, span: string, key: string): string | undefined {
  const ticks = spanS / periodS;
  return ticks > MAX_RUN_TICKS ? tooLarge(`(${span}) ÷ ${key} decisions`, ticks, MAX_RUN_TICKS, `use a longer ${key} (the run lasts about ${Number(spanS.toPrecision(3))} s)`, "make") : undefined;
}

/**
 * The problem when the run's time span (the sum of `span`, each a key and its seconds) plus the longest of
 * the periodic `ticks` (a tick is scheduled a period past the last event) goes past the engine clock, if it
 * does, at the key of the largest term (the one to shorten).
 */
export function pastEngineClock(span: readonly [string, number][], ticks: readonly [string, number][]): { key: string; message: string } | undefined {
  const tick = ticks.reduce<[string, number] | undefined>((a, t) => (a === undefined || t[1] > a[1] ? t : a), undefined);
  const terms = tick === undefined ? [...span] : [...span, tick];
  const total = terms.reduce((a, t) => a + t[1], 0);
  if (total <= MAX_ENGINE_S) return undefined;
  const largest = terms.reduce((a, t) => (t[1] > a[1] ? t : a));
  const sum = terms.map((t) => `${t[0]} ${Number(t[1].toPrecision(12))} s`).join(" + ");
  return { key: largest[0], message: `${sum} = ${Number(total.toPrecision(12))} s, past the ${MAX_ENGINE_S} s the engine's 2^53 ns clock can reach: shorten ${largest[0]}` };
}

/**
 * The problem with a timeline of `spanS` seconds cut into `windowS`-second windows, if it has too many;
 * `span` says what the span is (for the message), e.g. "duration_s + drain_s".
 */
export function timelineTooLong(spanS: number, windowS: number, span: string): string | undefined {
  const windows = spanS / windowS;
  return windows > MAX_TIMELINE_WINDOWS ? tooLarge(`(${span}) ÷ timeline_window_s timeline windows`, windows, MAX_TIMELINE_WINDOWS, "use a longer timeline window") : undefined;
}
