import { z } from "zod";
import { architectureSchema, type ModelArchitecture } from "../model/architecture.js";
import { MODEL_NAMES } from "../model/presets.js";
import { resolveModel } from "../model/resolve.js";
import { quoted } from "../units/index.js";
import { didYouMean, validValues } from "./did-you-mean.js";
import { withKeysOf } from "./zod-walk.js";

/** A resolved `model:` section: the preset it came from (if any) and the full architecture. */
export interface ResolvedModel {
  /** Preset name, or "inline". */
  readonly preset: string;
  /** Name for titles: the preset's, "<preset> (modified)" when overrides change its architecture, or "inline". */
  readonly label: string;
  readonly arch: ModelArchitecture;
  /** Serialises as the preset name followed by every architecture field (for `explain` and `--json`). */
  toJSON(): unknown;
}

/**
 * The `model:` config field: a preset name (`deepseek-r1`), `{preset: name, <overrides>}`, or a whole
 * architecture inline; unknown presets get "did you mean" and the valid names.
 */
export function modelField() {
  const schema = z.unknown().transform((raw, ctx): ResolvedModel => {
    // a name that is only an Object.prototype member ("toString", "constructor") is no preset either
    const named = typeof raw === "string" ? raw : typeof raw === "object" && raw !== null && typeof (raw as { preset?: unknown }).preset === "string" ? (raw as { preset: string }).preset : undefined;
    const r: ReturnType<typeof resolveModel> =
      named !== undefined && !MODEL_NAMES.includes(named)
        ? { ok: false, kind: "unknown-preset", preset: named, path: typeof raw === "string" ? [] : ["preset"], validPresets: MODEL_NAMES }
        : resolveModel(raw);
    if (r.ok) {
      const preset = r.preset ?? "inline";
      const arch = r.arch;
      return { preset, label: labelOf(preset, arch), arch, toJSON: () => ({ preset, ...arch }) };
    }
    if (r.kind === "unknown-preset") {
      ctx.issues.push({
        code: "custom",
        path: [...r.path],
        input: r.preset,
        message: `unknown model preset ${quoted(r.preset)}${didYouMean(r.preset, r.validPresets)}. ${validValues(r.validPresets)}`,
      });
    } else {
      for (const issue of r.issues) ctx.issues.push({ ...issue, input: (issue as { input?: unknown }).input } as never);
    }
    return z.NEVER;
  });
  // overrides and inline architectures take the architecture's keys: "did you mean" and the valid keys below `model:`
  return withKeysOf(schema.meta(modelJsonSchemaMeta()), z.object({ preset: z.string(), ...architectureSchema.shape }));
}

/**
 * JSON Schema metadata of the `model:` field (the transform alone renders as `{}`). The preset name is
 * checked; overrides and inline architectures are only required to be mappings, since overrides are
 * deep-merged into the preset (with `null` deleting a key) before the architecture schema sees them.
 */
function modelJsonSchemaMeta() {
  const presets = { type: "string", enum: [...MODEL_NAMES] };
  return {
    description: "the model: a preset name (`ascend-sim list models`), `{preset: name, <overrides>}`, or a whole architecture inline",
    anyOf: [
      { ...presets, description: "a model preset name (`ascend-sim list models`)" },
      {
        type: "object",
        description: "a preset with overrides, deep-merged into its architecture (`null` deletes a key)",
        properties: { preset: presets },
        required: ["preset"],
      },
      { type: "object", description: "a whole architecture written inline (no `preset:` key)", not: { required: ["preset"] } },
    ],
  };
}

/** A model's name for titles: a preset whose architecture the overrides changed is marked "(modified)". */
function labelOf(preset: string, arch: ModelArchitecture): string {
  if (!MODEL_NAMES.includes(preset)) return preset;
  const unchanged = resolveModel(preset);
  return unchanged.ok && JSON.stringify(unchanged.arch) === JSON.stringify(arch) ? preset : `${preset} (modified)`;
}
