import type { z } from "zod";
import { CLUSTER_TYPES } from "../topology/registry.js";
import { WORKLOADS } from "../workload/registry.js";
import { networkSchema, topLevelSchema } from "./scenario.js";
import { defOf, wrappedSchema } from "./zod-walk.js";


/** Dotted key paths an object schema accepts (lists descend into their element as `key[]`). */
export function schemaKeyPaths(schema: unknown, prefix: string): string[] {
  const def = defOf(schema);
  if (def === undefined) return [];
  const inner = wrappedSchema(def);
  if (inner !== undefined) return schemaKeyPaths(inner, prefix);
  switch (def.type) {
    case "array":
      return schemaKeyPaths(def.element, `${prefix}[]`);
    case "union":
      return [...new Set((def.options as unknown[]).flatMap((o) => schemaKeyPaths(o, prefix)))];
    case "object": {
      const out: string[] = [];
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        const p = prefix === "" ? k : `${prefix}.${k}`;
        out.push(p, ...schemaKeyPaths(v, p));
      }
      return out;
    }
    default:
      return [];
  }
}

/** Every config key, grouped by section: top level, network, each cluster type, each workload kind. */
export function allConfigKeys(): Record<string, string[]> {
  const out: Record<string, string[]> = {
    "top level": schemaKeyPaths(topLevelSchema, "").filter((k) => !k.startsWith("network.")),
    network: schemaKeyPaths(networkSchema as z.ZodType, "network"),
  };
  for (const [name, t] of Object.entries(CLUSTER_TYPES)) out[`cluster type ${name}`] = schemaKeyPaths(t.schema, "cluster");
  for (const [name, w] of Object.entries(WORKLOADS)) {
    const sectionKeys = Object.entries(w.sections ?? {}).flatMap(([key, schema]) => [key, ...schemaKeyPaths(schema, key)]);
    out[`workload ${name}`] = [...schemaKeyPaths(w.schema, "workload"), ...sectionKeys];
  }
  return out;
}
