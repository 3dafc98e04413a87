import type { z } from "zod";
import { describe, quoted } from "../units/index.js";
import { didYouMean, validValues } from "./did-you-mean.js";
import { issueAt, type ConfigDocument } from "./document.js";
import type { InputIssue } from "./errors.js";
import { defOf, wrappedSchema } from "./zod-walk.js";

/** Keys an object schema accepts at `path` below `schema` (for "did you mean" on unknown keys). */
export function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  const def = defOf(schema);
  if (def === undefined) return [];
  const inner = wrappedSchema(def);
  if (inner !== undefined) return knownKeysAt(inner, path);
  switch (def.type) {
    case "array":
      return path.length > 0 ? knownKeysAt(def.element, path.slice(1)) : [];
    case "union":
      // the keys of every alternative (a discriminated union's options are objects)
      return [...new Set((def.options as unknown[]).flatMap((o) => knownKeysAt(o, path)))];
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      if (path.length === 0) return Object.keys(shape);
      return knownKeysAt(shape[String(path[0])], path.slice(1));
    }
    default:
      return [];
  }
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
export function zodToInputIssues(cd: ConfigDocument, schema: z.ZodType, issues: readonly z.core.$ZodIssue[], prefix: readonly (string | number)[]): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of issues) {
    const rel = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const path = [...prefix, ...rel];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeysAt(schema, issue.path);
        for (const key of issue.keys) {
          const hint = didYouMean(key, known);
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
        out.push(issueAt(cd, path, `got ${describe(input)}, which matches none of the accepted forms`));
        break;
      default:
        out.push(issueAt(cd, path, issue.message));
    }
  }
  return out;
}

function describeInput(v: unknown): string {
  if (Array.isArray(v)) return `${v.length} item${v.length === 1 ? "" : "s"}`;
  return describe(v);
}
