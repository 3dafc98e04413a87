/** Human formatting of quantities for tables (never used in the deterministic JSON/trace outputs). */

const BIN = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1073741824` → `"1GiB"`; exact binary multiples print without decimals. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < BIN.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toPrecision(4)}${BIN[i]}`;
}

/** Nanoseconds → a readable duration with its unit. */
export function formatNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${ns.toFixed(0)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(2)} us`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}
