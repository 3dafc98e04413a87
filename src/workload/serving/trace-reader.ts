import { readFileSync } from "node:fs";
import { InputError, type InputIssue } from "../../config/errors.js";
import { decodeUtf8 } from "../../config/utf8.js";
import { BLOCK_TOKENS, type Arrival } from "./request.js";

/*
 * Readers of the two real trace formats of workloads.md: Mooncake JSONL (`timestamp` ms, `input_length`,
 * `output_length`, `hash_ids` of 512-token blocks) and the Azure LLM inference CSV
 * (`TIMESTAMP,ContextTokens,GeneratedTokens`, arrival = offset from the first row). A malformed line is an
 * InputError naming the file and line, or — with `skip` — skipped and counted. A file that is not UTF-8,
 * or that yields no request to simulate, is an InputError too (not an empty run). A row at or past the
 * `duration_s` cut is checked like any other (a malformed one is still an error: its time may be unreadable,
 * and a file's errors do not depend on the run's length) but is not kept.
 */

/** A parsed trace. */
export interface TraceRead {
  readonly arrivals: Arrival[];
  /** Malformed lines skipped (only with `skip`), count. */
  readonly skipped: number;
  readonly format: "mooncake" | "azure";
  /** Rows held while reading, count: only those not yet known to fall past the duration cut (a row past it is dropped as it is read). */
  readonly held: number;
}

/** Options of `readTrace`. */
export interface TraceOptions {
  /** The path as the user wrote it (for messages). */
  readonly shownPath: string;
  readonly format?: "mooncake" | "azure" | undefined;
  /** Arrival rate multiplier: timestamps are divided by it, dimensionless. */
  readonly rateScale: number;
  /** Keep at most this many requests (null = all). */
  readonly limit: number | null;
  /** Skip malformed lines instead of failing. */
  readonly skip: boolean;
  /** Drop arrivals at or after this time (null = none), ns. */
  readonly untilNs: number | null;
}

/** Offsets (ms) of Azure timestamps `2023-11-16 18:15:46.6805900` (UTC, no time zone in the file). */
function azureMs(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(s.trim());
  if (m === null) return undefined;
  const frac = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  return daysFromCivil(+m[1]!, +m[2]!, +m[3]!) * 86_400_000 + ((+m[4]! * 60 + +m[5]!) * 60 + +m[6]!) * 1000 + frac;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil; no Date object). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const nonNegInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** Malformed lines shown with the same expectation (the rest are counted in one "… and N more" issue), count. */
const MAX_SHOWN_PER_PROBLEM = 3;
/** Malformed lines shown at most, count. */
const MAX_SHOWN = 20;
/** Characters of a found value or line quoted in a message, count. */
const SHOWN_CHARS = 60;

/** Text as found, quoted (JSON escapes: control characters stay visible) and cut to SHOWN_CHARS. */
function quoted(text: string): string {
  return text.length > SHOWN_CHARS ? `${JSON.stringify(text.slice(0, SHOWN_CHARS))}…` : JSON.stringify(text);
}

/** A parsed JSON value as found: `missing`, a number as written, else its JSON (quoted when a string), cut. */
function shown(v: unknown): string {
  if (v === undefined) return "missing";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return quoted(v);
  const j = JSON.stringify(v);
  return j.length > SHOWN_CHARS ? `${j.slice(0, SHOWN_CHARS)}…` : j;
}

