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

/**
 * Fields that take `unknown` and validate it themselves (the `model:` field resolves presets, then parses
 * the architecture) name here the schema whose keys they accept, so "did you mean" and the list of valid
 * keys work below them too.
 */
const KEYS_SCHEMA = new WeakMap<object, unknown>();

/** Declares that `field` accepts the keys of `keys` (see KEYS_SCHEMA); returns `field`. */
export function withKeysOf<T extends object>(field: T, keys: unknown): T {
  KEYS_SCHEMA.set(field, keys);
  return field;
}

/** The schema whose keys `schema` accepts, when it declared one with `withKeysOf`. */
export function keysSchemaOf(schema: unknown): unknown {
  return typeof schema === "object" && schema !== null ? KEYS_SCHEMA.get(schema) : undefined;
}

/** The literal values a schema accepts (a literal or an enum, through wrappers), else undefined. */
export function literalValues(schema: unknown): unknown[] | undefined {
  const def = defOf(schema);
  if (def === undefined) return undefined;
  const inner = wrappedSchema(def);
  if (inner !== undefined) return literalValues(inner);
  if (def.type === "literal") return [...(def.values as unknown[])];
  if (def.type === "enum") return Object.values(def.entries as Record<string, unknown>);
  return undefined;
}

/** The object schema under wrappers (and refinements), else undefined. */
export function objectShape(schema: unknown): Record<string, unknown> | undefined {
  const def = defOf(schema);
  if (def === undefined) return undefined;
  const inner = wrappedSchema(def);
  if (inner !== undefined) return objectShape(inner);
  return def.type === "object" ? (def.shape as Record<string, unknown>) : undefined;
}

/**
 * The key that tells the options of a union of mappings apart: a discriminated union's discriminator, or a
 * key every option has as a literal (`kind`, `op`); undefined when there is none.
 */
export function unionDiscriminator(union: unknown): string | undefined {
  const def = defOf(union);
  if (def === undefined || def.type !== "union") return undefined;
  if (typeof def.discriminator === "string") return def.discriminator;
  const shapes = (def.options as unknown[]).map(objectShape);
  if (shapes.length < 2 || shapes.some((s) => s === undefined)) return undefined;
  return Object.keys(shapes[0]!).find((k) => shapes.every((s) => literalValues(s![k]) !== undefined));
}

/** The option of a union of mappings that `input` selects by its discriminator value, else undefined. */
export function selectedOption(union: unknown, input: unknown): { index: number; option: unknown } | undefined {
  const key = unionDiscriminator(union);
  if (key === undefined || typeof input !== "object" || input === null || !Object.hasOwn(input, key)) return undefined;
  const value = (input as Record<string, unknown>)[key];
  const options = defOf(union)!.options as unknown[];
  const index = options.findIndex((o) => literalValues(objectShape(o)![key])!.includes(value));
  return index < 0 ? undefined : { index, option: options[index] };
}
