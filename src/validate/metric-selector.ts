import type { JsonValue } from "../workload/workload.js";

/** A selector's tokens: a key, or a `[field=value]` filter (matchAll copies the regex, so sharing it is safe). */
const TOKEN = /([^.[\]]+)|\[([^=\]]+)=([^\]]*)\]/g;

/**
 * Reads a number out of a metrics object by a selector like `moe_results[op=combine][ep=256].latency_us`:
 * dotted keys, and `[key=value]` filters that keep the list items whose field equals the value (compared
 * as strings; several filters narrow the same list); a key after a filter reads the first item left.
 * Returns undefined when the path does not lead to a number.
 */
export function selectMetric(metrics: JsonValue, selector: string): number | undefined {
  let cur: JsonValue | undefined = metrics;
  for (const m of selector.matchAll(TOKEN)) {
    if (cur === undefined || cur === null) return undefined;
    if (m[1] !== undefined) {
      if (Array.isArray(cur)) cur = cur[0];
      if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
      // own keys only: `constructor.length` is no metric
      cur = Object.hasOwn(cur, m[1]) ? cur[m[1]] : undefined;
    } else {
      if (!Array.isArray(cur)) return undefined;
      const key = m[2]!;
      const value = m[3]!;
      cur = cur.filter((item) => typeof item === "object" && item !== null && !Array.isArray(item) && Object.hasOwn(item, key) && String(item[key]) === value);
    }
  }
  if (Array.isArray(cur)) cur = cur[0];
  return typeof cur === "number" ? cur : undefined;
}

/**
 * Every value a selector reaches, following all items where `selectMetric` takes the first: a selector
 * whose filters leave several rows (`results[algorithm=ring].time_us` over several sizes) reaches one
 * value per row. Lists at the end are expanded into their items.
 */
export function selectMetricValues(metrics: JsonValue, selector: string): JsonValue[] {
  let cur: JsonValue[] = [metrics];
  const items = (vs: JsonValue[]) => vs.flatMap((v) => (Array.isArray(v) ? v : [v]));
  for (const m of selector.matchAll(TOKEN)) {
    const key = m[1];
    if (key !== undefined) {
      cur = items(cur).flatMap((v) => (typeof v === "object" && v !== null && !Array.isArray(v) && Object.hasOwn(v, key) ? [v[key]!] : []));
    } else {
      const [field, value] = [m[2]!, m[3]!];
      cur = cur.filter(Array.isArray).map((list) => list.filter((item) => typeof item === "object" && item !== null && !Array.isArray(item) && Object.hasOwn(item, field) && String(item[field]) === value));
    }
  }
  return items(cur);
}
