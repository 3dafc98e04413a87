import { inputError } from "../config/errors.js";

/** A slice `i/n` of a sweep: shard i (0-based) of n. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `--shard i/n` (0 ≤ i < n), e.g. `--shard $SLURM_ARRAY_TASK_ID/8`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    inputError({ path: "", message: `--shard expects i/n with 0 ≤ i < n (e.g. --shard 0/4), got "${text}"` });
  }
  return { index, count };
}

/**
 * Whether point `pointIndex` belongs to `shard`: round-robin (point k goes to shard k mod n), so
 * shards get similar work even when cost grows along an axis, and the slice depends only on i, n
 * and the point list — never on the machine.
 */
export function inShard(pointIndex: number, shard: Shard): boolean {
  return pointIndex % shard.count === shard.index;
}
