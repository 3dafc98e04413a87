import { inputError } from "../config/errors.js";
import type { Span } from "./span.js";

const RESERVED = new Set(["t", "dur", "kind", "where", "what"]);

/**
 * Parses a JSONL trace (as written by `run --trace`) back into spans, in file order. Blank lines are
 * skipped; a malformed line is an input error naming `file:line`.
 */
export function parseTraceJsonl(text: string, file = "trace"): Span[] {
  const out: Span[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      return inputError({ file: `${file}:${i + 1}`, path: "", message: `not a JSON line: ${(e as Error).message}` });
    }
    if (typeof o !== "object" || o === null || typeof o.t !== "number" || typeof o.dur !== "number" || typeof o.kind !== "string" || typeof o.where !== "string" || typeof o.what !== "string") {
      inputError({ file: `${file}:${i + 1}`, path: "", message: "not a trace event: expected t, dur (ns), kind, where, what (written by `ascend-sim run --trace`)" });
    }
    const attrs: Record<string, number | string | boolean> = {};
    let has = false;
    for (const [k, v] of Object.entries(o)) {
      if (RESERVED.has(k)) continue;
      if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") {
        attrs[k] = v;
        has = true;
      }
    }
    out.push({ start: o.t as number, dur: o.dur as number, kind: o.kind as string, where: o.where as string, what: o.what as string, ...(has ? { attrs } : {}) });
  }
  return out;
}
