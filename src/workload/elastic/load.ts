import type { RngStreams } from "../../engine/index.js";
import type { Arrival } from "../serving/request.js";
import type { ElasticCore } from "./schema.js";

/**
 * Prefix-block ids of every elastic request: none. Elastic has no prefix cache, and one id per 512 prompt
 * tokens per request was all the memory a long prompt cost (1e9 tokens × 116 requests ran out of heap).
 */
const NO_BLOCKS: readonly number[] = [];

/** Arrival rate at time `t` of the load phases, requests/s (0 after the last phase). */
export function rateAt(cfg: ElasticCore, tS: number): number {
  let start = 0;
  for (const p of cfg.load.phases) {
    if (tS < p.until_s) {
      const end = p.rate_end_per_s ?? p.rate_per_s;
      const f = p.until_s > start ? (tS - start) / (p.until_s - start) : 0;
      return p.rate_per_s + (end - p.rate_per_s) * f;
    }
    start = p.until_s;
  }
  return 0;
}

/** Arrivals of the load: the offline batch at 0, then a non-homogeneous Poisson process (thinning, stream `arrivals`) up to `duration_s`. */
export function elasticArrivals(cfg: ElasticCore, rng: RngStreams): Arrival[] {
  const out: Arrival[] = [];
  const { input_tokens: input, output_tokens: output } = cfg.load;
  const mk = (atNs: number): Arrival => ({ atNs, input, output, hashIds: NO_BLOCKS });
  for (let i = 0; i < cfg.load.offline_batch; i++) out.push(mk(0));
  let max = 0;
  for (const p of cfg.load.phases) max = Math.max(max, p.rate_per_s, p.rate_end_per_s ?? 0);
  if (max <= 0) return out;
  const u = rng.stream("arrivals");
  let t = 0;
  for (;;) {
    t += -Math.log(1 - u()) / max;
    if (t >= cfg.duration_s) break;
    if (u() * max < rateAt(cfg, t)) out.push(mk(Math.round(t * 1e9)));
  }
  return out;
}
