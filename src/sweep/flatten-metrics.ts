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

function walk(v: JsonValue, name: string, out: FlatMetrics): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return;
    if (v.every((x) => !Array.isArray(x) && !isRecord(x))) {
      v.forEach((x, i) => out.set(`${name}[${i}]`, x as Cell));
      return;
    }
    const keys = rowKeyFields(v);
    v.forEach((item, i) => {
      if (keys === undefined || !isRecord(item)) {
        walk(item, `${name}[${i}]`, out);
        return;
      }
      const prefix = name + keys.map((k) => `[${k}=${String(item[k])}]`).join("");
      for (const [k, x] of Object.entries(item)) if (!keys.includes(k)) walk(x, `${prefix}.${k}`, out);
    });
    return;
  }
  if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) walk(x, name === "" ? k : `${name}.${k}`, out);
    return;
  }
  out.set(name, v);
}

/**
 * Flattens a metrics object into columns: nested keys joined with dots (`memory.weights_gib`), lists
 * of scalars by index (`ttft_ms[3]`), lists of objects by their identifying fields
 * (`results[op=all_reduce][algorithm=ring][size_bytes=1024].busbw_gb_per_s`, see `rowKeyFields`) or
 * by index when no fields identify the rows (`steps[3].time_ms`).
 */
export function flattenMetrics(metrics: JsonValue): FlatMetrics {
  const out: FlatMetrics = new Map();
  walk(metrics, "", out);
  return out;
}
