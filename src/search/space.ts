import { isMap, LineCounter, parseDocument, parse as parseYaml } from "yaml";
import { z } from "zod";
import { documentData, locate, normalizeKeyPath, parseConfigText, readConfigText, type ConfigDocument } from "../config/document.js";
import { InputError, inputError } from "../config/errors.js";
import { zodToInputIssues } from "../config/zod-issues.js";
import { expandPoints, type Dimension, type SweepPoint } from "../sweep/grid.js";

const factorizeSchema = z.strictObject({
  /** The integer to factor (e.g. the NPU count). */
  product: z.number().int().positive(),
  /** Knobs that receive the factors, in order (e.g. [parallel.tp, parallel.pp, parallel.dp]). */
  into: z.array(z.string()).min(1),
  /** Only powers of two per factor. */
  powers_of_two: z.boolean().default(false),
  /** Upper bound per knob (e.g. {parallel.tp: 8}: TP stays inside a server). */
  max: z.record(z.string(), z.number().int().positive()).default({}),
});

/** Coupled settings tried as alternatives: a list of mappings knob → value, all with the same knobs. */
const chooseSchema = z.array(z.record(z.string(), z.unknown())).min(1);

/** Schema of a search-space file. */
export const spaceSchema = z.strictObject({
  /** Free text. */
  description: z.string().optional(),
  /** Knob (config path) → the values to try (YAML values; each becomes `--set knob=value`). */
  knobs: z.record(z.string(), z.array(z.unknown()).min(1)).default({}),
  /** Coupled knobs produced by named generators. */
  generators: z.array(z.union([z.strictObject({ factorize: factorizeSchema }), z.strictObject({ choose: chooseSchema })])).default([]),
});

/** Where a knob is named in a space file. */
export interface Location {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
}

/** The parsed space: the axes of the product, knobs first (file order), then one axis per generator (`factorize`: every factorisation; `choose`: listed alternatives). */
export interface SearchSpace {
  readonly file: string;
  readonly dimensions: readonly Dimension[];
  /** Knob (normalised: `a.0.b`) → where the space file names it, so a problem a knob causes at every point points there. */
  readonly locations: ReadonlyMap<string, Location>;
}

