/*
 * Sizing guards of request-level runs (serving, elastic): a request is a record plus its prefix-block ids
 * and a timeline window a row, all held in memory until the metrics are computed. These bound what one
 * run may allocate so that a mistyped rate or window (1e9 requests/s, a 1 ns window) is an input error
 * instead of minutes of work ending out of memory. They are not model constants: at ~2,600 requests/s of
 * simulation (npm run bench, Mooncake hour) the request limit is about half an hour of wall time.
 */

/** Most requests one run may generate, count. */
export const MAX_RUN_REQUESTS = 5_000_000;

/** Most timeline windows one run may record, count. */
export const MAX_TIMELINE_WINDOWS = 1_000_000;

/** The message when `what` (a count) exceeds `limit`. */
export function tooLarge(what: string, count: number, limit: number, fix: string): string {
  return `${what} ≈ ${count.toPrecision(3)}, more than the ${limit.toLocaleString("en-US")} one run may hold: ${fix}`;
}

/**
 * The problem with a timeline of `spanS` seconds cut into `windowS`-second windows, if it has too many;
 * `span` says what the span is (for the message), e.g. "duration_s + drain_s".
 */
export function timelineTooLong(spanS: number, windowS: number, span: string): string | undefined {
  const windows = spanS / windowS;
  return windows > MAX_TIMELINE_WINDOWS ? tooLarge(`(${span}) ÷ timeline_window_s timeline windows`, windows, MAX_TIMELINE_WINDOWS, "use a longer timeline window") : undefined;
}
