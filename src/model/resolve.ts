import type { z } from "zod";
import { architectureSchema, type ModelArchitecture } from "./architecture.js";
import { MODEL_NAMES, MODELS } from "./presets.js";

/** The outcome of resolving a `model:` config value. Issue paths are relative to that value. */
export type ModelResolution =
  | { readonly ok: true; /** Preset the model started from, if any. */ readonly preset: string | undefined; readonly arch: ModelArchitecture }
  | { readonly ok: false; readonly kind: "unknown-preset"; readonly preset: string; /** `[]` for `model: name`, `["preset"]` for `{preset: name}`. */ readonly path: readonly string[]; readonly validPresets: readonly string[] }
  | { readonly ok: false; readonly kind: "invalid"; /** Parsed with `reportInput: true`, so `zodToInputIssues` can word them. */ readonly issues: readonly z.core.$ZodIssue[] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `override` laid over `base`: mappings merge key by key, anything else replaces, `null` deletes the key
 * (e.g. `rope: null`). A mapping with a different `kind` than the base (switching `attention` from `mla`
 * to `gqa`) replaces the base mapping whole, since the fields of one kind mean nothing to another.
 */
export function mergeOverride(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  if ("kind" in override && override.kind !== base.kind) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    // own keys only, defined rather than assigned: a `__proto__` or `toString` key stays a key of its own
    // (which the schema then rejects as unknown) instead of setting the prototype or merging into it
    else Object.defineProperty(out, k, { value: Object.hasOwn(base, k) ? mergeOverride(base[k], v) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Resolves a `model:` value: a preset name (`deepseek-r1`), a preset with overrides
 * (`{preset: deepseek-r1, layers: 4, moe: {top_k: 4}}`, deep-merged, unknown keys rejected), or a whole
 * architecture written inline. The result is validated by `architectureSchema`.
 */
export function resolveModel(raw: unknown): ModelResolution {
  let presetName: string | undefined;
  let candidate: unknown = raw;
  if (typeof raw === "string" || (isPlainObject(raw) && "preset" in raw)) {
    presetName = typeof raw === "string" ? raw : String(raw.preset);
    const p = Object.hasOwn(MODELS, presetName) ? MODELS[presetName] : undefined;
    if (p === undefined) {
      return { ok: false, kind: "unknown-preset", preset: presetName, path: typeof raw === "string" ? [] : ["preset"], validPresets: MODEL_NAMES };
    }
    if (isPlainObject(raw)) {
      const { preset: _drop, ...overrides } = raw;
      candidate = mergeOverride(p.arch, overrides);
    } else {
      candidate = p.arch;
    }
  }
  const r = architectureSchema.safeParse(candidate, { reportInput: true });
  if (!r.success) return { ok: false, kind: "invalid", issues: r.error.issues };
  return { ok: true, preset: presetName, arch: r.data };
}
