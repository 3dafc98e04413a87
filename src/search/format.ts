/**
 * The cells of one numeric column of the search table, in one fixed-decimal format: enough decimals for
 * four significant digits of the column's largest magnitude (none from 1,000 on, none for a column of
 * integers), so `52.9 | 58.71 | 40` prints `52.90 | 58.71 | 40.00`. Values are in the metric's unit;
 * a missing value prints "—". Tables only: the JSON keeps full precision.
 */
export function formatColumn(values: readonly (number | undefined)[]): string[] {
  const finite = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  const max = finite.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  const decimals = finite.every(Number.isInteger) || max === 0 ? 0 : Math.min(8, Math.max(0, 3 - Math.floor(Math.log10(max))));
  return values.map((x) => (x === undefined ? "—" : Number.isFinite(x) ? x.toFixed(decimals) : String(x)));
}
