import { inputError } from "../config/errors.js";

/** Parses `--threshold`: `2%` or a fraction `0.02` → relative change (dimensionless, ≥ 0). */
export function parseThreshold(text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (!m) inputError({ path: "", message: `--threshold expects a relative change like 2% or 0.02, got "${text}"` });
  return Number(m[1]) / (m[2] === "%" ? 100 : 1);
}
