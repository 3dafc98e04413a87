/*
 * The windows of a run's timeline (serving and elastic): row k covers [k·w, (k+1)·w) seconds; the last,
 * partial row — a run cut by the drain limit, or one shorter than a window — ends at the run's end and
 * takes its rates over the part it covers.
 */

/** The end of the next row and the span its rates are over, s: a whole window, or up to `partialEndNs`. */
export function timelineWindow(rows: number, windowS: number, partialEndNs?: number): { endS: number; spanS: number } {
  if (partialEndNs === undefined) return { endS: (rows + 1) * windowS, spanS: windowS };
  const endS = partialEndNs / 1e9;
  return { endS, spanS: endS - rows * windowS };
}

/** Whether the run's end leaves a partial row to record: events since the last row (or no row yet), and time past it. */
export function partialWindowPending(rows: number, eventsSinceLastRow: number, nowNs: number, windowNs: number): boolean {
  return (rows === 0 || eventsSinceLastRow > 0) && nowNs > rows * windowNs;
}
