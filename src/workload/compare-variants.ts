import type { z } from "zod";
import { keyPath, parseConfigText, type ConfigDocument } from "../config/document.js";
import { zodToInputIssues } from "../config/zod-issues.js";
import { quoted } from "../units/index.js";
import type { RuleViolation } from "./workload.js";

/*
 * `workload.compare`: variants of a scenario run on the same inputs, each the base config with a partial
 * config (`set`) merged in. Shared by the serving and elastic workloads.
 */

/** One compared variant as written: a name and the keys it changes. */
export interface CompareEntry {
  readonly name: string;
  readonly set: Record<string, unknown>;
}

/** A parsed variant: its name and its whole config. */
export interface Variant<C> {
  readonly name: string;
  readonly cfg: C;
}

/** `over` merged into `base`: objects key by key, anything else (lists too) replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === null || typeof over !== "object" || Array.isArray(over) || base === null || typeof base !== "object" || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
  return out;
}

/**
 * The base config (named `baseName`) and each compared variant parsed with `schema`; the parse issues of
 * every variant instead, at `workload.compare.<i>.set.<path>`, and a name another row already has (two
 * rows of one name in the table and in `metrics.compare`) at `workload.compare.<i>.name`.
 */
export function parseVariants<C>(base: C, compare: readonly CompareEntry[] | undefined, schema: z.ZodType<C>, baseName: string, baseRow = "the base row (this config)"): Variant<C>[] | RuleViolation[] {
  const out: Variant<C>[] = [{ name: baseName, cfg: base }];
  const issues: RuleViolation[] = [];
  const named = new Map<string, string>([[baseName, baseRow]]);
  (compare ?? []).forEach((v, i) => {
    const first = named.get(v.name);
    if (first !== undefined) issues.push({ path: ["workload", "compare", i, "name"], message: `expected a name no other row has, got ${quoted(v.name)}: ${first} has it` });
    else named.set(v.name, `compare entry ${i}`);
    const r = schema.safeParse(deepMerge(base, v.set), { reportInput: true });
    if (!r.success) issues.push(...inLoaderWords(schema, r.error.issues, ["workload", "compare", i, "set"]));
    else out.push({ name: v.name, cfg: r.data });
  });
  return issues.length > 0 ? issues : out;
}

/** An empty document: the loader's zod wording needs one, and a variant's issue is placed in the real one later (by its path). */
let unplaced: ConfigDocument | undefined;

/**
 * A variant's schema issues in the loader's words — `unknown key "x". Valid keys are: …` with "did you
 * mean", `expected …, got …` with the value found — rather than zod's own ("Unrecognized key", "Invalid
 * input"), at `prefix` + the issue's path (+ the unknown key).
 */
function inLoaderWords(schema: z.ZodType, zodIssues: readonly z.core.$ZodIssue[], prefix: (string | number)[]): RuleViolation[] {
  unplaced ??= { file: "", ...parseConfigText("", "{}"), sets: new Map() };
  return zodToInputIssues(unplaced, schema, zodIssues, prefix).map((iss) => ({
    path: keyPath(iss.path),
    message: iss.message,
  }));
}

/**
 * The rule violations of the base and of every variant, each variant's under `workload.compare.<i>.set`.
 * A variant's violation that the base already has (same path below the config root, same message) is not
 * repeated: the variant inherited the mistake, and one fix in the base mends both.
 */
export function checkVariants<C>(variants: readonly Variant<C>[], check: (cfg: C, at: (string | number)[]) => RuleViolation[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const inBase = new Set<string>();
  variants.forEach((v, i) => {
    const at = i === 0 ? ["workload"] : ["workload", "compare", i - 1, "set"];
    for (const issue of check(v.cfg, at)) {
      const key = JSON.stringify([issue.path.slice(at.length), issue.message]);
      if (i === 0) inBase.add(key);
      else if (inBase.has(key)) continue;
      out.push(issue);
    }
  });
  return out;
}
