/**
 * Progress on stderr for long commands (`run`, `validate`, `sweep`, `search`), drawn only when stderr
 * is a terminal — so pipes, CI logs, output files and `--json` consumers never see it. Wall-clock time
 * is used here and nowhere else.
 *
 * The clock starts when the display is created, i.e. when the command starts working: a phase line
 * ("preparing …") is drawn at once, so a terminal never sits silent while a run prepares, and the
 * elapsed time is the command's. The ETA goes by the rate of the counted work since the first count
 * (sweeps, searches and validate report 0 when their runs start; a run's preparation, e.g. pricing a
 * step model, is not counted work), and is "?" until there is a rate to go by.
 */

/** A progress display: a phase line until counts arrive, then counts, elapsed time and ETA. */
export interface ProgressDisplay {
  /** Shows what the command is doing before it can count (e.g. "preparing the run"). */
  phase(text: string): void;
  /** `done` of `total` units finished (the first call starts the rate clock). */
  update(done: number, total: number, unit?: string): void;
  /** Clears the line (call before printing anything else on stderr, also on errors). */
  finish(): void;
}

/** Options of `progressDisplay`. */
export interface ProgressOptions {
  /** What is counted, e.g. "runs", "requests". */
  readonly unit: string;
  /** Draw a bar (sweeps, searches) or only the numbers. */
  readonly bar?: boolean;
  /** The first phase line, drawn at once. */
  readonly phase?: string;
  /** Where to draw (default stderr; nothing is drawn unless it is a terminal; `columns`: its width, characters). */
  readonly stream?: Pick<NodeJS.WriteStream, "isTTY" | "write"> & { readonly columns?: number };
  /** The clock, ms (default performance.now; tests pass their own). */
  readonly now?: () => number;
  /** Redraw the elapsed time every this many ms while nothing is reported (0: never; default 1000). */
  readonly tickMs?: number;
}

const NONE: ProgressDisplay = { phase: () => {}, update: () => {}, finish: () => {} };

function seconds(ms: number): string {
  return `${(ms / 1e3).toFixed(1)} s`;
}

/**
 * `text` cut to fit one row of a terminal `columns` characters wide (unknown: uncut), ending in "…" when cut.
 * A line that wraps cannot be redrawn: "\r" returns to the start of its last row only, so every redraw
 * would leave the rows above it behind, and so would the final clear, above the command's output.
 */
function fitRow(text: string, columns: number | undefined): string {
  if (columns === undefined || !(columns > 1)) return text;
  const chars = Array.from(text);
  // one column kept free: a line filling the last column leaves the cursor pending a wrap on some terminals
  const room = columns - 1;
  return chars.length <= room ? text : `${chars.slice(0, room - 1).join("")}…`;
}

/** A progress display on a terminal, or a no-op display when the stream is not one. */
export function progressDisplay(opts: ProgressOptions): ProgressDisplay {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return NONE;
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const width = 24;
  let unit = opts.unit;
  let phaseText: string | undefined;
  let counts: { done: number; total: number } | undefined;
  /** The time and count the ETA's rate is measured from. */
  let rateFrom: { t: number; done: number } | undefined;
  let lastDraw = -Infinity;
  let drawn = false;
  /** After finish nothing is drawn (a late report must not redraw over what the command prints next). */
  let finished = false;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const line = (t: number): string => {
    const elapsed = seconds(t - started);
    // a phase just begun shows no "0.0 s" (a synchronous preparation would leave it standing still)
    if (counts === undefined) return `${phaseText ?? "working"}…${t - started >= 100 ? ` ${elapsed}` : ""}`;
    const { done, total } = counts;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const from = rateFrom!;
    const eta = done >= total ? seconds(0) : done > from.done && t > from.t ? seconds(((t - from.t) / (done - from.done)) * (total - done)) : "?";
    const filled = Math.round(frac * width);
    const bar = opts.bar ? `${"█".repeat(filled)}${"░".repeat(width - filled)} ` : "";
    return `${bar}${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${unit} · ${elapsed} · eta ${eta}`;
  };
  const draw = (force: boolean) => {
    if (finished) return;
    const t = now();
    if (!force && t - lastDraw < 200) return;
    lastDraw = t;
    // read at every draw: the terminal may have been resized
    stream.write(`\r${fitRow(`${line(t)} `, stream.columns)}\x1b[K`);
    drawn = true;
  };
  const tickMs = opts.tickMs ?? 1000;
  if (tickMs > 0) {
    // while work runs on worker threads this thread is idle: keep the elapsed time moving
    ticker = setInterval(() => draw(true), tickMs);
    ticker.unref();
  }
  const display: ProgressDisplay = {
    phase(text) {
      phaseText = text;
      if (counts === undefined) draw(true);
    },
    update(done, total, u) {
      if (u !== undefined) unit = u;
      const first = counts === undefined;
      if (first) rateFrom = { t: now(), done };
      counts = { done, total };
      draw(first || done >= total);
    },
    finish() {
      finished = true;
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
  if (opts.phase !== undefined) display.phase(opts.phase);
  return display;
}
