import { dirname, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_COLLECTIVE_STEP_OVERHEAD } from "../collectives/constants.js";
import { NETWORK_MODELS } from "../network/registry.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../topology/registry.js";
import { describe, quoted } from "../units/index.js";
import { WORKLOADS } from "../workload/registry.js";
import type { JsonValue, WorkloadDefinition } from "../workload/workload.js";
import { didYouMean, validValues } from "./did-you-mean.js";
import { documentData, issueAt, keyPath, loadConfigDocument, type ConfigDocument } from "./document.js";
import { ResolvedEnvironment, type ClusterConfig, type NetworkConfig } from "./environment.js";
import { InputError, inReadingOrder, type InputIssue } from "./errors.js";
import { duration } from "./quantity.js";
import { isPlainObject, keyPathsOf, type IssueContext, zodToInputIssues } from "./zod-issues.js";

/** The `network:` section. */
export const networkSchema = z.strictObject({
  /** Network model: `analytical` (α–β) or `flow` (max-min fair sharing). */
  model: z.enum(Object.keys(NETWORK_MODELS) as [string, ...string[]]).default("analytical"),
  /**
   * Software cost of each collective step (HCCL notify/sync), at most 1 s: it is µs on real systems, and
   * a typo of seconds multiplies through every step of every collective past the engine's clock.
   */
  collective_step_overhead: duration(1e9).prefault(DEFAULT_COLLECTIVE_STEP_OVERHEAD),
  /**
   * Flow model only: events within this duration of each other are processed as one batch, so a flow
   * may finish or start up to this early. "0ns" = exact (SimGrid-exact); a few ns make uneven
   * all-to-alls of tens of thousands of flows run in seconds (README, `network:`).
   */
  flow_resolution: duration().prefault("0ns"),
});

/** Names of the top-level sections some workload kind reads (model, deployment, precision, …). */
export function sectionNames(): string[] {
  const names = new Set<string>();
  for (const w of Object.values(WORKLOADS)) for (const k of Object.keys(w.sections ?? {})) names.add(k);
  return [...names].sort();
}

/** Top-level keys of a config; `cluster`, `workload` and workload sections are validated by their own schemas. */
export const topLevelSchema = z.strictObject({
  /** Free-form scenario name (default: the file name). */
  name: z.string().optional(),
  /** Free-form description. */
  description: z.string().optional(),
  /** Seed of every random stream of the run (integer, 0 … 2³²−1). */
  seed: z.number().int().min(0).max(4294967295).default(1),
  /** Cluster preset name, `{preset: name, …overrides}`, or `{type: …, …}`. */
  cluster: z.unknown().optional(),
  network: networkSchema.prefault({}),
  workload: z.unknown().optional(),
  ...Object.fromEntries(sectionNames().map((k) => [k, z.unknown().optional()])),
});

/** Options of `loadScenario`. */
export interface LoadOptions {
  /** `key.path=value` edits applied before validation (CLI `--set`). */
  readonly sets?: readonly string[];
  /** Overrides the config's seed (CLI `--seed`). */
  readonly seed?: number;
  /** Config text; read from `file` when absent. */
  readonly text?: string;
}

/** A validated, resolved scenario ready to run. */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly seed: number;
  readonly env: ResolvedEnvironment;
  readonly workload: {
    readonly def: WorkloadDefinition;
    readonly config: unknown;
    /** Parsed top-level sections the workload reads (model, deployment, …). */
    readonly sections: Record<string, unknown>;
  };
  /** The resolved config (defaults filled, presets expanded, units normalised) as JSON. */
  readonly resolved: Record<string, JsonValue>;
  /**
   * Locates an input problem a run finds once its inputs are known (a trace it reads, a rule on the trace's
   * length) at its dotted config path: the file's line and column, or the `--set` it came from.
   */
  readonly locate: (issue: InputIssue) => InputIssue;
}