/** A YAML value as `--set` text: plain scalars as they are, strings that would re-parse differently and collections as JSON (valid YAML flow). */
export function valueText(v: unknown): string {
  // YAML's spelling: String(Infinity) would re-parse as the string "Infinity"
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf";
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

/**
 * The parsed document of a space file. An empty file and one that is not a mapping are refused in the
 * words of a search space (the scenario loader's would speak of a config and its `workload:`).
 */
function parseSpaceDocument(file: string, text: string): ConfigDocument {
  const lines = new LineCounter();
  const pre = parseDocument(text, { logLevel: "silent", lineCounter: lines });
  if (pre.errors.length === 0 && pre.contents === null) inputError({ file, path: "", message: "the search space is empty: expected a mapping with `knobs:` and/or `generators:`" });
  if (pre.errors.length === 0 && !isMap(pre.contents)) {
    inputError({ file, ...lines.linePos(pre.contents?.range?.[0] ?? 0), path: "", message: "expected a mapping with `knobs:` and/or `generators:` at the top level of the search space" });
  }
  return { file, ...parseConfigText(file, text), sets: new Map() };
}

/** Duplicate values on one axis would run (and rank) the same point twice: an input error naming both. */
function rejectDuplicates(cd: ConfigDocument, path: (string | number)[], values: readonly string[], what: string): void {
  const first = new Map<string, number>();
  values.forEach((v, i) => {
    const j = first.get(v);
    if (j !== undefined) inputError({ file: cd.file, ...locate(cd, [...path, i]), path: [...path, i].join("."), message: `${what} ${j} and ${i} are the same (${v}): each point would run twice` });
    first.set(v, i);
  });
}

/** Loads a search-space YAML file; problems are input errors located in that file. */
export function loadSpace(file: string): SearchSpace {
  const text = readConfigText(file);
  const cd = parseSpaceDocument(file, text);
  const data = documentData(cd);
  const top = Object.keys(data as object);
  if (!top.includes("knobs") && !top.includes("generators") && (top.includes("workload") || top.includes("cluster"))) {
    inputError({ file, path: "", message: "this is a scenario (it has workload: or cluster:), not a search space: give it as the <config> argument, and to --space a file with `knobs:` and/or `generators:` (e.g. configs/search-roce-allreduce-layout.yaml)" });
  }
  const parsed = spaceSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new InputError(zodToInputIssues(cd, spaceSchema, parsed.error.issues, []));
  const dims: Dimension[] = [];
  const locations = new Map<string, Location>();
  const claim = (k: string, path: (string | number)[], key?: string) => {
    const at = { file, ...locate(cd, path, key) };
    // one knob, one spelling: a[0].b and a.0.b set the same path
    const knob = normalizeKeyPath(k);
    if (knob.split(".").some((seg) => seg.trim() === "")) inputError({ ...at, path: path.join("."), message: `expected a knob: a config path such as workload.ranks, got ${JSON.stringify(k)}` });
    if (locations.has(knob)) inputError({ ...at, path: k, message: "this knob appears twice in the space (in knobs and/or generators)" });
    locations.set(knob, at);
  };
  for (const [k, vals] of Object.entries(parsed.data.knobs)) {
    claim(k, ["knobs"], k);
    const texts = vals.map(valueText);
    rejectDuplicates(cd, ["knobs", k], texts, "values");
    dims.push({ keys: [k], values: texts.map((v) => [v]) });
  }
  parsed.data.generators.forEach((g, i) => {
    if ("choose" in g) {
      const path = ["generators", i, "choose"];
      const keys = Object.keys(g.choose[0]!);
      if (keys.length === 0) inputError({ file, ...locate(cd, [...path, 0]), path: `${path.join(".")}.0`, message: "an alternative sets no knob: expected a mapping knob → value" });
      const bad = g.choose.findIndex((c) => Object.keys(c).join("\0") !== keys.join("\0"));
      if (bad >= 0) inputError({ file, ...locate(cd, [...path, bad]), path: `${path.join(".")}.${bad}`, message: `every alternative must set the same knobs in the same order (${keys.join(", ")})` });
      keys.forEach((k) => claim(k, [...path, 0], k));
      const values = g.choose.map((c) => keys.map((k) => valueText(c[k])));
      rejectDuplicates(cd, path, values.map((v) => keys.map((k, j) => `${k}=${v[j]}`).join(" ")), "alternatives");
      dims.push({ keys, values });
      return;
    }
    const f = g.factorize;
    const path = ["generators", i, "factorize"];
    const at = { file, ...locate(cd, path), path: path.join(".") };
    f.into.forEach((k, j) => claim(k, [...path, "into", j]));
    const stray = Object.keys(f.max).find((k) => !f.into.includes(k));
    if (stray !== undefined) inputError({ file, ...locate(cd, [...path, "max"], stray), path: `${path.join(".")}.max.${stray}`, message: `caps a knob that is not in \`into\` (${f.into.join(", ")}): a cap applies to one of the factorised knobs` });
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
      return inputError({ ...at, message: `too many factorisations of ${f.product} into ${f.into.join(" × ")} (${e.message}): a space has at most ${MAX_SPACE_POINTS.toLocaleString("en-US")} points${room}; add \`max\` caps or \`powers_of_two: true\`, or use fewer knobs` });
    }
    if (combos.length === 0) inputError({ ...at, message: `no factorisation of ${f.product} into ${f.into.join(" × ")} meets the limits` });
    dims.push({ keys: f.into, values: combos.map((c) => c.map(String)) });
  });
  if (pointCount(dims) > MAX_SPACE_POINTS) tooManyPoints(file, dims);
  return { file, dimensions: dims, locations };
}

/** The points of a space (cartesian product of its axes). */
export function spacePoints(space: SearchSpace): SweepPoint[] {
  return expandPoints(space.dimensions);
}
