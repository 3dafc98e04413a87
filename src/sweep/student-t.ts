/** Two-sided 95 % Student t quantiles t(0.975, ν) for ν = 1 … 30 (standard tables). */
const T975 = [
  12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
  2.20098516, 2.17881283, 2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.10092204, 2.093024054, 2.085963447,
  2.079613845, 2.073873068, 2.06865761, 2.063898562, 2.059538553, 2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
];

/** The 0.975 quantile of the standard normal distribution. */
const Z975 = 1.959963984540054;

/**
 * t(0.975, ν): the multiplier of the standard error for a two-sided 95 % confidence interval with ν
 * degrees of freedom (dimensionless). Beyond the table, the Cornish–Fisher expansion (error < 1e-6 for ν > 30).
 */
export function studentT975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = Z975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Mean and 95 % confidence half-width (same unit as the samples; 0 for one sample) by the Student t distribution. */
export function meanCi95(samples: readonly number[]): { mean: number; ci95: number; n: number } {
  const n = samples.length;
  if (n === 0) return { mean: NaN, ci95: NaN, n };
  // identical samples (deterministic metrics) give exactly that value and no spread, without float noise
  if (samples.every((x) => x === samples[0])) return { mean: samples[0]!, ci95: 0, n };
  let sum = 0;
  for (const x of samples) sum += x;
  const mean = sum / n;
  if (n === 1) return { mean, ci95: 0, n };
  let ss = 0;
  for (const x of samples) ss += (x - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, ci95: (studentT975(n - 1) * sd) / Math.sqrt(n), n };
}