function resolveCluster(cd: ConfigDocument, raw: unknown, issues: InputIssue[], context: IssueContext): ClusterConfig | undefined {
  const presetNames = Object.keys(CLUSTER_PRESETS);
  const typeNames = Object.keys(CLUSTER_TYPES);
  const path = ["cluster"];
  let presetName: string | undefined;
  let merged: Record<string, unknown>;
  if (raw === undefined) {
    issues.push(issueAt(cd, [], `missing key "cluster": expected a cluster preset name (${presetNames.join(", ")}) or a mapping with "type:"`));
    return undefined;
  }
  if (isPlainObject(raw) && "preset" in raw && typeof raw.preset !== "string") {
    issues.push(issueAt(cd, [...path, "preset"], `expected a cluster preset name, got ${describe(raw.preset)}. ${validValues(presetNames)}`));
    return undefined;
  }
  if (typeof raw === "string" || (isPlainObject(raw) && "preset" in raw)) {
    presetName = typeof raw === "string" ? raw : String(raw.preset);
    const preset = Object.hasOwn(CLUSTER_PRESETS, presetName) ? CLUSTER_PRESETS[presetName] : undefined;
    if (preset === undefined) {
      const at = typeof raw === "string" ? path : [...path, "preset"];
      issues.push(issueAt(cd, at, `unknown cluster preset ${quoted(presetName)}${didYouMean(presetName, presetNames)}. ${validValues(presetNames)}`));
      return undefined;
    }
    const overrides: Record<string, unknown> = isPlainObject(raw) ? { ...raw } : {};
    delete overrides.preset;
    if ("type" in overrides && overrides.type !== preset.type) {
      issues.push(issueAt(cd, [...path, "type"], `preset ${quoted(presetName)} is of type "${preset.type}", got type ${describe(overrides.type)}`));
      return undefined;
    }
    merged = { type: preset.type, ...preset.params, ...overrides };
  } else if (isPlainObject(raw)) {
    merged = raw;
  } else {
    issues.push(issueAt(cd, path, `expected a cluster preset name or a mapping, got ${describe(raw)}`));
    return undefined;
  }
  const typeName = merged.type;
  const type = typeof typeName === "string" && Object.hasOwn(CLUSTER_TYPES, typeName) ? CLUSTER_TYPES[typeName] : undefined;
  if (type === undefined) {
    const hint = typeof typeName === "string" ? didYouMean(typeName, typeNames) : "";
    const found = typeName === undefined ? 'no "type" (and no "preset")' : describe(typeName);
    issues.push(issueAt(cd, [...path, "type"], `expected a cluster type, got ${found}${hint}. ${validValues(typeNames)}`));
    return undefined;
  }
  const parsed = type.schema.safeParse(merged, { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodToInputIssues(cd, type.schema, parsed.error.issues, path, context));
    return undefined;
  }
  return { type: type.type, name: presetName ?? "inline", spec: parsed.data as Record<string, unknown> };
}

/** Validates the top-level sections `def` reads and rejects those only other kinds read. */
function resolveSections(cd: ConfigDocument, def: WorkloadDefinition, raw: Record<string, unknown>, issues: InputIssue[], context: IssueContext): Record<string, unknown> {
  const own = def.sections ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(own)) {
    const parsed = schema.safeParse(raw[key], { reportInput: true });
    if (parsed.success) out[key] = parsed.data;
    else issues.push(...zodToInputIssues(cd, schema, parsed.error.issues, [key], context));
  }
  for (const key of sectionNames()) {
    if (!(key in own) && raw[key] !== undefined) {
      const users = Object.values(WORKLOADS).filter((w) => w.sections && key in w.sections).map((w) => w.kind);
      issues.push(issueAt(cd, [], `key ${quoted(key)} is not used by workload kind "${def.kind}" (it belongs to ${users.join(", ")})`, key));
    }
  }
  return out;
}

function resolveWorkload(cd: ConfigDocument, raw: unknown, issues: InputIssue[], context: IssueContext): { def: WorkloadDefinition; config: unknown } | undefined {
  const kinds = Object.keys(WORKLOADS);
  const path = ["workload"];
  if (!isPlainObject(raw)) {
    const found = raw === undefined ? "nothing (the key is missing)" : describe(raw);
    issues.push(issueAt(cd, raw === undefined ? [] : path, `expected "workload:" to be a mapping with "kind:", got ${found}. Workload kinds: ${kinds.join(", ")}.`));
    return undefined;
  }
  const kind = raw.kind;
  const def = typeof kind === "string" && Object.hasOwn(WORKLOADS, kind) ? WORKLOADS[kind] : undefined;
  if (def === undefined) {
    const hint = typeof kind === "string" ? didYouMean(kind, kinds) : "";
    const found = kind === undefined ? "nothing (the key is missing)" : describe(kind);
    issues.push(issueAt(cd, kind === undefined ? path : [...path, "kind"], `expected a workload kind, got ${found}${hint}. ${validValues(kinds)}`));
    return undefined;
  }
  const parsed = def.schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    issues.push(...zodToInputIssues(cd, def.schema, parsed.error.issues, path, context));
    return undefined;
  }
  return { def, config: parsed.data };
}

/** Resolves a path written in a config relative to the config file's folder. */
export function resolveConfigPath(env: ResolvedEnvironment, p: string): string {
  return resolve(env.configDir, p);
}

/**
 * Every key path of a config of workload kind `def` on the cluster `rawCluster` names (its type's keys),
 * so an unknown key that is valid elsewhere can say where (`workload.tp_extend_ep` → `parallel.tp_extend_ep`).
 */
