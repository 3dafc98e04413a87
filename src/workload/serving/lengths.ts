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

/** A sampler of lengths, tokens. */
export function lengthSampler(d: LengthDist, u: Uniform): () => number {
  const clip = (x: number): number => Math.min(d.max, Math.max(d.min, Math.round(x)));
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
