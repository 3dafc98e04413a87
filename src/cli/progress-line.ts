import type { Progress } from "../trace/span.js";

/**
 * A progress line on stderr, redrawn at most every 200 ms, only when stderr is a terminal — so
 * pipes, CI logs and `--json` consumers never see it. Wall-clock time is used here and nowhere else.
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): { update: (p: Progress) => void; finish: () => void } {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
  const started = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < 200 && p.done < p.total) return;
      last = now;
      const frac = p.total > 0 ? p.done / p.total : 0;
      const elapsed = (now - started) / 1e3;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : 0;
      stream.write(`\r${(frac * 100).toFixed(0).padStart(3)}% ${p.done}/${p.total} ${p.unit} · ${elapsed.toFixed(1)} s · eta ${eta.toFixed(1)} s `);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}
