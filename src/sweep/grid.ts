import { inputError } from "../config/errors.js";
import { normalizeKeyPath } from "../config/document.js";

/** One point of a sweep: its position in input order and the `key.path = value` edits it makes. */
export interface SweepPoint {
  /** 0-based position in the full (unsharded) list of points. */
  readonly index: number;
  /** Config path → value text as the user wrote it (parsed as YAML by `--set`), in dimension order. */
  readonly values: readonly (readonly [string, string])[];
}

/** One axis of the product: a single knob (`--grid`) or knobs that vary together (`--zip`). */
export interface Dimension {
  readonly keys: readonly string[];
  /** values[i][k] is the value of keys[k] at step i of this axis. */
  readonly values: readonly (readonly string[])[];
}

/** Splits `a,b,[c,d]` on the commas that are outside brackets, braces and quotes. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = "";
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[" || ch === "{") depth++;
    // an unmatched closer opens nothing: the commas after it still split (`a],b` is "a]" and "b", as --set reads each)
    else if (ch === "]" || ch === "}") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Parses `key.path=v1,v2,…` (the flag name is only for messages). */
export function parseAxis(arg: string, flag: string): { key: string; values: string[] } {
  const eq = arg.indexOf("=");
  const key = eq < 0 ? "" : normalizeKeyPath(arg.slice(0, eq).trim());
  if (key === "" || key.split(".").some((s) => s === "")) {
    inputError({ path: "", message: `${flag} expects key.path=value1,value2,… (e.g. ${flag} cluster.npus=4,8), got "${arg}"` });
  }
  const values = splitTopLevel(arg.slice(eq + 1));
  if (values.some((v) => v === "")) inputError({ path: key, fromSet: `${flag} ${arg}`, message: "empty value in the list (two commas in a row, or a trailing comma?)" });
  return { key, values };
}

/**
 * The axes of a sweep: one per `--grid`, in order, then the `--zip` lists as one axis whose knobs step
 * together (all zip lists must be equally long). A knob may appear only once.
 */
export function sweepDimensions(grid: readonly string[], zip: readonly string[]): Dimension[] {
  const dims: Dimension[] = [];
  const seen = new Set<string>();
  const claim = (key: string, flag: string, arg: string) => {
    if (seen.has(key)) inputError({ path: key, fromSet: `${flag} ${arg}`, message: "this knob is swept twice" });
    seen.add(key);
  };
  for (const g of grid) {
    const { key, values } = parseAxis(g, "--grid");
    claim(key, "--grid", g);
    dims.push({ keys: [key], values: values.map((v) => [v]) });
  }
  if (zip.length > 0) {
    const axes = zip.map((z) => ({ ...parseAxis(z, "--zip"), arg: z }));
    for (const a of axes) claim(a.key, "--zip", a.arg);
    const n = axes[0]!.values.length;
    const bad = axes.find((a) => a.values.length !== n);
    if (bad) inputError({ path: bad.key, fromSet: `--zip ${bad.arg}`, message: `--zip lists must be equally long: ${axes.map((a) => `${a.key} has ${a.values.length}`).join(", ")}` });
    dims.push({ keys: axes.map((a) => a.key), values: Array.from({ length: n }, (_, i) => axes.map((a) => a.values[i]!)) });
  }
  return dims;
}

/** The cartesian product of the axes, the first axis varying slowest; no axes → one point with no edits. */
export function expandPoints(dims: readonly Dimension[]): SweepPoint[] {
  let combos: (readonly [string, string])[][] = [[]];
  for (const d of dims) {
    const next: (readonly [string, string])[][] = [];
    for (const c of combos) for (const vals of d.values) next.push([...c, ...d.keys.map((k, i) => [k, vals[i]!] as const)]);
    combos = next;
  }
  return combos.map((values, index) => ({ index, values }));
}

/** The point's edits as `--set` arguments. */
export function pointSets(p: SweepPoint): string[] {
  return p.values.map(([k, v]) => `${k}=${v}`);
}
