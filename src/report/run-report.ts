import type { RunResult } from "../run.js";
import { naturalCompare } from "../trace/natural-order.js";
import type { Span } from "../trace/span.js";
import { TOOL, VERSION } from "../version.js";
import type { JsonValue } from "../workload/workload.js";
import { chartsHtml, htmlPage, htmlTable, type PageSection } from "./html-page.js";
import { metricCharts } from "./metric-charts.js";
import { esc, shortNum, timelineChart } from "./svg-charts.js";

/** Spans drawn in the timeline at most (the earliest ones); more would make the page heavy. */
const MAX_SPANS = 4000;
/** Lanes drawn in the timeline at most. */
const MAX_LANES = 48;

/** The span timeline chart: one lane per `where`, the earliest MAX_SPANS spans, in µs/ms/s. */
export function traceTimeline(spans: readonly Span[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.dur - a.dur);
  const shown = sorted.slice(0, MAX_SPANS);
  const laneNames = [...new Set(shown.map((s) => s.where))].sort(naturalCompare);
  const lanes = laneNames.slice(0, MAX_LANES).map((name) => ({
    name,
    spans: shown.filter((s) => s.where === name).map((s) => ({ start: s.start, dur: s.dur, kind: s.kind, label: s.what })),
  }));
  const left: string[] = [];
  if (sorted.length > shown.length) left.push(`${sorted.length - shown.length} later spans`);
  if (laneNames.length > lanes.length) left.push(`${laneNames.length - lanes.length} lanes`);
  return timelineChart({ title: `trace: ${spans.length} spans on ${new Set(spans.map((s) => s.where)).size} lanes`, lanes, ...(left.length > 0 ? { note: `not drawn: ${left.join(", ")}` } : {}) });
}

function scalarRows(metrics: Record<string, JsonValue>): [string, string][] {
  return Object.entries(metrics)
    .filter(([, v]) => v === null || typeof v !== "object")
    .map(([k, v]) => [k, typeof v === "number" ? `${shortNum(v)}${Number.isInteger(v) ? "" : ` (${v})`}` : String(v)]);
}

/**
 * The HTML report of one run: summary tables and notes, scalar metrics, the charts found in the
 * metrics' shape (see `metricCharts`), and a span timeline when the trace is given.
 */
export function runReportHtml(r: RunResult, spans?: readonly Span[]): string {
  const s = r.scenario;
  const sections: PageSection[] = [];
  const tables = r.tables.map((t) => htmlTable(t.head, t.rows.map((row) => row.map((c) => c)), t.title)).join("\n");
  const notes = r.notes.map((n) => `<p class="note">note: ${esc(n)}</p>`).join("");
  sections.push({ heading: "Summary", html: tables + notes });
  const scalars = scalarRows(r.metrics);
  if (scalars.length > 0) sections.push({ heading: "Metrics", html: htmlTable(["metric", "value"], scalars) });
  const charts = metricCharts(r.metrics);
  if (charts.length > 0) sections.push({ heading: "Charts", html: chartsHtml(charts) });
  if (spans !== undefined && spans.length > 0) sections.push({ heading: "Timeline", html: `<figure>${traceTimeline(spans)}<figcaption>spans by where; hover for details</figcaption></figure>` });
  return htmlPage(`${s.name} — ascend-sim report`, `${TOOL} ${VERSION} · workload ${s.workload.def.kind} · cluster ${s.env.cluster?.name ?? "none"} · seed ${s.seed}`, sections);
}
