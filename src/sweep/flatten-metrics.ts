import type { JsonValue } from "../workload/workload.js";

/** A flat metric cell: a number, string, boolean, or null for "no value". */
export type Cell = number | string | boolean | null;

/** Flat metrics: column name → value, in a deterministic (document) order. */
export type FlatMetrics = Map<string, Cell>;

function isRecord(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isKeyValue(v: JsonValue | undefined): v is string | number {
  return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
}

function distinct(items: readonly { [k: string]: JsonValue }[], fields: readonly string[]): number {
  return new Set(items.map((it) => JSON.stringify(fields.map((f) => it[f])))).size;
}

/**
 * The fields that name the rows of a list of objects: string fields first, then integer fields, each
 * added only when it tells more rows apart, then pruned to a minimal set. Undefined when no set of
 * fields is unique (the list is then flattened by index). Why not always by index: a key such as
 * `results[algorithm=ring][size_bytes=1024]` survives a change in the number or order of rows between
 * sweep points, so columns of different points line up.
 */
export function rowKeyFields(items: readonly JsonValue[]): string[] | undefined {
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  const rows = items as { [k: string]: JsonValue }[];
  const first = rows[0]!;
  const present = Object.keys(first).filter((k) => rows.every((r) => isKeyValue(r[k])));
  const strings = present.filter((k) => rows.every((r) => typeof r[k] === "string"));
  const candidates = [...strings, ...present.filter((k) => !strings.includes(k))];
  const chosen: string[] = [];
  let seen = 1;
  for (const f of candidates) {
    if (seen === rows.length) break;
    const n = distinct(rows, [...chosen, f]);
    if (n > seen) {
      chosen.push(f);
      seen = n;
    }
  }
  if (seen !== rows.length) return undefined;
  for (const f of [...chosen]) {
    const without = chosen.filter((c) => c !== f);
    if (without.length > 0 && distinct(rows, without) === rows.length) chosen.splice(chosen.indexOf(f), 1);
  }
  return chosen;
}

/**
 * Visits `v` depth-first in document order, writing leaves into `out`. Iterative (an explicit stack of
 * pending values, children pushed in reverse so they pop in order): documents nested thousands of
 * levels deep do not overflow the call stack.
 */
function walk(root: JsonValue, out: FlatMetrics): void {
  const stack: [JsonValue, string][] = [[root, ""]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, name] = top;
    const children: [JsonValue, string][] = [];
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      if (v.every((x) => !Array.isArray(x) && !isRecord(x))) {
        v.forEach((x, i) => out.set(`${name}[${i}]`, x as Cell));
        continue;
      }
      const keys = rowKeyFields(v);
      v.forEach((item, i) => {
        if (keys === undefined || !isRecord(item)) {
          children.push([item, `${name}[${i}]`]);
          return;
        }
        const prefix = name + keys.map((k) => `[${k}=${String(item[k])}]`).join("");
        for (const [k, x] of Object.entries(item)) if (!keys.includes(k)) children.push([x, `${prefix}.${k}`]);
      });
    } else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) children.push([x, name === "" ? k : `${name}.${k}`]);
    } else {
      out.set(name, v);
      continue;
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/**
 * Flattens a metrics object into columns: nested keys joined with dots (`memory.weights_gib`), lists
 * of scalars by index (`ttft_ms[3]`), lists of objects by their identifying fields
 * (`results[op=all_reduce][algorithm=ring][size_bytes=1024].busbw_gb_per_s`, see `rowKeyFields`) or
 * by index when no fields identify the rows (`steps[3].time_ms`).
 */
export function flattenMetrics(metrics: JsonValue): FlatMetrics {
  const out: FlatMetrics = new Map();
  walk(metrics, out);
  return out;
}
