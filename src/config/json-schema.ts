/**
 * The JSON Schema of a scenario config (`configs/schema.json`, `ascend-sim schema`), generated from the
 * same zod schemas the loader validates with, so editors complete and check configs as the loader does.
 * It describes the INPUT side (what users write, before defaults and units are resolved) and mirrors
 * `loadScenario`: where the loader does something JSON Schema cannot say (value ranges of quantities,
 * cross-field rules, `--set`), the schema is more permissive, never stricter.
 */
import { z } from "zod";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../topology/registry.js";
import { WORKLOADS } from "../workload/registry.js";
import { sectionNames, topLevelSchema } from "./scenario.js";

/** A JSON Schema object as zod and this module build it. */
export type JsonSchema = { [key: string]: unknown };

// io "input": what users write (defaults become optional keys); "any": a transform renders as `{}`
// unless it carries metadata (quantities, model), instead of throwing.
function toJson(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** The schema of a zod object as JSON, checked to be an object schema with properties (cluster types and workloads are). */
function objectJson(schema: z.ZodType, what: string): JsonSchema & { properties: Record<string, JsonSchema> } {
  const js = toJson(schema);
  if (js.type !== "object" || typeof js.properties !== "object" || js.properties === null) {
    throw new Error(`the schema of ${what} is not a zod object: cannot describe it in configs/schema.json`);
  }
  return js as JsonSchema & { properties: Record<string, JsonSchema> };
}

// Whether the loader rejects a missing section: zod's own notion of an optional input (default,
// prefault, optional), read from the "required" list zod writes for a one-key object.
function requiredInput(schema: z.ZodType): boolean {
  const js = toJson(z.strictObject({ value: schema }));
  return Array.isArray(js.required) && js.required.includes("value");
}

function withoutDefault(js: JsonSchema): JsonSchema {
  const { default: _drop, ...rest } = js;
  return rest;
}

/** `cluster:` as `resolveCluster` accepts it: a preset name, `{preset: name, …overrides}`, or `{type: …, …}`. */
function clusterJson(): JsonSchema {
  const presetNames = Object.keys(CLUSTER_PRESETS);
  const presetBranches: JsonSchema[] = [];
  const typeBranches: JsonSchema[] = [];
  for (const [typeName, type] of Object.entries(CLUSTER_TYPES)) {
    const js = objectJson(type.schema, `cluster type "${typeName}"`);
    typeBranches.push({ ...js, description: `cluster type "${typeName}": ${type.description}` });
    const presetsOfType = presetNames.filter((p) => CLUSTER_PRESETS[p]!.type === typeName);
    if (presetsOfType.length === 0) continue;
    // Overrides are shallow-merged over the preset's parameters and the result is validated by the
    // type's strict schema: any key of that type may be overridden, none is required, no other key
    // is allowed. The type's defaults are not what an omitted key gets here (the preset's value is).
    const { required: _required, ...rest } = js;
    const properties: Record<string, JsonSchema> = {
      preset: { type: "string", enum: presetsOfType, description: `a cluster preset of type "${typeName}" (\`ascend-sim list clusters\`)` },
    };
    for (const [k, v] of Object.entries(js.properties)) properties[k] = withoutDefault(v);
    presetBranches.push({ ...rest, description: `a preset of type "${typeName}" with overrides of its parameters`, properties, required: ["preset"] });
  }
  return {
    description: "the cluster: a preset name (`ascend-sim list clusters`), `{preset: name, <overrides>}`, or `{type: …, …}`",
    anyOf: [{ type: "string", enum: presetNames, description: "a cluster preset (`ascend-sim list clusters`)" }, ...presetBranches, ...typeBranches],
  };
}

/** `workload:` — exactly one kind's schema, selected by its `kind` literal. */
function workloadJson(): JsonSchema {
  return {
    description: "what to simulate; `workload.kind` selects the schema (`ascend-sim list workloads`)",
    oneOf: Object.entries(WORKLOADS).map(([kind, w]) => ({ ...objectJson(w.schema, `workload kind "${kind}"`), description: `workload kind "${kind}": ${w.description}` })),
  };
}

/** Kinds reading each section and their distinct JSON schemas (deduplicated by JSON text, in registry order). */
function sectionVariants(): Map<string, { kinds: string[]; schemas: Map<string, JsonSchema> }> {
  const out = new Map<string, { kinds: string[]; schemas: Map<string, JsonSchema> }>();
  for (const name of sectionNames()) out.set(name, { kinds: [], schemas: new Map() });
  for (const [kind, w] of Object.entries(WORKLOADS)) {
    for (const [name, schema] of Object.entries(w.sections ?? {})) {
      const v = out.get(name)!;
      const js = toJson(schema);
      v.kinds.push(kind);
      v.schemas.set(JSON.stringify(js), js);
    }
  }
  return out;
}

function sectionJson(name: string, kinds: readonly string[], schemas: readonly JsonSchema[]): JsonSchema {
  const readBy = `read by workload kind${kinds.length > 1 ? "s" : ""} ${kinds.join(", ")}`;
  if (schemas.length === 1) {
    const js = schemas[0]!;
    return { ...js, description: typeof js.description === "string" ? `${js.description}; ${readBy}` : `the \`${name}\` section, ${readBy}` };
  }
  return { description: `the \`${name}\` section, ${readBy} (each kind checks its own schema)`, anyOf: [...schemas] };
}

/**
 * Per workload kind, what `loadScenario` checks across sections: `cluster` is required unless the kind
 * runs without one, the sections it reads without a default are required, sections only other kinds
 * read are rejected, and a section whose schema differs between kinds must match this kind's.
 */
function kindRules(variants: ReturnType<typeof sectionVariants>): JsonSchema[] {
  return Object.entries(WORKLOADS).map(([kind, w]) => {
    const own = w.sections ?? {};
    const required = [...(w.usesCluster === false ? [] : ["cluster"]), ...Object.keys(own).filter((k) => requiredInput(own[k]!))];
    const properties: Record<string, JsonSchema | false> = {};
    for (const [name, v] of variants) {
      if (!(name in own)) properties[name] = false;
      else if (v.schemas.size > 1) properties[name] = toJson(own[name]!);
    }
    const then: JsonSchema = {};
    if (required.length > 0) then.required = required;
    if (Object.keys(properties).length > 0) then.properties = properties;
    return {
      if: { properties: { workload: { type: "object", properties: { kind: { const: kind } }, required: ["kind"] } }, required: ["workload"] },
      then,
    };
  });
}

const TOP_LEVEL_DESCRIPTIONS: Record<string, string> = {
  name: "scenario name used in outputs (default: the file name)",
  description: "free text",
  seed: "seed of every random stream of the run (integer 0 … 2³²−1)",
  network: "the network model and its parameters (`ascend-sim list networks`)",
};

/** The JSON Schema (draft 2020-12) of one scenario YAML document as written (before defaults), from the zod schemas. */
export function configJsonSchema(): JsonSchema {
  const top = objectJson(topLevelSchema, "the top level");
  const variants = sectionVariants();
  const properties: Record<string, JsonSchema> = {};
  // topLevelSchema's keys, in its order: it is what the loader checks the top level against
  for (const [key, js] of Object.entries(top.properties)) {
    const v = variants.get(key);
    if (key === "cluster") properties[key] = clusterJson();
    else if (key === "workload") properties[key] = workloadJson();
    else if (v !== undefined) properties[key] = sectionJson(key, v.kinds, [...v.schemas.values()]);
    else properties[key] = { ...js, ...(TOP_LEVEL_DESCRIPTIONS[key] !== undefined ? { description: TOP_LEVEL_DESCRIPTIONS[key] } : {}) };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "ascend-sim scenario",
    description:
      "One ascend-sim scenario config (a YAML document) as written, before defaults. Generated from the zod schemas " +
      "by `ascend-sim schema` (`npm run schema`); do not edit configs/schema.json by hand. Value ranges of " +
      "quantities and cross-field rules are checked by the loader only (`ascend-sim explain <config>`).",
    type: "object",
    properties,
    required: ["workload"],
    additionalProperties: false,
    allOf: kindRules(variants),
  };
}

/** `configJsonSchema()` as the text of configs/schema.json: 2-space indented JSON and a trailing newline. */
export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + "\n";
}