function configKeyPaths(def: WorkloadDefinition | undefined, rawCluster: unknown): string[] {
  const paths = keyPathsOf(topLevelSchema, "");
  const typeName =
    isPlainObject(rawCluster) && typeof rawCluster.type === "string"
      ? rawCluster.type
      : (() => {
          const preset = typeof rawCluster === "string" ? rawCluster : isPlainObject(rawCluster) && typeof rawCluster.preset === "string" ? rawCluster.preset : undefined;
          return preset !== undefined && Object.hasOwn(CLUSTER_PRESETS, preset) ? CLUSTER_PRESETS[preset]!.type : undefined;
        })();
  if (typeName !== undefined && Object.hasOwn(CLUSTER_TYPES, typeName)) paths.push(...keyPathsOf(CLUSTER_TYPES[typeName]!.schema, "cluster"));
  if (def !== undefined) {
    paths.push(...keyPathsOf(def.schema, "workload"));
    for (const [key, schema] of Object.entries(def.sections ?? {})) paths.push(...keyPathsOf(schema, key));
  }
  return [...new Set(paths)];
}

/** Top-level keys of a search space (src/search/space.ts), which `search --space` reads, not `run`. */
const SEARCH_SPACE_KEYS = ["knobs", "generators"];

/** A search-space file given where a scenario is expected is one error that says how to use it. */
function rejectSearchSpace(cd: ConfigDocument, raw: Record<string, unknown>, written: () => Record<string, unknown>): void {
  const spaceKeys = Object.keys(raw).filter((k) => SEARCH_SPACE_KEYS.includes(k));
  if (spaceKeys.length === 0) return;
  // the file as written decides, not a --set that added workload: to it
  const file = "workload" in raw || "cluster" in raw ? written() : raw;
  if ("workload" in file || "cluster" in file) return;
  const has = spaceKeys.map((k) => `${k}:`).join(" and ");
  throw new InputError([
    {
      file: cd.file,
      path: "",
      message: `this is a search space (it has ${has} and no workload:), not a scenario: give it to search with the scenario it varies, \`ascend-sim search <scenario.yaml> --space ${cd.file} --objective <metric>\``,
    },
  ]);
}

/**
 * parse → defaults and units → presets → cross-field rules → resolved Scenario. Collects every
 * issue it can before throwing one InputError.
 */
export function loadScenario(file: string, opts: LoadOptions = {}): Scenario {
  const cd = loadConfigDocument(file, opts.sets ?? [], opts.text, opts.seed);
  const raw = documentData(cd) as Record<string, unknown>;
  const issues: InputIssue[] = [];
  rejectSearchSpace(cd, raw, () => documentData(loadConfigDocument(file, [], opts.text)) as Record<string, unknown>);

  // the workload kind decides whether a cluster is needed, even when the rest of its section is invalid
  const kindName = isPlainObject(raw.workload) ? raw.workload.kind : undefined;
  const kindDef = typeof kindName === "string" && Object.hasOwn(WORKLOADS, kindName) ? WORKLOADS[kindName] : undefined;
  let keyPaths: string[] | undefined;
  const context: IssueContext = { keyPaths: () => (keyPaths ??= configKeyPaths(kindDef, raw.cluster)) };
  const top = topLevelSchema.safeParse(raw, { reportInput: true });
  if (!top.success) issues.push(...zodToInputIssues(cd, topLevelSchema, top.error.issues, [], context));
  const workloadOnly = resolveWorkload(cd, raw.workload, issues, context);
  const workload = workloadOnly && { ...workloadOnly, sections: resolveSections(cd, workloadOnly.def, raw, issues, context) };
  const clusterOptional = kindDef?.usesCluster === false && raw.cluster === undefined;
  const cluster = clusterOptional ? undefined : resolveCluster(cd, raw.cluster, issues, context);
  if (issues.length > 0 || !top.success || (cluster === undefined && !clusterOptional) || workload === undefined) {
    throw new InputError(inReadingOrder(issues));
  }

  const network: NetworkConfig = top.data.network;
  const env = new ResolvedEnvironment(top.data.seed, cluster, network, dirname(resolve(file)));
  if (cluster !== undefined) {
    try {
      env.topology();
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError([issueAt(cd, ["cluster"], (e as Error).message)]);
    }
  }
  const violations = workload.def.check?.(workload.config, env, workload.sections) ?? [];
  if (violations.length > 0) throw new InputError(violations.map((v) => issueAt(cd, v.path, v.message)));

  const name = top.data.name ?? file.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/i, "");
  const resolved = JSON.parse(
    JSON.stringify({
      name,
      ...(top.data.description !== undefined ? { description: top.data.description } : {}),
      seed: top.data.seed,
      ...(cluster !== undefined ? { cluster: { preset: cluster.name, ...cluster.spec } } : {}),
      network,
      ...workload.sections,
      workload: workload.config,
    }),
  ) as Record<string, JsonValue>;
  workload.def.fillDerived?.(resolved, workload.config, env, workload.sections);
  const locate = (issue: InputIssue): InputIssue =>
    issue.file !== undefined || issue.fromSet !== undefined || issue.path === "" ? issue : issueAt(cd, keyPath(issue.path), issue.message);
  return { file, name, seed: top.data.seed, env, workload, resolved, locate };
}
