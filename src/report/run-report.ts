import type { RunResult } from "../run.js";
import { naturalCompare } from "../trace/natural-order.js";
import type { Span } from "../trace/span.js";
import { TOOL, VERSION } from "../version.js";
import type { JsonValue } from "../workload/workload.js";
import { chartsHtml, htmlPage, htmlTable, type PageSection } from "./html-page.js";
import { metricCharts } from "./metric-charts.js";
import { esc, shortNum, timelineChart } from "./svg-charts.js";

/** Spans drawn in the timeline at most, count (the earliest ones; the title gives the total): more would make the page heavy. */
const MAX_SPANS = 4000;
/** Lanes drawn in the timeline at most. */
const MAX_LANES = 48;

/**
 * What the timeline draws of a trace, collected span by span: the earliest MAX_SPANS spans (by start,
 * longest first, then emission order) and the count of spans and of distinct `where`s. Memory is bounded
 * by 2 × MAX_SPANS spans plus the distinct `where`s, however long the run, so `run --report` keeps no
 * whole trace.
 */
export class TimelineSample {
  private kept: { readonly s: Span; readonly seq: number }[] = [];
  private seq = 0;
  private readonly wheres = new Set<string>();

  add(s: Span): void {
    this.wheres.add(s.where);
    this.kept.push({ s, seq: this.seq++ });
    if (this.kept.length >= 2 * MAX_SPANS) this.trim();
  }

  /** Spans added. */
  get count(): number {
    return this.seq;
  }

  /** Distinct `where`s of the spans added. */
  get laneCount(): number {
    return this.wheres.size;
  }

  /** The earliest MAX_SPANS spans, in timeline order. */
  earliest(): Span[] {
    this.trim();
    return this.kept.map((k) => k.s);
  }

  private trim(): void {
    this.kept.sort((a, b) => a.s.start - b.s.start || b.s.dur - a.s.dur || a.seq - b.seq);
    if (this.kept.length > MAX_SPANS) this.kept.length = MAX_SPANS;
  }
}

/** A sample of all of `spans`. */
function sampleOf(spans: readonly Span[]): TimelineSample {
  const sample = new TimelineSample();
  for (const s of spans) sample.add(s);
  return sample;
}

/** The span timeline chart: one lane per `where`, the earliest MAX_SPANS spans, in µs/ms/s. */
export function traceTimeline(spans: readonly Span[] | TimelineSample): string {
  const sample = spans instanceof TimelineSample ? spans : sampleOf(spans);
  const shown = sample.earliest();
  const laneNames = [...new Set(shown.map((s) => s.where))].sort(naturalCompare);
  const lanes = laneNames.slice(0, MAX_LANES).map((name) => ({
    name,
    spans: shown.filter((s) => s.where === name).map((s) => ({ start: s.start, dur: s.dur, kind: s.kind, label: s.what })),
  }));
  const left: string[] = [];
  if (sample.count > shown.length) left.push(`${sample.count - shown.length} later spans`);
  if (laneNames.length > lanes.length) left.push(`${laneNames.length - lanes.length} lanes`);
  return timelineChart({ title: `trace: ${sample.count} spans on ${sample.laneCount} lanes`, lanes, ...(left.length > 0 ? { note: `not drawn: ${left.join(", ")}` } : {}) });
}

function scalarRows(metrics: Record<string, JsonValue>): [string, string][] {
  return Object.entries(metrics)
    .filter(([, v]) => v === null || typeof v !== "object")
    .map(([k, v]) => [k, typeof v === "number" ? `${shortNum(v)}${Number.isInteger(v) ? "" : ` (${v})`}` : String(v)]);
}

/**
 * The HTML report of one run: summary tables and notes, scalar metrics, the charts found in the
 * metrics' shape (see `metricCharts`), and a span timeline when the trace is given (all its spans, or a
 * TimelineSample of them collected during the run).
 */
export function runReportHtml(r: RunResult, spans?: readonly Span[] | TimelineSample): string {
  const s = r.scenario;
  const sections: PageSection[] = [];
  const tables = r.tables.map((t) => htmlTable(t.head, t.rows.map((row) => row.map((c) => c)), t.title)).join("\n");
  const notes = r.notes.map((n) => `<p class="note">note: ${esc(n)}</p>`).join("");
  sections.push({ heading: "Summary", html: tables + notes });
  const scalars = scalarRows(r.metrics);
  if (scalars.length > 0) sections.push({ heading: "Metrics", html: htmlTable(["metric", "value"], scalars) });
  const charts = metricCharts(r.metrics);
  if (charts.length > 0) sections.push({ heading: "Charts", html: chartsHtml(charts) });
  const spanCount = spans === undefined ? 0 : spans instanceof TimelineSample ? spans.count : spans.length;
  if (spans !== undefined && spanCount > 0) sections.push({ heading: "Timeline", html: `<figure>${traceTimeline(spans)}<figcaption>spans by where; hover for details</figcaption></figure>` });
  return htmlPage(`${s.name} — ascend-sim report`, `${TOOL} ${VERSION} · workload ${s.workload.def.kind} · cluster ${s.env.cluster?.name ?? "none"} · seed ${s.seed}`, sections);
}
