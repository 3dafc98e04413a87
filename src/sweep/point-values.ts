import { parseSetArgument } from "../config/document.js";
import { InputError } from "../config/errors.js";
import type { JsonValue } from "../workload/workload.js";

/** Whether a parsed YAML value survives JSON: not `.inf`/`.nan` (JSON.stringify would print null), nested included. */
function isJsonSafe(v: unknown): v is JsonValue {
  if (typeof v === "number") return Number.isFinite(v);
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (Array.isArray(v)) return v.every(isJsonSafe);
  if (typeof v === "object") return Object.values(v as object).every(isJsonSafe);
  return false;
}

/**
 * A knob's value text (as on the command line or in a space file) as the value `--set` gives it — YAML
 * scalar or flow collection: `32` → 32, `true` → true, `400Gb/s` → "400Gb/s", `[1,2]` → [1, 2] — for the
 * JSON outputs, so scripts get numbers and booleans. Text that is not valid YAML, or whose value JSON
 * cannot hold (`.inf`, `.nan`), stays the text: the point ran (or failed) with exactly that text.
 */
export function pointValue(text: string): JsonValue {
  let value: unknown;
  try {
    // the --set parser itself (through a placeholder key), so the two can never disagree
    value = parseSetArgument(`knob=${text}`).value;
  } catch (e) {
    if (e instanceof InputError) return text;
    throw e;
  }
  return isJsonSafe(value) ? value : text;
}

/** A point's knob → value text as knob → typed value (`pointValue`), in the same key order. */
export function typedPoint(point: Readonly<Record<string, string>>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(point).map(([k, v]) => [k, pointValue(v)]));
}
