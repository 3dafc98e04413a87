import type { JsonValue } from "../workload/workload.js";

/**
 * Reads a number out of a metrics object by a selector like `moe_results[op=combine][ep=256].latency_us`:
 * dotted keys, and `[key=value]` filters that keep the list items whose field equals the value (compared
 * as strings; several filters narrow the same list); a key after a filter reads the first item left.
 * Returns undefined when the path does not lead to a number.
 */
export function selectMetric(metrics: JsonValue, selector: string): number | undefined {
  let cur: JsonValue | undefined = metrics;
  const token = /([^.[\]]+)|\[([^=\]]+)=([^\]]*)\]/g;
  for (const m of selector.matchAll(token)) {
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
