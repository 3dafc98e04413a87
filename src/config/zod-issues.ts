import type { z } from "zod";
import { describe, EXAMPLE, quantityNoun, quoted, type QuantityKind } from "../units/index.js";
import { didYouMean, validValues } from "./did-you-mean.js";
import { issueAt, type ConfigDocument } from "./document.js";
import type { InputIssue } from "./errors.js";
import { quantityKindOf, type QuantityIssueParams } from "./quantity.js";
import { defOf, keysSchemaOf, literalValues, objectShape, selectedOption, unionDiscriminator, wrappedSchema, type ZodDef } from "./zod-walk.js";

/**
 * Keys an object schema accepts at `path` below `schema` (for "did you mean" on unknown keys). `input` is
 * the mapping at `path`: a union of mappings keyed by a literal (`op`, `kind`) then lists the keys of the
 * option it selects, not of every option.
 */
export function knownKeysAt(schema: unknown, path: readonly PropertyKey[], input?: unknown): string[] {
  const keysOf = keysSchemaOf(schema);
  if (keysOf !== undefined) return knownKeysAt(keysOf, path, input);
  const def = defOf(schema);
  if (def === undefined) return [];
  const inner = wrappedSchema(def);
  if (inner !== undefined) return knownKeysAt(inner, path, input);
  switch (def.type) {
    case "array":
      return path.length > 0 ? knownKeysAt(def.element, path.slice(1), input) : [];
    case "union": {
      const selected = path.length === 0 ? selectedOption(schema, input) : undefined;
      if (selected !== undefined) return knownKeysAt(selected.option, [], input);
      // the keys of every alternative (a discriminated union's options are objects)
      return [...new Set((def.options as unknown[]).flatMap((o) => knownKeysAt(o, path, input)))];
    }
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      if (path.length === 0) return Object.keys(shape);
      return knownKeysAt(shape[String(path[0])], path.slice(1), input);
    }
    default:
      return [];
  }
}

/**
 * Every key path below `schema` (`parallel.tp_extend_ep`; list items as `[]`), seeing through fields that
 * declare their keys (`model:`): where an unknown key would be valid instead.
 */
export function keyPathsOf(schema: unknown, prefix: string, depth = 0): string[] {
  const keysOf = keysSchemaOf(schema);
  if (keysOf !== undefined) return keyPathsOf(keysOf, prefix, depth);
  const def = defOf(schema);
  if (def === undefined || depth > 12) return [];
  const inner = wrappedSchema(def);
  if (inner !== undefined) return keyPathsOf(inner, prefix, depth);
  switch (def.type) {
    case "array":
      return keyPathsOf(def.element, `${prefix}[]`, depth + 1);
    case "union":
      return [...new Set((def.options as unknown[]).flatMap((o) => keyPathsOf(o, prefix, depth + 1)))];
    case "object":
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([k, v]) => {
        const p = prefix === "" ? k : `${prefix}.${k}`;
        return [p, ...keyPathsOf(v, p, depth + 1)];
      });
    default:
      return [];
  }
}

/** What the messages may know beyond one schema: every key path of the config, for "it belongs under …". */
export interface IssueContext {
  /** Dotted key paths the whole config accepts (lists as `[]`, see keyPathsOf); called only when a key is unknown. */
  readonly keyPaths?: () => readonly string[];
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

function expectedRange(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string }, small: boolean): string {
  const bound = Number(small ? issue.minimum : issue.maximum);
  const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  switch (issue.origin) {
    case "array":
    case "set":
      return small ? `at least ${bound} item${bound === 1 ? "" : "s"}` : `at most ${bound} items`;
    case "string":
      return small ? `a string of at least ${bound} characters` : `a string of at most ${bound} characters`;
    default:
      if (small && bound === 0 && !issue.inclusive) return "a positive number";
      return `a number ${op} ${bound}`;
  }
}

/** Turns zod issues (parsed with `reportInput: true`) under `prefix` into located input issues. */
export function zodToInputIssues(
  cd: ConfigDocument,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly (string | number)[],
  context: IssueContext = {},
): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of issues) {
    const rel = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const path = [...prefix, ...rel];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeysAt(schema, issue.path, input);
        for (const key of issue.keys) {
          // a key that exists as written elsewhere beats a near miss here (workload.tp → parallel.tp, not mtp)
          const hint = belongsElsewhere(key, [...path, key], context) || didYouMean(key, known);
          out.push(issueAt(cd, path, `unknown key ${quoted(key)}${hint}. ${known.length ? `Valid keys are: ${known.join(", ")}.` : ""}`.trim(), key));
        }
        break;
      }
      case "invalid_type": {
        const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
        const found = input === undefined ? "nothing (the key is missing)" : describe(input);
        out.push(issueAt(cd, path, `expected ${expected}, got ${found}`));
        break;
      }
      case "too_small":
        out.push(issueAt(cd, path, `expected ${expectedRange(issue, true)}, got ${describeInput(input)}`));
        break;
      case "too_big":
        out.push(issueAt(cd, path, `expected ${expectedRange(issue, false)}, got ${describeInput(input)}`));
        break;
      case "invalid_value": {
        const values = issue.values.map(String);
        const hint = typeof input === "string" ? didYouMean(input, values) : "";
        out.push(issueAt(cd, path, `expected one of ${values.join(", ")}, got ${describe(input)}${hint}. ${validValues(values)}`));
        break;
      }
      case "invalid_union":
        out.push(...unionIssues(cd, schema, issue, path, input, context));
        break;
      default:
        out.push(issueAt(cd, path, issue.message));
    }
  }
  return out;
}

