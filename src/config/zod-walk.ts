/**
 * Walking zod 4 schemas by their definitions, for messages ("did you mean") and the config reference.
 * Wrappers (optional, default, prefault, pipe, …) are seen through to the schema that holds the keys.
 */

/** The parts of a zod definition the walkers read. */
export type ZodDef = { type: string; [k: string]: unknown };

/** The definition of a zod schema (undefined for anything else). */
export function defOf(schema: unknown): ZodDef | undefined {
  return (schema as { _zod?: { def?: ZodDef } })?._zod?.def;
}

/** The schema a wrapper wraps (optional, nullable, default, prefault, readonly, catch, pipe input), else undefined. */
export function wrappedSchema(def: ZodDef): unknown {
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return def.innerType;
    case "pipe":
      return def.in;
    default:
      return undefined;
  }
}
