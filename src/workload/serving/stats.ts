/*
 * Summary statistics of latency samples: mean and nearest-rank percentiles of a sorted copy, and a
 * log-binned histogram for per-token gaps (ITL), which number in the millions on a long trace.
 */

/** Mean and percentiles of a sample, in the sample's unit. */
export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** Nearest-rank percentile q ∈ (0, 1] of an ascending array. */
export function percentile(sorted: readonly number[] | Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Mean, p50, p90 and p99 of `values` (0s for an empty sample). */
export function summarize(values: readonly number[]): Summary {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, mean: s.length > 0 ? sum / s.length : 0, p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99) };
}

/** Relative width of a histogram bin (1 %): percentiles are exact to ±0.5 %. */
const BIN_RATIO = 1.01;

/** A weighted histogram of positive values on 1 %-wide logarithmic bins. */
export class LogHistogram {
  private readonly bins = new Map<number, number>();
  private total = 0;
  private sum = 0;

  /** Adds `weight` samples of `value` (> 0). */
  add(value: number, weight = 1): void {
    const b = Math.floor(Math.log(Math.max(value, 1e-9)) / Math.log(BIN_RATIO));
    this.bins.set(b, (this.bins.get(b) ?? 0) + weight);
    this.total += weight;
    this.sum += value * weight;
  }

  /** Mean and percentiles (bin centres), in the values' unit. */
  summary(): Summary {
    if (this.total === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0 };
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const at = (q: number): number => {
      let c = 0;
      for (const k of keys) {
        c += this.bins.get(k)!;
        if (c >= q * this.total - 1e-9) return Math.pow(BIN_RATIO, k + 0.5);
      }
      return Math.pow(BIN_RATIO, keys[keys.length - 1]! + 0.5);
    };
    return { count: Math.round(this.total), mean: this.sum / this.total, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  }
}
