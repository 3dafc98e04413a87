/**
 * A progress bar with an ETA on stderr, redrawn at most every 200 ms, drawn only when the stream is a
 * terminal (pipes, CI logs and output files never see it). Wall-clock time is used here only.
 */
export function progressBar(total: number, unit: string, stream: NodeJS.WriteStream = process.stderr): { update: (done: number) => void; finish: () => void } {
  if (!stream.isTTY || total === 0) return { update: () => {}, finish: () => {} };
  const started = performance.now();
  const width = 24;
  let last = -Infinity;
  let drawn = false;
  return {
    update(done) {
      const now = performance.now();
      if (now - last < 200 && done < total) return;
      last = now;
      const frac = done / total;
      const elapsed = (now - started) / 1e3;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
      const filled = Math.round(frac * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      stream.write(`\r${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${unit} · ${elapsed.toFixed(1)} s · eta ${Number.isNaN(eta) ? "?" : eta.toFixed(1) + " s"} \x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}
