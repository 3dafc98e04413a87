/** ASCII letters to lower case (only ASCII: the result must not depend on the engine's Unicode tables). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * Natural order of names, the same on every machine: "die2" before "die10", "Decode" beside "decode".
 * Runs of ASCII digits compare by value, the text between them by UTF-16 code units with ASCII letters
 * case-folded; names equal so far ("a01" and "a1", "A" and "a") by code units, so it is a total order.
 * Chrome-trace process/thread ids and report lanes follow it. Not `localeCompare(…, {numeric: true})`:
 * that goes by the ICU collation data of the Node build (a distribution's Node links its system ICU; one
 * built without Intl ignores the locale and `numeric`, putting "die10" before "die2"), so the same run
 * could write different bytes on another machine.
 */
export function naturalCompare(a: string, b: string): number {
  // split with a capture group alternates text and digit runs: [text, digits, text, …, text]
  const x = a.split(/([0-9]+)/);
  const y = b.split(/([0-9]+)/);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    let p = x[i]!;
    let q = y[i]!;
    if (i % 2 === 1) {
      p = p.replace(/^0+/, "");
      q = q.replace(/^0+/, "");
      if (p.length !== q.length) return p.length - q.length;
    } else {
      p = asciiLower(p);
      q = asciiLower(q);
    }
    if (p !== q) return p < q ? -1 : 1;
  }
  if (x.length !== y.length) return x.length - y.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
