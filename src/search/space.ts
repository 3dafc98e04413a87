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

/** The most points a search space may have (the product of its axis lengths); docs/cli-tools.md. */
export const MAX_SPACE_POINTS = 100_000;


/** Whether n (a positive integer up to 2^53) is a power of two; bitwise tests are only valid below 2^31. */
function isPowerOfTwo(n: number): boolean {
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** Every divisor of n in ascending order, from its prime factorisation (trial division up to √n). */
function divisors(n: number): number[] {
  const primes: [number, number][] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p += p === 2 ? 1 : 2) {
    if (rest % p !== 0) continue;
    let e = 0;
    for (; rest % p === 0; e++) rest /= p;
    primes.push([p, e]);
  }
  if (rest > 1) primes.push([rest, 1]);
  let out = [1];
  for (const [p, e] of primes) {
    const next: number[] = [];
    for (const d of out) for (let i = 0, q = d; i <= e; i++, q *= p) next.push(q);
    out = next;
  }
  return out.sort((a, b) => a - b);
}

/**
 * Candidate factors a limited factorisation may examine before giving up, count (~50 ms): caps that leave
 * mostly dead ends would otherwise walk every divisor combination of a highly composite product.
 */
const FACTOR_WORK_MAX = 10_000_000;

/**
 * Every ordered factorisation of `product` into `into.length` positive factors (product of factors =
 * `product`), optionally powers of two only and capped per knob; the first knob varies slowest.
 * O(√product) to factor `product`, then proportional to the factorisations found. With a `limit`, a
 * RangeError is thrown as soon as more than `limit` factorisations exist (or when more than
 * FACTOR_WORK_MAX candidate factors have been examined), so a huge space is refused before it is enumerated.
 */
export function factorizations(product: number, into: readonly string[], powersOfTwo = false, max: Readonly<Record<string, number>> = {}, limit = Infinity): number[][] {
  const out: number[][] = [];
  const caps = into.map((k) => max[k] ?? Infinity);
  // capLeft[k]: the largest product knobs k… can hold under their caps (prunes branches with no completion)
  const capLeft = caps.map((_, k) => caps.slice(k).reduce((a, c) => a * c, 1));
  const all = divisors(product);
  const candidates = powersOfTwo ? all.filter(isPowerOfTwo) : all;
  let budget = limit === Infinity ? Infinity : FACTOR_WORK_MAX;
  const rec = (rest: number, k: number, acc: number[]): void => {
    if (k === into.length - 1) {
      if ((!powersOfTwo || isPowerOfTwo(rest)) && rest <= caps[k]!) {
        out.push([...acc, rest]);
        if (out.length > limit) throw new RangeError(`more than ${limit} factorisations`);
      }
      return;
    }
    const cap = Math.min(caps[k]!, rest);
    for (const d of candidates) {
      if (d > cap) break;
      if (--budget < 0) throw new RangeError(`more than ${FACTOR_WORK_MAX} candidate factors to examine`);
      if (rest % d !== 0 || rest / d > capLeft[k + 1]!) continue;
      rec(rest / d, k + 1, [...acc, d]);
    }
  };
  rec(product, 0, []);
  return out;
}

function pointCount(dims: readonly Dimension[]): number {
  return dims.reduce((n, d) => n * d.values.length, 1);
}

function tooManyPoints(file: string, dims: readonly Dimension[]): never {
  const sizes = dims.map((d) => `${d.keys.join("+")}: ${d.values.length}`).join(" × ");
  return inputError({ file, path: "", message: `the space has ${pointCount(dims).toLocaleString("en-US")} points (${sizes}), more than the limit of ${MAX_SPACE_POINTS.toLocaleString("en-US")}: use fewer values per knob` });
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
    // the axes so far leave room for at most `limit` values on this one
    const before = pointCount(dims);
    if (before > MAX_SPACE_POINTS) tooManyPoints(file, dims);
    const limit = Math.floor(MAX_SPACE_POINTS / before);
    let combos: number[][];
    try {
      combos = factorizations(f.product, f.into, f.powers_of_two, f.max, limit);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const room = before > 1 ? `, so ${limit.toLocaleString("en-US")} for this generator after the ${before.toLocaleString("en-US")} combinations of the axes before it` : "";
      return inputError({ file, path: `generators.${i}.factorize`, message: `too many factorisations of ${f.product} into ${f.into.join(" × ")} (${e.message}): a space has at most ${MAX_SPACE_POINTS.toLocaleString("en-US")} points${room}; add \`max\` caps or \`powers_of_two: true\`, or use fewer knobs` });
    }
    if (combos.length === 0) inputError({ file, path: `generators.${i}.factorize`, message: `no factorisation of ${f.product} into ${f.into.join(" × ")} meets the limits` });
    dims.push({ keys: f.into, values: combos.map((c) => c.map(String)) });
  });
  if (pointCount(dims) > MAX_SPACE_POINTS) tooManyPoints(file, dims);
  return { file, dimensions: dims };
}

/** The points of a space (cartesian product of its axes). */
export function spacePoints(space: SearchSpace): SweepPoint[] {
  return expandPoints(space.dimensions);
}
