/**
 * The next double above a positive finite `x` (x + one ulp). A fresh buffer per call: there is no
 * module-level scratch state, and the caller needs it for about one value in 170.
 */
function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const bits = new BigUint64Array(f.buffer);
  bits[0]! += 1n;
  return f[0]!;
}

/**
 * A time in integer nanoseconds as the microseconds a Chrome trace-event file holds (`ts`, `dur`), chosen
 * so that a reader gets the exact ns back. ns / 1000 is rarely exact in binary floating point (1001 ns →
 * 1.001 µs, and 1.001 × 1000 = 1000.9999999999999), and Perfetto's JSON importer reads a fractional value
 * v as int64(v × 1000.0), truncating: 1001 ns would come back as 1000 ns, a span could end 1 ns after the
 * next one on its thread starts (or after its parent ends), and Perfetto drops such a span as overlapping.
 * So this is the double nearest ns / 1000, or the one just above it when that one falls short: never
 * more than one ulp (≈ 10⁻¹³ µs at a day) from ns / 1000, so readers that round, or compare with a sub-ns
 * tolerance as chrome://tracing does at `displayTimeUnit: "ns"`, read the same ns. Exact for ns < 2⁵¹
 * (about 26 days; beyond, a double near 10¹² µs is only half-ns fine); a fractional ns is rounded first.
 * Result in µs.
 */
export function traceMicros(ns: number): number {
  const whole = Math.round(ns);
  const us = whole / 1000;
  return us * 1000 < whole ? nextUp(us) : us;
}
