import type { RngStreams } from "../../engine/index.js";
import { lengthSampler, standardNormal } from "./lengths.js";
import { BLOCK_TOKENS, type Arrival } from "./request.js";
import type { ServingCore } from "./schema.js";

/*
 * Synthetic arrivals: Poisson or Gamma inter-arrival times at a rate, sampled prompt and output lengths,
 * and an optional shared-prefix structure (a fraction of each prompt is one of `pool` shared prefixes, as
 * whole 512-token blocks with shared hash ids). Streams: `arrivals` (times), `lengths`, `prefixes`.
 */

/** First hash id of a request's private blocks; shared prefix k uses ids k × PREFIX_ID_STRIDE + j below it. */
const PRIVATE_ID_BASE = 2 ** 40;
/** Id stride between shared prefixes (blocks per prefix at most), count. */
const PREFIX_ID_STRIDE = 2 ** 20;

/** A Gamma(shape k, scale 1) variate (Marsaglia–Tsang; k < 1 boosted by U^(1/k)). */
function gamma(k: number, u: () => number): number {
  if (k < 1) return gamma(k + 1, u) * Math.pow(Math.max(u(), Number.MIN_VALUE), 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x * x * x * x || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Arrivals in [0, duration) from the run's named streams, ns. */
export function syntheticArrivals(cfg: ServingCore, rng: RngStreams, durationNs: number): Arrival[] {
  const a = cfg.arrivals;
  const ut = rng.stream("arrivals");
  const ul = rng.stream("lengths");
  const up = rng.stream("prefixes");
  const inLen = lengthSampler(a.input, ul);
  const outLen = lengthSampler(a.output, ul);
  const meanGapNs = 1e9 / a.rate_per_s;
  // Gamma inter-arrivals with mean 1/rate and CV cv: shape 1/cv², scale mean·cv²
  const shape = 1 / (a.cv * a.cv);
  const gap = a.kind === "gamma" ? () => gamma(shape, ut) * meanGapNs / shape : () => -Math.log(1 - ut()) * meanGapNs;
  const out: Arrival[] = [];
  let privateId = PRIVATE_ID_BASE;
  let t = gap();
  while (t < durationNs) {
    const input = inLen();
    const output = Math.max(1, outLen());
    const blocks = Math.ceil(input / BLOCK_TOKENS);
    const shared = a.shared_prefix.fraction > 0 ? Math.min(blocks, Math.floor((a.shared_prefix.fraction * input) / BLOCK_TOKENS)) : 0;
    const prefix = shared > 0 ? Math.floor(up() * a.shared_prefix.pool) : 0;
    // sized up front: a pushed array keeps spare capacity (17 slots for one block), held for the whole run
    const hashIds = new Array<number>(blocks);
    for (let j = 0; j < blocks; j++) hashIds[j] = j < shared ? prefix * PREFIX_ID_STRIDE + j : privateId++;
    out.push({ atNs: Math.round(t), input, output, hashIds });
    t += gap();
  }
  return out;
}
