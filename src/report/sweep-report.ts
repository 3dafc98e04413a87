import type { Cell } from "../sweep/flatten-metrics.js";
import type { SweepRecord } from "../sweep/records.js";
import { TOOL, VERSION } from "../version.js";
import { chartsHtml, htmlPage, htmlTable, type PageSection } from "./html-page.js";
import type { Chart } from "./metric-charts.js";
import { lineChart, maxOf, minOf, type Series } from "./svg-charts.js";

/** Metrics plotted at most (in column order); a sweep of a wide workload has hundreds of columns. */
const MAX_METRICS = 40;
/** Rows of the results table shown at most. */
const MAX_ROWS = 200;

function numericColumns(records: readonly SweepRecord[]): string[] {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.metrics)) if (!seen.has(k)) (seen.add(k), cols.push(k));
  return cols.filter((c) => {
    if (c.endsWith(".ci95")) return false;
    const vals = records.map((r) => r.metrics[c]).filter((v): v is number => typeof v === "number");
    return vals.length > 0 && new Set(vals).size > 1;
  });
}

/**
 * The HTML report of a sweep: the results table, then each varying metric against each swept knob
 * (numeric knobs on a numeric axis, others as categories; one line per combination of the other
 * knobs; error bars from `.ci95` when the sweep ran several seeds).
 */
export function sweepReportHtml(records: readonly SweepRecord[], title: string): string {
  const ok = records.filter((r) => r.status === "ok");
  const knobs = [...new Set(records.flatMap((r) => Object.keys(r.point)))];
  const metrics = numericColumns(ok);
  const sections: PageSection[] = [];
  const shownMetrics = metrics.slice(0, 8);
  const rows = records.slice(0, MAX_ROWS).map((r) => [r.index, r.status, ...knobs.map((k) => r.point[k] ?? null), ...shownMetrics.map((m) => (r.metrics[m] ?? null) as Cell)]);
  sections.push({
    heading: "Results",
    html:
      htmlTable(["index", "status", ...knobs, ...shownMetrics], rows) +
      `<p class="note">${records.length} points, ${records.length - ok.length} failed; ${metrics.length} metrics vary${metrics.length > shownMetrics.length ? ` (first ${shownMetrics.length} shown; all are in the CSV/JSONL output)` : ""}.</p>` +
      records.filter((r) => r.status === "failed").map((r) => `<p class="note">point ${r.index} failed: ${r.error ?? ""}</p>`).join(""),
  });
  for (const knob of knobs) {
    const values = [...new Set(ok.map((r) => r.point[knob]!))];
    const numeric = values.every((v) => v !== undefined && v.trim() !== "" && Number.isFinite(Number(v)));
    const categories = numeric ? undefined : values;
    const xOf = (r: SweepRecord) => (numeric ? Number(r.point[knob]) : values.indexOf(r.point[knob]!));
    const xs = ok.map(xOf);
    const logX = numeric && xs.every((x) => x > 0) && maxOf(xs) / minOf(xs) >= 16;
    const others = knobs.filter((k) => k !== knob);
    const charts: Chart[] = [];
    for (const m of metrics.slice(0, MAX_METRICS)) {
      const groups = new Map<string, { pts: [number, number][]; err: number[] }>();
      for (const r of ok) {
        const y = r.metrics[m];
        if (typeof y !== "number") continue;
        const g = others.map((k) => `${k}=${r.point[k]}`).join(" ");
        if (!groups.has(g)) groups.set(g, { pts: [], err: [] });
        const e = r.metrics[`${m}.ci95`];
        groups.get(g)!.pts.push([xOf(r), y]);
        groups.get(g)!.err.push(typeof e === "number" ? e : 0);
      }
      const series: Series[] = [...groups].map(([name, g]) => {
        const order = g.pts.map((_, i) => i).sort((a, b) => g.pts[a]![0] - g.pts[b]![0]);
        return { name, points: order.map((i) => g.pts[i]!), errors: order.map((i) => g.err[i]!) };
      });
      charts.push({ title: `${m} vs ${knob}`, svg: lineChart({ title: `${m} vs ${knob}`, xLabel: knob, yLabel: m, series, logX, ...(categories ? { categories } : {}) }) });
    }
    const more = metrics.length > MAX_METRICS ? `<p class="note">${metrics.length - MAX_METRICS} more metrics are not plotted.</p>` : "";
    if (charts.length > 0) sections.push({ heading: `Metrics vs ${knob}`, html: chartsHtml(charts) + more });
  }
  return htmlPage(`${title} — ascend-sim sweep report`, `${TOOL} ${VERSION} · ${records.length} points · knobs ${knobs.join(", ") || "none"}`, sections);
}
