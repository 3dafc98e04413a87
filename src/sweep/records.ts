import { inputError } from "../config/errors.js";
import type { Cell } from "./flatten-metrics.js";

/** One row of a sweep's output: a point, the seeds it ran with, its status and its flat metrics. */
export interface SweepRecord {
  /** 0-based position in the unsharded point list. */
  readonly index: number;
  /** Number of points in the whole (unsharded) sweep. */
  readonly of: number;
  /** Fingerprint of the sweep definition (config text, --set, axes, seeds), so merge can refuse foreign shards. */
  readonly sweep: string;
  /** Swept knob → value text, in axis order. */
  readonly point: Readonly<Record<string, string>>;
  /** Seeds the point ran with. */
  readonly seeds: readonly number[];
  readonly status: "ok" | "failed";
  /** Error message (one line) when failed. */
  readonly error?: string;
  /** Flat metrics (with several seeds: each number is the mean, plus `<name>.ci95`). */
  readonly metrics: Readonly<Record<string, Cell>>;
}

/** One record as one JSONL line (fixed key order, JSON number formatting), newline-terminated. */
export function recordToJsonLine(r: SweepRecord): string {
  return (
    JSON.stringify({
      index: r.index,
      of: r.of,
      sweep: r.sweep,
      point: r.point,
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

/** Parses one JSONL line of a sweep output; `where` (file:line) names it in errors. */
export function parseRecordLine(line: string, where: string): SweepRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return inputError({ file: where, path: "", message: `not a JSON line: ${(e as Error).message}` });
  }
  const o = v as Partial<Record<keyof SweepRecord, unknown>>;
  const ok =
    typeof v === "object" &&
    v !== null &&
    Number.isInteger(o.index) &&
    Number.isInteger(o.of) &&
    typeof o.sweep === "string" &&
    typeof o.point === "object" &&
    o.point !== null &&
    Object.values(o.point).every((x) => typeof x === "string") &&
    Array.isArray(o.seeds) &&
    (o.status === "ok" || o.status === "failed") &&
    typeof o.metrics === "object" &&
    o.metrics !== null &&
    Object.values(o.metrics).every(isCell);
  if (!ok) inputError({ file: where, path: "", message: "not a sweep record (expected index, of, sweep, point, seeds, status, metrics — written by `ascend-sim sweep --out x.jsonl`)" });
  return v as SweepRecord;
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