/** ` (it belongs under parallel: parallel.tp_extend_ep)` when `key` is a valid key elsewhere in the config, else "". */
function belongsElsewhere(key: string, at: readonly (string | number)[], context: IssueContext): string {
  if (context.keyPaths === undefined) return "";
  const here = at.map((s) => (typeof s === "number" ? "[]" : s)).join(".").replace(/\.\[\]/g, "[]");
  const hereParts = here.split(".");
  const spots = context.keyPaths().filter((p) => p !== here && (p === key || p.endsWith(`.${key}`)));
  if (spots.length === 0) return "";
  // the nearest first: the longest common prefix with where the key was written, then the shortest path
  const common = (p: string): number => {
    const parts = p.split(".");
    let n = 0;
    while (n < parts.length && n < hereParts.length && parts[n] === hereParts[n]) n++;
    return n;
  };
  spots.sort((a, b) => common(b) - common(a) || a.split(".").length - b.split(".").length || (a < b ? -1 : a > b ? 1 : 0)); // code-unit order: not the user's locale
  const shown = spots.slice(0, 3);
  const parent = (p: string): string => (p === key ? "the top level" : p.slice(0, -key.length - 1));
  const parents = [...new Set(shown.map(parent))];
  return ` (it belongs under ${parents.join(" or ")}: ${shown.join(", ")})`;
}