/** What a non-object JSON line is: `an array […]`, `the number 42`, … */
function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array ${shown(v)}`;
  return `${typeof v === "string" ? "a string" : typeof v === "number" ? "the number" : typeof v === "boolean" ? "the boolean" : typeof v} ${shown(v)}`;
}

/**
 * When a trace failed to parse in `format` and its name or first line says it is the other format: an
 * issue on `workload.arrivals.format` saying which to set (undefined when nothing points elsewhere).
 */
function formatHint(o: TraceOptions, format: "mooncake" | "azure", firstLine: string): InputIssue | undefined {
  const first = firstLine.trim();
  const set = o.format === undefined ? `the format inferred from the first line (${format})` : `format: ${format}`;
  if (format === "mooncake" && !first.startsWith("{") && (/\.csv$/i.test(o.shownPath) || first.includes(","))) {
    const why = /\.csv$/i.test(o.shownPath) ? "its name ends in .csv" : `its first line is ${quoted(first)}`;
    return { file: o.shownPath, path: "workload.arrivals.format", message: `${set} reads one JSON object per line, but the file looks like an Azure CSV (${why}): set workload.arrivals.format: azure` };
  }
  if (format === "azure" && first.startsWith("{")) {
    return { file: o.shownPath, path: "workload.arrivals.format", message: `${set} reads CSV rows, but the file looks like Mooncake JSONL (its first line starts with "{"): set workload.arrivals.format: mooncake` };
  }
  return undefined;
}

/** Reads a trace file into arrivals sorted by time (stable), ns. */
export function readTrace(file: string, o: TraceOptions): TraceRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new InputError([{ file: o.shownPath, path: "workload.arrivals.path", message: `trace file not found: ${file} (the shared traces live in ../shared/traces/ next to the repository)` }]);
  }
  const text = decodeUtf8(bytes, o.shownPath);
  const lines = text.split(/\r?\n/);
  const format = o.format ?? (lines[0]?.trimStart().startsWith("{") ? "mooncake" : "azure");
  const out: Arrival[] = [];
  let skipped = 0;
  let requests = 0; // well-formed request lines read, before the duration_s cut (`limit` counts these)
  // earliest arrival read, ns: the Azure replay's origin so far (it only moves earlier, so a row past the cut
  // from it is past the final one too) and, in the error when every arrival is past the cut, the first
  let minAtNs = Infinity;
  const issues: InputIssue[] = [];
  // a wrong format or a systematic fault makes every line malformed the same way: the first few of each
  // problem are shown, the rest counted
  const perProblem = new Map<string, number>();
  let unshown = 0;
  const bad = (line: number, expected: string, found: string): void => {
    if (o.skip) {
      skipped++;
      return;
    }
    const n = perProblem.get(expected) ?? 0;
    perProblem.set(expected, n + 1);
    if (n < MAX_SHOWN_PER_PROBLEM && issues.length < MAX_SHOWN) issues.push({ file: o.shownPath, line, path: "", message: `${expected}, found ${found}` });
    else unshown++;
  };
  let t0: number | undefined;
  let nextId = -1; // private block ids of trace requests without hashes (Azure): negative, never shared
  const limit = o.limit ?? Infinity;
  for (let i = 0; i < lines.length && requests < limit; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const ln = i + 1;
    let ms: number;
    let input: number;
    let output: number;
    let blocks = -1; // Azure: private blocks to number (allocated only for a row that is kept)
    let hashIds: number[] = [];
    if (format === "mooncake") {
      const notObject = "not a JSON object (Mooncake JSONL: one {timestamp, input_length, output_length, hash_ids} per line)";
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        bad(ln, notObject, quoted(raw.trim()));
        continue;
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        bad(ln, notObject, jsonKind(parsed));
        continue;
      }
      const r = parsed as Record<string, unknown>;
      const wrong: string[] = [];
      if (!(typeof r.timestamp === "number" && Number.isFinite(r.timestamp) && r.timestamp >= 0)) wrong.push(`timestamp ${shown(r.timestamp)}`);
      if (!nonNegInt(r.input_length) || r.input_length < 1) wrong.push(`input_length ${shown(r.input_length)}`);
      if (!nonNegInt(r.output_length)) wrong.push(`output_length ${shown(r.output_length)}`);
      if (wrong.length > 0) {
        bad(ln, "expected timestamp (ms ≥ 0), input_length (integer ≥ 1) and output_length (integer ≥ 0)", wrong.join(", "));
        continue;
      }
      const h: unknown = r.hash_ids ?? [];
      const badId = Array.isArray(h) ? h.findIndex((x) => !nonNegInt(x)) : -1;
      if (!Array.isArray(h) || badId >= 0) {
        bad(ln, "hash_ids must be a list of non-negative integers", Array.isArray(h) ? `hash_ids[${badId}] ${shown(h[badId])}` : `hash_ids ${shown(h)}`);
        continue;
      }
      // checked above (`wrong` is empty)
      ms = r.timestamp as number;
      input = r.input_length as number;
      output = r.output_length as number;
      hashIds = h as number[];
    } else {
      if (i === 0 && /timestamp/i.test(raw)) continue; // header
      const f = raw.split(",");
      const t = f.length === 3 ? azureMs(f[0]!) : undefined;
      const ctx = Number(f[1]);
      const gen = Number(f[2]);
      if (t === undefined || !Number.isInteger(ctx) || ctx < 1 || !Number.isInteger(gen) || gen < 0) {
        const wrong: string[] = [];
        if (f.length !== 3) wrong.push(`${f.length} field${f.length === 1 ? "" : "s"}: ${quoted(raw.trim())}`);
        else {
          if (t === undefined) wrong.push(`TIMESTAMP ${quoted(f[0]!)}`);
          if (!Number.isInteger(ctx) || ctx < 1) wrong.push(`ContextTokens ${quoted(f[1]!)}`);
          if (!Number.isInteger(gen) || gen < 0) wrong.push(`GeneratedTokens ${quoted(f[2]!)}`);
        }
        bad(ln, "expected TIMESTAMP (YYYY-MM-DD hh:mm:ss.fffffff),ContextTokens (integer ≥ 1),GeneratedTokens (integer ≥ 0)", wrong.join(", "));
        continue;
      }
      t0 ??= t;
      ms = t - t0;
      input = ctx;
      output = gen;
      blocks = Math.ceil(ctx / BLOCK_TOKENS);
    }
    const atNs = Math.round((ms * 1e6) / o.rateScale);
    if (!Number.isFinite(atNs)) {
      issues.push({ file: o.shownPath, line: ln, path: "workload.arrivals.rate_scale", message: `the arrival at ${ms} ms ÷ rate_scale ${o.rateScale} is not a finite time: raise rate_scale` });
      break;
    }
    requests++;
    minAtNs = Math.min(minAtNs, atNs);
    // ids are numbered in file order whether or not the row is kept, so a kept row's ids do not depend on the cut
    const firstId = nextId;
    if (blocks >= 0) nextId -= blocks;
    // a row past the cut is not kept (Mooncake: from 0; Azure: from the earliest row so far, at or after the final origin)
    if (o.untilNs !== null && atNs - (format === "azure" ? minAtNs : 0) >= o.untilNs) continue;
    if (blocks >= 0) hashIds = Array.from({ length: blocks }, (_, k) => firstId - k);
    // a request with no output still produces its first token (the prefill's)
    out.push({ atNs, input, output: Math.max(1, output), hashIds });
  }
  const firstLine = lines.find((l) => l.trim() !== "") ?? "";
  const malformed = perProblem.size > 0 || skipped > 0;
  const hint = malformed ? formatHint(o, format, firstLine) : undefined;
  if (issues.length > 0) {
    if (unshown > 0) issues.push({ file: o.shownPath, path: "", message: `… and ${unshown.toLocaleString("en-US")} more malformed line${unshown === 1 ? "" : "s"}` });
    throw new InputError(hint === undefined ? issues : [hint, ...issues]);
  }
  if (requests === 0) {
    const why = skipped > 0 ? `all ${skipped} of its lines are malformed (skipped by skip_malformed)` : text.trim() === "" ? "the file is empty" : "it holds only the CSV header";
    const none: InputIssue = { file: o.shownPath, path: "workload.arrivals.path", message: `the trace has no requests: ${why}` };
    throw new InputError(hint === undefined ? [none] : [hint, none]);
  }
  const sorted = out.map((a, k) => [a, k] as const).sort((x, y) => x[0].atNs - y[0].atNs || x[1] - y[1]).map((x) => x[0]);
  // Azure timestamps are wall-clock: the replay starts at the earliest (the first row, unless the rows are out
  // of order); Mooncake's are ms from the trace start. duration_s counts from there, so it cuts after the shift
  const origin = format === "azure" ? minAtNs : 0;
  const shifted = origin !== 0 ? sorted.map((a) => ({ ...a, atNs: a.atNs - origin })) : sorted;
  // rows kept while the Azure origin was later than its final value may still fall past the cut
  const kept = o.untilNs === null ? shifted : shifted.filter((a) => a.atNs < o.untilNs!);
  if (kept.length === 0) {
    const cut = o.untilNs! / 1e9;
    throw new InputError([{ file: o.shownPath, path: "workload.duration_s", message: `expected trace arrivals before duration_s = ${cut} s, got none: the first is at ${Number(((minAtNs - origin) / 1e9).toPrecision(6))} s (after rate_scale ${o.rateScale}); raise duration_s or rate_scale` }]);
  }
  const lastNs = kept[kept.length - 1]!.atNs;
  if (lastNs > Number.MAX_SAFE_INTEGER) {
    throw new InputError([{ file: o.shownPath, path: "workload.arrivals", message: `the last arrival is at ${(lastNs / 1e9 / 86400).toExponential(3)} days (timestamps ÷ rate_scale ${o.rateScale}): beyond the engine's 2^53 ns (about 104 days); check the timestamps (ms) or raise rate_scale` }]);
  }
  return { arrivals: kept, skipped, format, held: out.length };
}
