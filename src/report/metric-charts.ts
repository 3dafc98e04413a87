import { rowKeyFields } from "../sweep/flatten-metrics.js";
import type { JsonValue } from "../workload/workload.js";
import { barChart, lineChart, maxOf, minOf, type Series } from "./svg-charts.js";

/** A chart for the report: a heading and its SVG. */
export interface Chart {
  readonly title: string;
  readonly svg: string;
}

type Obj = { [k: string]: JsonValue };

function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function numericEntries(o: Obj): [string, number][] {
  return Object.entries(o).filter((e): e is [string, number] => typeof e[1] === "number");
}

const PERCENTILE = /^(?:(.*)_)?p(\d{1,2}(?:\.\d+)?)(_[a-z0-9_]+)?$/;
const TIME_FIELD = /(^|_)(t|time|ts|at)(_[a-z]+)?$|^(t|time)_/;

/** Charts per field: at most this many y fields per list, so wide rows stay readable. */
const MAX_FIELDS = 6;
/** Bars per chart. */
const MAX_BARS = 40;

function span(xs: number[]): number {
  const pos = xs.filter((x) => x > 0);
  return pos.length === xs.length && pos.length > 0 ? maxOf(pos) / minOf(pos) : 0;
}

function varies(rows: Obj[], f: string): boolean {
  return new Set(rows.map((r) => JSON.stringify(r[f]))).size > 1;
}

/** Charts for a list of rows: lines against a numeric key (sizes, EP…), or bars per named row (operators). */
function rowCharts(name: string, rows: Obj[], out: Chart[]): void {
  const keys = rowKeyFields(rows) ?? [];
  const numeric = Object.keys(rows[0]!).filter((f) => !keys.includes(f) && rows.every((r) => typeof r[f] === "number" || r[f] === null) && varies(rows, f));
  if (numeric.length === 0) return;
  const xKey = [...keys].reverse().find((k) => typeof rows[0]![k] === "number");
  if (xKey !== undefined) {
    const groupKeys = keys.filter((k) => k !== xKey);
    for (const f of numeric.slice(0, MAX_FIELDS)) {
      const groups = new Map<string, [number, number][]>();
      for (const r of rows) {
        const g = groupKeys.map((k) => String(r[k])).join(" · ");
        if (typeof r[f] !== "number") continue;
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g)!.push([r[xKey] as number, r[f] as number]);
      }
      const series: Series[] = [...groups].map(([g, pts]) => ({ name: g, points: [...pts].sort((a, b) => a[0] - b[0]) }));
      const xs = rows.map((r) => r[xKey] as number);
      const ys = series.flatMap((s) => s.points.map((p) => p[1]));
      out.push({ title: `${name}: ${f} vs ${xKey}`, svg: lineChart({ title: `${f} vs ${xKey}`, xLabel: xKey, yLabel: f, series, logX: span(xs) >= 100, logY: span(ys) >= 1000 }) });
    }
    return;
  }
  const label = (r: Obj, i: number) => (keys.length > 0 ? keys.map((k) => String(r[k])).join(" · ") : `#${i}`);
  const shown = rows.slice(0, MAX_BARS);
  const timeField = numeric.find((f) => /(time|latency|duration)/.test(f) && /_(ns|us|ms|s)$/.test(f));
  if (timeField !== undefined) {
    out.push({
      title: `${name}: ${timeField} breakdown`,
      svg: barChart({ title: `${name} · ${timeField} breakdown`, yLabel: timeField, bars: [{ label: "total", segments: rows.map((r, i) => ({ name: label(r, i), value: (r[timeField] as number) ?? 0 })) }] }),
    });
  }
  for (const f of numeric.slice(0, 3)) {
    out.push({ title: `${name}: ${f}`, svg: barChart({ title: `${name} · ${f}`, yLabel: f, bars: shown.map((r, i) => ({ label: label(r, i), segments: [{ name: f, value: (r[f] as number) ?? 0 }] })) }) });
  }
}

/** Time series: every other numeric field of a `timeline` list against its time field. */
function timelineCharts(name: string, rows: Obj[], out: Chart[]): void {
  const fields = Object.keys(rows[0]!);
  const t = fields.find((f) => TIME_FIELD.test(f) && rows.every((r) => typeof r[f] === "number")) ?? fields.find((f) => rows.every((r) => typeof r[f] === "number"));
  if (t === undefined) return;
  // a field may be null in a row that has no value for it (a window with no completions): that point is left out
  const series = (f: string): boolean => rows.every((r) => typeof r[f] === "number" || r[f] === null) && rows.some((r) => typeof r[f] === "number");
  for (const f of fields.filter((f) => f !== t && series(f)).slice(0, MAX_FIELDS)) {
    const points = rows.filter((r) => typeof r[f] === "number").map((r) => [r[t] as number, r[f] as number] as [number, number]);
    out.push({ title: `${name}: ${f} over time`, svg: lineChart({ title: `${f} over ${t}`, xLabel: t, yLabel: f, series: [{ name: "", points }], step: true }) });
  }
}