/** Whether `v` is a mapping (an object that is no list): what a YAML mapping parses to. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The schema at `path` below `schema` (through wrappers, lists, mappings and unions), else undefined. */
function schemaAt(schema: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return schema;
  const keysOf = keysSchemaOf(schema);
  if (keysOf !== undefined) return schemaAt(keysOf, path);
  const def = defOf(schema);
  if (def === undefined) return undefined;
  const inner = wrappedSchema(def);
  if (inner !== undefined) return schemaAt(inner, path);
  switch (def.type) {
    case "array":
      return schemaAt(def.element, path.slice(1));
    case "record":
      return schemaAt(def.valueType, path.slice(1));
    case "tuple":
      return schemaAt((def.items as unknown[])[Number(path[0])], path.slice(1));
    case "object":
      return schemaAt((def.shape as Record<string, unknown>)[String(path[0])], path.slice(1));
    case "union":
      for (const o of def.options as unknown[]) {
        const s = schemaAt(o, path);
        if (s !== undefined) return s;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The union under the wrappers of `schema` (`.default`, `.optional`), else undefined. */
function unwrapUnion(schema: unknown): unknown {
  if (quantityKindOf(schema) !== undefined) return undefined;
  const def = defOf(schema);
  if (def === undefined) return undefined;
  if (def.type === "union") return schema;
  const inner = wrappedSchema(def);
  return inner === undefined ? undefined : unwrapUnion(inner);
}

/**
 * Whether every issue of a union option says the input is not of that option's form at all (another type,
 * another literal, no quantity), rather than a value of the right form that breaks a rule.
 */
function formMismatch(issues: readonly z.core.$ZodIssue[]): boolean {
  return (
    issues.length > 0 &&
    issues.every((i) => {
      if (i.path.length > 0) return false;
      switch (i.code) {
        case "invalid_type":
        case "invalid_value":
          return true;
        case "custom":
          return (i.params as QuantityIssueParams | undefined)?.form === true;
        case "invalid_union":
          return i.errors.every(formMismatch);
        default:
          return false;
      }
    })
  );
}

function isIntegerSchema(def: ZodDef): boolean {
  if (typeof def.format === "string" && def.format.includes("int")) return true;
  const checks = (def.checks ?? []) as { _zod?: { def?: { format?: unknown } } }[];
  return checks.some((c) => typeof c._zod?.def?.format === "string" && String(c._zod.def.format).includes("int"));
}

/** The accepted forms of a schema in words (`auto`, `a size with a unit like "64GiB"`, `a list`), its literal words, and its quantity kind. */
function formsOf(schema: unknown, acc: { forms: string[]; words: string[]; quantity?: QuantityKind } = { forms: [], words: [] }) {
  const add = (f: string) => {
    if (!acc.forms.includes(f)) acc.forms.push(f);
  };
  const kind = quantityKindOf(schema);
  if (kind !== undefined) {
    add(`a ${quantityNoun(kind)} with a unit like ${EXAMPLE[kind]}`);
    acc.quantity ??= kind;
    return acc;
  }
  if (keysSchemaOf(schema) !== undefined) {
    add("a mapping");
    return acc;
  }
  const def = defOf(schema);
  if (def === undefined) return acc;
  if (def.type === "nullable") add("null");
  const inner = wrappedSchema(def);
  if (inner !== undefined) return formsOf(inner, acc);
  switch (def.type) {
    case "union":
      for (const o of def.options as unknown[]) formsOf(o, acc);
      break;
    case "literal":
    case "enum":
      for (const v of literalValues(schema) ?? []) {
        add(String(v));
        if (typeof v === "string") acc.words.push(v);
      }
      break;
    case "object":
    case "record":
      add("a mapping");
      break;
    case "array":
    case "tuple":
      add("a list");
      break;
    case "number":
      add(isIntegerSchema(def) ? "an integer" : "a number");
      break;
    default:
      add(TYPE_NAMES[def.type] ?? def.type);
  }
  return acc;
}

/** The keys of each option of a union of mappings that no other option has (`factorize` vs `choose`); undefined unless every option has some. */
function ownKeys(options: readonly unknown[]): string[][] | undefined {
  const shapes = options.map(objectShape);
  if (shapes.some((s) => s === undefined)) return undefined;
  const own = shapes.map((s, i) => Object.keys(s!).filter((k) => shapes.every((t, j) => j === i || !Object.hasOwn(t!, k))));
  return own.every((keys) => keys.length > 0) ? own : undefined;
}

/**
 * A union that matched none of its options: a mapping keyed by a literal (`op: rmsnrom`) names the unknown
 * value and the valid ones, or reports the issues of the option its key selects; an input that only one
 * option could be reports that option's issues; otherwise the accepted forms are listed.
 */
function unionIssues(
  cd: ConfigDocument,
  schema: z.ZodType,
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly (string | number)[],
  input: unknown,
  context: IssueContext,
): InputIssue[] {
  const extra = issue as { note?: string; discriminator?: string; options?: unknown[] };
  if (extra.note === "No matching discriminator" && extra.discriminator !== undefined) {
    // zod's discriminated union: the path already ends with the discriminator, the input is the mapping
    return [unknownDiscriminator(cd, path, extra.discriminator, input, extra.options ?? [])];
  }
  const union = unwrapUnion(schemaAt(schema, issue.path));
  if (union === undefined) return [issueAt(cd, path, `got ${describe(input)}, which matches none of the accepted forms`)];
  const options = defOf(union)!.options as z.ZodType[];
  const errors = issue.errors;
  const option = (i: number): InputIssue[] => zodToInputIssues(cd, options[i]!, errors[i] ?? [], path, context);
  if (isPlainObject(input)) {
    const key = unionDiscriminator(union);
    if (key !== undefined) {
      const selected = selectedOption(union, input);
      if (selected !== undefined) return option(selected.index);
      const values = options.flatMap((o) => literalValues(objectShape(o)![key]) ?? []);
      return [unknownDiscriminator(cd, [...path, key], key, input, values)];
    }
    const own = ownKeys(options);
    if (own !== undefined) {
      const chosen = own.flatMap((keys, i) => (keys.some((k) => Object.hasOwn(input, k)) ? [i] : []));
      if (chosen.length === 1) return option(chosen[0]!);
      const allOwn = own.flat();
      const typed = Object.keys(input);
      const hint = typed.map((k) => didYouMean(k, allOwn)).find((h) => h !== "") ?? "";
      const found = typed.length === 0 ? "an empty mapping" : `a mapping with the key${typed.length === 1 ? "" : "s"} ${typed.map((k) => quoted(k)).join(", ")}`;
      return [issueAt(cd, path, `expected a mapping with one of the keys ${own.map((keys) => keys.join("/")).join(", ")}, got ${found}${hint}`)];
    }
  }
  const relevant = errors.flatMap((e, i) => (formMismatch(e) ? [] : [i]));
  if (relevant.length === 1) return option(relevant[0]!);
  const f = formsOf(union);
  let found = input === undefined ? "nothing" : describe(input);
  let hint = "";
  if (typeof input === "number" && f.quantity !== undefined) found = `the bare number ${input} (add a unit)`;
  else if (typeof input === "string") hint = didYouMean(input, f.words);
  return [issueAt(cd, path, `expected ${f.forms.join(" | ")}, got ${found}${hint}`)];
}

/** `unknown op "rmsnrom" (did you mean "rmsnorm"?); valid ops: gemm, …` at the discriminator (`path` ends with it). */
function unknownDiscriminator(cd: ConfigDocument, path: readonly (string | number)[], key: string, input: unknown, values: readonly unknown[]): InputIssue {
  const names = values.map(String);
  const valid = `valid ${key}s: ${names.join(", ")}.`;
  const value = isPlainObject(input) ? input[key] : undefined;
  if (value === undefined) return issueAt(cd, path, `missing ${quoted(key)}: it selects the fields of the entry; ${valid}`);
  if (typeof value !== "string") return issueAt(cd, path, `expected ${/^[aeiou]/i.test(key) ? "an" : "a"} ${key} name, got ${describe(value)}; ${valid}`);
  return issueAt(cd, path, `unknown ${key} ${quoted(value)}${didYouMean(value, names)}; ${valid}`);
}

function describeInput(v: unknown): string {
  if (Array.isArray(v)) return `${v.length} item${v.length === 1 ? "" : "s"}`;
  return describe(v);
}
