import type { Span } from "./span.js";

/**
 * One span as one canonical JSON line: keys in the fixed order t, dur, kind, where, what, then the
 * attributes sorted by key. Numbers use JavaScript's shortest round-trip form, identical on every
 * platform, so two runs' traces diff line by line.
 */
export function spanToJsonLine(span: Span): string {
  let line =
    `{"t":${span.start},"dur":${span.dur},"kind":${JSON.stringify(span.kind)},` +
    `"where":${JSON.stringify(span.where)},"what":${JSON.stringify(span.what)}`;
  const attrs = span.attrs;
  if (attrs !== undefined) {
    const keys = Object.keys(attrs).sort();
    for (const k of keys) line += `,${JSON.stringify(k)}:${JSON.stringify(attrs[k])}`;
  }
  return line + "}";
}