function cdfChart(title: string, unit: string, values: readonly number[]): Chart {
  const sorted = [...values].sort((a, b) => a - b);
  const points = sorted.map((v, i) => [v, (i + 1) / sorted.length] as const);
  return { title, svg: lineChart({ title, xLabel: unit, yLabel: "fraction ≤ x", series: [{ name: "", points }], step: true }) };
}

/** Percentile scalars of one object (`ttft_p50_ms`, `ttft_p99_ms`, or `{p50, p99}`) grouped into CDFs. */
function percentileCharts(prefix: string, o: Obj, out: Chart[]): Set<string> {
  const groups = new Map<string, [number, number][]>();
  const used = new Set<string>();
  for (const [k, v] of numericEntries(o)) {
    const m = PERCENTILE.exec(k);
    if (!m) continue;
    const base = `${prefix}${m[1] ?? ""}${m[3] ?? ""}`;
    if (!groups.has(base)) groups.set(base, []);
    groups.get(base)!.push([v, Number(m[2]) / 100]);
    used.add(k);
  }
  for (const [base, pts] of groups) {
    if (pts.length < 2) continue;
    pts.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    out.push({ title: `${base || "distribution"}: CDF from percentiles`, svg: lineChart({ title: `${base || "distribution"} (percentiles)`, xLabel: base || "value", yLabel: "fraction ≤ x", series: [{ name: "", points: pts }] }) });
  }
  return used;
}

function visit(name: string, v: JsonValue, depth: number, out: Chart[]): void {
  const leaf = name.split(".").pop() ?? name;
  if (isObj(v) && /breakdown/.test(leaf)) {
    const flat = numericEntries(v);
    if (flat.length > 0) {
      out.push({ title: `${name}`, svg: barChart({ title: name, yLabel: leaf, bars: [{ label: name, segments: flat.map(([k, x]) => ({ name: k, value: x })) }] }) });
      return;
    }
    const nested = Object.entries(v).filter((e): e is [string, Obj] => isObj(e[1]));
    if (nested.length > 0) {
      out.push({ title: name, svg: barChart({ title: name, yLabel: leaf, bars: nested.map(([k, o]) => ({ label: k, segments: numericEntries(o).map(([s, x]) => ({ name: s, value: x })) })) }) });
      return;
    }
  }
  if (isObj(v) && /memory/.test(leaf) && numericEntries(v).length >= 2) {
    const parts = numericEntries(v).filter(([k]) => !/(total|capacity|peak|limit|free)/.test(k));
    out.push({ title: `${name}: memory breakdown`, svg: barChart({ title: `${name} (memory breakdown)`, yLabel: leaf, bars: [{ label: name, segments: (parts.length > 0 ? parts : numericEntries(v)).map(([k, x]) => ({ name: k, value: x })) }] }) });
    return;
  }
  // an object of times in one unit (`exposed_comm_s: {tp, ep, pp, dp}`) is a breakdown by another name
  if (isObj(v) && /_(s|ms|us|ns)$/.test(leaf) && numericEntries(v).length >= 2 && numericEntries(v).length === Object.keys(v).length) {
    out.push({ title: `${name}: breakdown`, svg: barChart({ title: `${name} (breakdown)`, yLabel: leaf, bars: [{ label: name, segments: numericEntries(v).map(([k, x]) => ({ name: k, value: x })) }] }) });
    return;
  }
  if (Array.isArray(v)) {
    if (v.length >= 3 && v.every((x) => typeof x === "number")) {
      out.push(cdfChart(`${name}: CDF`, name, v as number[]));
      return;
    }
    if (v.length > 0 && v.every(isObj)) {
      if (/timeline/.test(leaf)) timelineCharts(name, v as Obj[], out);
      else rowCharts(name, v as Obj[], out);
    }
    return;
  }
  if (isObj(v) && depth < 4) {
    percentileCharts(name === "" ? "" : `${name}.`, v, out);
    for (const [k, x] of Object.entries(v)) visit(name === "" ? k : `${name}.${k}`, x, depth + 1, out);
  }
}

/**
 * The charts a reader wants for a metrics object, found by its shape rather than by workload: lists
 * of rows (lines against a numeric key, bars and a time breakdown per named row), `*breakdown*`
 * objects and objects of times (`*_s`, `*_ms`, `*_us`: stacked bars), `*memory*` objects (memory breakdown), `timeline` lists (series over
 * time), lists of numbers and percentile fields (CDFs).
 */
export function metricCharts(metrics: JsonValue): Chart[] {
  const out: Chart[] = [];
  visit("", metrics, 0, out);
  return out;
}
