import type { Span } from "./span.js";

/** Keys of the fixed part of a line; an attribute may not reuse one (the line would have duplicate keys). */
const RESERVED = new Set(["t", "dur", "kind", "where", "what"]);

function badSpan(span: Span, why: string): never {
  throw new RangeError(`span "${span.what}" at "${span.where}" cannot be written to a trace: ${why}`);
}

/**
 * One span as one canonical JSON line: keys in the fixed order t, dur, kind, where, what, then the
 * attributes sorted by key. Numbers use JavaScript's shortest round-trip form, identical on every
 * platform, so two runs' traces diff line by line; -0 prints as 0. A span that would not make a valid,
 * re-readable line — a non-finite time (ns), a negative or non-finite duration (ns), a non-finite number
 * attribute, or an attribute named like a fixed key — is a programming error (RangeError). An attribute
 * whose value is undefined is left out, as JSON.stringify does.
 */
export function spanToJsonLine(span: Span): string {
  if (!Number.isFinite(span.start) || !Number.isFinite(span.dur)) badSpan(span, `t = ${span.start} ns, dur = ${span.dur} ns must be finite`);
  // a span that ends before it starts has no place on a timeline (the Chrome trace format requires dur ≥ 0)
  if (span.dur < 0) badSpan(span, `dur = ${span.dur} ns must be ≥ 0`);
  let line =
    `{"t":${span.start},"dur":${span.dur},"kind":${JSON.stringify(span.kind)},` +
    `"where":${JSON.stringify(span.where)},"what":${JSON.stringify(span.what)}`;
  const attrs = span.attrs;
  if (attrs !== undefined) {
    const keys = Object.keys(attrs).sort();
    for (const k of keys) {
      const v = attrs[k];
      if (v === undefined) continue;
      if (RESERVED.has(k)) badSpan(span, `attribute "${k}" has the name of a fixed key`);
      if (typeof v === "number" && !Number.isFinite(v)) badSpan(span, `attribute "${k}" = ${v} must be finite`);
      line += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    }
  }
  return line + "}";
}
