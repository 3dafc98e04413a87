import type { Uniform } from "../../engine/index.js";
import type { LengthDist } from "./schema.js";

/*
 * Token-length samplers for synthetic requests. Every sample comes from the stream handed in (named
 * seeded streams only), is rounded to an integer and clipped to [min, max].
 */

/** A standard normal variate from two uniforms (Box–Muller; one of the pair is discarded for simplicity). */
export function standardNormal(u: Uniform): number {
  const a = Math.max(u(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

/** `d`'s clip of a length to [min, max], rounded to whole tokens. */
const clipOf = (d: LengthDist) => (x: number): number => Math.min(d.max, Math.max(d.min, Math.round(x)));

/** A sampler of lengths, tokens. */
export function lengthSampler(d: LengthDist, u: Uniform): () => number {
  const clip = clipOf(d);
  switch (d.dist) {
    case "fixed":
      return () => clip(d.value);
    case "uniform":
      return () => clip(d.min + u() * (d.max - d.min));
    case "normal":
      return () => clip(d.mean + d.std * standardNormal(u));
    case "lognormal": {
      // mean of the length itself: E[e^X] = e^(mu + sigma²/2)
      const mu = Math.log(d.mean) - (d.sigma * d.sigma) / 2;
      return () => clip(Math.exp(mu + d.sigma * standardNormal(u)));
    }
    case "empirical": {
      const rows = d.table ?? [];
      const cum: number[] = [];
      let tot = 0;
      for (const [, w] of rows) cum.push((tot += w));
      return () => {
        const x = u() * tot;
        let i = 0;
        while (i < cum.length - 1 && cum[i]! <= x) i++;
        return clip(rows[i]![0]);
      };
    }
  }
}

/** The rows of an `empirical` table a sample can pick (weight > 0). */
const liveRows = (d: LengthDist): [number, number][] => (d.table ?? []).filter(([, w]) => w > 0);

/** The shortest and the longest length `d` can sample, tokens (after the clip to [min, max]). */
export function lengthRange(d: LengthDist): { shortest: number; longest: number } {
  const clip = clipOf(d);
  switch (d.dist) {
    case "fixed":
      return { shortest: clip(d.value), longest: clip(d.value) };
    case "empirical": {
      const lens = liveRows(d).map(([len]) => clip(len));
      return { shortest: Math.min(...lens), longest: Math.max(...lens) };
    }
    default:
      return { shortest: clip(d.min), longest: clip(d.max) };
  }
}

/** About the mean length `d` samples, tokens (the mean of its parameters, clipped; for sizing a run, not a metric). */
export function meanLength(d: LengthDist): number {
  const clip = clipOf(d);
  switch (d.dist) {
    case "fixed":
      return clip(d.value);
    case "uniform":
      return clip((d.min + d.max) / 2);
    case "empirical": {
      const rows = liveRows(d);
      const w = rows.reduce((a, [, x]) => a + x, 0);
      return rows.reduce((a, [len, x]) => a + (clip(len) * x) / w, 0);
    }
    default:
      return clip(d.mean);
  }
}

/**
 * What is impossible about a length distribution (the key below the distribution, the message), or
 * nothing: a lower clip above the upper one (every sample would be `max`), an empirical table without
 * rows, with weights all zero or summing past the largest double (the sampler's cumulative weights).
 */
export function lengthProblem(d: LengthDist): { key: string; message: string } | undefined {
  if (d.min > d.max) return { key: "min", message: `expected min ≤ max (${d.max} tokens), got ${d.min} tokens: every sample would be clipped to max` };
  if (d.dist !== "empirical") return undefined;
  const rows = d.table ?? [];
  if (rows.length === 0) return { key: "table", message: "dist: empirical needs a table of [length, weight] rows" };
  const sum = rows.reduce((a, [, w]) => a + w, 0);
  if (sum === 0) return { key: "table", message: `expected weights with a positive sum, got ${rows.length === 1 ? "the weight 0" : `all ${rows.length} weights 0`}: no row could be picked` };
  if (!Number.isFinite(sum)) return { key: "table", message: `expected weights whose sum is a finite number, got a sum past 1.8e308 (the largest double): the rows could not be picked in proportion; scale the weights down` };
  return undefined;
}
