import type { DieSpec } from "../../hw/chip-spec.js";
import { computeOpCost, type ComputeOp } from "../../hw/ops/op-descriptor.js";
import type { OpCost } from "../../hw/ops/op-cost.js";
import type { OpEntry } from "./schema.js";

/*
 * The operator descriptor and its cost dispatch live in the hw layer (hw/ops/op-descriptor.ts), shared
 * with the per-layer operator lists of src/model/ops; op-bench only parses YAML into it.
 */

// A parsed entry must be a ComputeOp and vice versa: the schema and the descriptor cannot drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const entryIsComputeOp: Same<OpEntry, ComputeOp> = true;
void entryIsComputeOp;

/** Cost of one op-bench entry on `die` (see `computeOpCost`). */
export function opCostOf(die: DieSpec, e: OpEntry): OpCost {
  return computeOpCost(die, e);
}

/** The shape of an entry as "field=value …" for tables. */
export function shapeOf(e: OpEntry): string {
  const skip = new Set(["op", "label", "cores", "dtype"]);
  return Object.entries(e)
    .filter(([k, v]) => !skip.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

/** The precision of an entry for tables (vector ops work in BF16 with FP32 arithmetic). */
export function dtypeOf(e: OpEntry): string {
  return "dtype" in e ? e.dtype : "bf16";
}
