import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { documentData, parseConfigText, readConfigText, type ConfigDocument } from "../config/document.js";
import { InputError, inputError } from "../config/errors.js";
import { zodToInputIssues } from "../config/zod-issues.js";
import { expandPoints, type Dimension, type SweepPoint } from "../sweep/grid.js";

const factorizeSchema = z.strictObject({
  /** The integer to factor (e.g. the NPU count). */
  product: z.number().int().positive(),
  /** Knobs that receive the factors, in order (e.g. [parallel.tp, parallel.pp, parallel.dp]). */
  into: z.array(z.string().min(1)).min(1),
  /** Only powers of two per factor. */
  powers_of_two: z.boolean().default(false),
  /** Upper bound per knob (e.g. {parallel.tp: 8}: TP stays inside a server). */
  max: z.record(z.string(), z.number().int().positive()).default({}),
});

/** Coupled settings tried as alternatives: a list of mappings knob → value, all with the same knobs. */
const chooseSchema = z.array(z.record(z.string().min(1), z.unknown())).min(1);

/** Schema of a search-space file. */
export const spaceSchema = z.strictObject({
  /** Free text. */
  description: z.string().optional(),
  /** Knob (config path) → the values to try (YAML values; each becomes `--set knob=value`). */
  knobs: z.record(z.string().min(1), z.array(z.unknown()).min(1)).default({}),
  /** Coupled knobs produced by named generators. */
  generators: z.array(z.union([z.strictObject({ factorize: factorizeSchema }), z.strictObject({ choose: chooseSchema })])).default([]),
});

/** The parsed space: the axes of the product, knobs first (file order), then one axis per generator (`factorize`: every factorisation; `choose`: listed alternatives). */
export interface SearchSpace {
  readonly file: string;
  readonly dimensions: readonly Dimension[];
}

/** A YAML value as `--set` text: plain scalars as they are, strings that would re-parse differently and collections as JSON (valid YAML flow). */
export function valueText(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string" && !/[,[\]{}]/.test(v) && v.trim() === v && v !== "" && parseYaml(v) === v) return v;
  return JSON.stringify(v);
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/**
 * Every ordered factorisation of `product` into `into.length` positive factors (product of factors =
 * `product`), optionally powers of two only and capped per knob; the first knob varies slowest.
 */
export function factorizations(product: number, into: readonly string[], powersOfTwo = false, max: Readonly<Record<string, number>> = {}): number[][] {
  const out: number[][] = [];
  const rec = (rest: number, k: number, acc: number[]): void => {
    if (k === into.length - 1) {
      if ((!powersOfTwo || (rest & (rest - 1)) === 0) && rest <= (max[into[k]!] ?? Infinity)) out.push([...acc, rest]);
      return;
    }
    for (const d of divisors(rest)) {
      if (powersOfTwo && (d & (d - 1)) !== 0) continue;
      if (d > (max[into[k]!] ?? Infinity)) continue;
      rec(rest / d, k + 1, [...acc, d]);
    }
  };
  rec(product, 0, []);
  return out;
}

/** Loads a search-space YAML file; problems are input errors located in that file. */
export function loadSpace(file: string): SearchSpace {
  const text = readConfigText(file);
  if (text.trim() === "") inputError({ file, path: "", message: "the search space is empty: expected a mapping with `knobs:` and/or `generators:`" });
  const { doc, lines } = parseConfigText(file, text);
  const cd: ConfigDocument = { file, doc, lines, sets: new Map() };
  const parsed = spaceSchema.safeParse(documentData(cd), { reportInput: true });
  if (!parsed.success) throw new InputError(zodToInputIssues(cd, spaceSchema, parsed.error.issues, []));
  const dims: Dimension[] = [];
  const seen = new Set<string>();
  const claim = (k: string) => {
    if (seen.has(k)) inputError({ file, path: k, message: "this knob appears twice in the space (in knobs and/or generators)" });
    seen.add(k);
  };
  for (const [k, vals] of Object.entries(parsed.data.knobs)) {
    claim(k);
    dims.push({ keys: [k], values: vals.map((v) => [valueText(v)]) });
  }
  parsed.data.generators.forEach((g, i) => {
    if ("choose" in g) {
      const keys = Object.keys(g.choose[0]!);
      const bad = g.choose.findIndex((c) => Object.keys(c).join("\0") !== keys.join("\0"));
      if (bad >= 0) inputError({ file, path: `generators.${i}.choose.${bad}`, message: `every alternative must set the same knobs in the same order (${keys.join(", ")})` });
      keys.forEach(claim);
      dims.push({ keys, values: g.choose.map((c) => keys.map((k) => valueText(c[k]))) });
      return;
    }
    const f = g.factorize;
    f.into.forEach(claim);
    const combos = factorizations(f.product, f.into, f.powers_of_two, f.max);
    if (combos.length === 0) inputError({ file, path: `generators.${i}.factorize`, message: `no factorisation of ${f.product} into ${f.into.join(" × ")} meets the limits` });
    dims.push({ keys: f.into, values: combos.map((c) => c.map(String)) });
  });
  return { file, dimensions: dims };
}

/** The points of a space (cartesian product of its axes). */
export function spacePoints(space: SearchSpace): SweepPoint[] {
  return expandPoints(space.dimensions);
}
