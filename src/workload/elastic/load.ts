import type { RngStreams } from "../../engine/index.js";
import type { Arrival } from "../serving/request.js";
import type { ElasticCore } from "./schema.js";

/** First hash id of the private prompt blocks (no prefix reuse in elastic runs). */
const PRIVATE_ID_BASE = 2 ** 40;

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
  const blocks = Math.ceil(input / 512); // 512-token prefix blocks, as the Mooncake hash_ids (workloads.md; serving BLOCK_TOKENS)
  let id = PRIVATE_ID_BASE;
  const mk = (atNs: number): Arrival => {
    const hashIds: number[] = [];
    for (let j = 0; j < blocks; j++) hashIds.push(id++);
    return { atNs, input, output, hashIds };
  };
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
