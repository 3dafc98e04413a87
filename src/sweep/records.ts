import { inputError } from "../config/errors.js";
import type { Cell } from "./flatten-metrics.js";
import { typedPoint } from "./point-values.js";

/** One row of a sweep's output: a point, the seeds it ran with, its status and its flat metrics. */
export interface SweepRecord {
  /** 0-based position in the unsharded point list. */
  readonly index: number;
  /** Number of points in the whole (unsharded) sweep. */
  readonly of: number;
  /** Fingerprint of the sweep definition (config text, --set, axes, seeds), so merge can refuse foreign shards. */
  readonly sweep: string;
  /** Swept knob → value text as written, in axis order (CSV shows it; the JSON outputs type it with `pointValue`). */
  readonly point: Readonly<Record<string, string>>;
  /** Seeds the point ran with. */
  readonly seeds: readonly number[];
  readonly status: "ok" | "failed";
  /** Error message (one line) when failed. */
  readonly error?: string;
  /** Flat metrics (with several seeds: each number is the mean, plus `<name>.ci95`). */
  readonly metrics: Readonly<Record<string, Cell>>;
}

/** Most points a record may claim for its sweep (`of`): no sweep (MAX_SWEEP_RUNS) or search space (MAX_SPACE_POINTS) has more. */
export const MAX_RECORD_POINTS = 100_000;

/**
 * One record as one JSONL line (fixed key order, JSON number formatting), newline-terminated. `point`
 * holds the typed values (`pointValue`: 32, true, "400Gb/s") for scripts; `point_text` the text as
 * written, which `sweep merge` reads back so its CSV shows the same text as an unsharded run.
 */
export function recordToJsonLine(r: SweepRecord): string {
  return (
    JSON.stringify({
      index: r.index,
      of: r.of,
      sweep: r.sweep,
      point: typedPoint(r.point),
      point_text: r.point,
      seeds: r.seeds,
      status: r.status,
      ...(r.error !== undefined ? { error: r.error } : {}),
      metrics: r.metrics,
    }) + "\n"
  );
}

/** Records as JSONL text. */
export function recordsToJsonl(records: readonly SweepRecord[]): string {
  return records.map(recordToJsonLine).join("");
}

function isCell(v: unknown): v is Cell {
  return v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean";
}

function isTextRecord(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

/**
 * Parses one JSONL line of a sweep output; `where` (file:line) names it in errors. The knob values come
 * from `point_text`; a line without it, written before `point` was typed, holds the text in `point`
 * and is read the same way (so old shards merge byte-identically with new ones of the same sweep).
 */
export function parseRecordLine(line: string, where: string): SweepRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return inputError({ file: where, path: "", message: `not a JSON line: ${(e as Error).message}` });
  }
  const o = v as Partial<Record<keyof SweepRecord | "point_text", unknown>>;
  const ok =
    typeof v === "object" &&
    v !== null &&
    Number.isInteger(o.index) &&
    Number.isInteger(o.of) &&
    typeof o.sweep === "string" &&
    typeof o.point === "object" &&
    o.point !== null &&
    Array.isArray(o.seeds) &&
    (o.status === "ok" || o.status === "failed") &&
    typeof o.metrics === "object" &&
    o.metrics !== null &&
    Object.values(o.metrics).every(isCell);
  if (!ok) inputError({ file: where, path: "", message: "not a sweep record (expected index, of, sweep, point, seeds, status, metrics — written by `ascend-sim sweep --out x.jsonl`)" });
  const r = v as SweepRecord;
  // a hand-edited or foreign line must not slip an extra row into the merge, nor make it count to 10¹²
  if (r.of < 1 || r.of > MAX_RECORD_POINTS) {
    inputError({ file: where, path: "of", message: `expected the number of points of the sweep, from 1 to ${MAX_RECORD_POINTS.toLocaleString("en-US")} (the most a sweep or search space has), got ${r.of}` });
  }
  if (r.index < 0 || r.index >= r.of) inputError({ file: where, path: "index", message: `expected a point index from 0 to ${r.of - 1} (the sweep has ${r.of} points), got ${r.index}` });
  if (!r.seeds.every((x) => Number.isInteger(x))) inputError({ file: where, path: "seeds", message: `expected a list of integer seeds, got ${JSON.stringify(r.seeds)}` });
  if (r.error !== undefined && typeof r.error !== "string") inputError({ file: where, path: "error", message: `expected the error message as text, got ${JSON.stringify(r.error)}` });
  const text = o.point_text ?? o.point;
  if (!isTextRecord(text)) {
    const why = o.point_text === undefined ? "`point_text` is missing and `point` does not hold text values either" : "`point_text` is not a mapping of knob → value text";
    inputError({ file: where, path: "", message: `not a sweep record: ${why} (expected the knob values as written, e.g. "point_text": {"workload.ranks": "32"} — written by \`ascend-sim sweep --out x.jsonl\`)` });
  }
  return { ...r, point: text };
}

function csvCell(v: Cell | undefined): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" && !Number.isFinite(v) ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Records as CSV (RFC 4180): `index, status, error`, the swept knobs, `seeds` (space-separated), then
 * the union of metric columns in order of first appearance, so shards merged later give the same bytes.
 * Absent and null values are empty cells.
 */
export function recordsToCsv(records: readonly SweepRecord[]): string {
  const knobs: string[] = [];
  const metrics: string[] = [];
  const seenK = new Set<string>();
  const seenM = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r.point)) if (!seenK.has(k)) (seenK.add(k), knobs.push(k));
    for (const m of Object.keys(r.metrics)) if (!seenM.has(m)) (seenM.add(m), metrics.push(m));
  }
  const lines = [["index", "status", "error", ...knobs, "seeds", ...metrics].map(csvCell).join(",")];
  for (const r of records) {
    lines.push(
      [r.index, r.status, r.error ?? null, ...knobs.map((k) => r.point[k] ?? null), r.seeds.join(" "), ...metrics.map((m) => r.metrics[m] ?? null)]
        .map((c) => csvCell(c))
        .join(","),
    );
  }
  return lines.join("\n") + "\n";
}
