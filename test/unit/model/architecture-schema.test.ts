import { describe, expect, it } from "vitest";
import { architectureSchema, MODELS, modelCatalog, mergeOverride, resolveModel, totalParams, type ModelArchitecture } from "../../../src/model/index.js";

function arch(name: string): ModelArchitecture {
  const p = MODELS[name];
  if (p === undefined) throw new Error(`no preset ${name}`);
  return p.arch;
}

const tinyDense = {
  layers: 2,
  hidden_size: 64,
  vocab_size: 100,
  attention: { kind: "mha", heads: 4, head_dim: 16 },
  first_dense_layers: "all",
  dense_intermediate_size: 128,
};

describe("inline architecture schema", () => {
  it("accepts a minimal inline dense model and fills defaults", () => {
    const a = architectureSchema.parse(tinyDense);
    expect(a).toMatchObject({ tie_embeddings: false, mtp_layers: 0, norm: "rmsnorm", activation: "swiglu", sandwich_norm: false });
    // 100×64 embedding + head, 2 × (4 × 64² attention + 3 × 64 × 128 FFN + 2 × 64 norms), final norm
    expect(totalParams(a)).toBe(2 * 100 * 64 + 2 * (4 * 64 * 64 + 3 * 64 * 128 + 2 * 64) + 64);
  });

  it("rejects an unknown top-level key", () => {
    const r = architectureSchema.safeParse({ ...tinyDense, hiden_size: 64 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["hiden_size"], path: [] });
  });

  it("rejects an unknown key inside attention and inside moe", () => {
    const att = architectureSchema.safeParse({ ...tinyDense, attention: { kind: "mha", heads: 4, head_dim: 16, kv_heads: 4 } });
    expect(att.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["kv_heads"], path: ["attention"] });
    const moe = architectureSchema.safeParse({ ...arch("qwen3-30b-a3b"), moe: { ...arch("qwen3-30b-a3b").moe, n_experts: 3 } });
    expect(moe.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["n_experts"], path: ["moe"] });
  });

  it("rejects MoE layers without a moe block, and dense layers without a dense FFN size", () => {
    const noMoe = architectureSchema.safeParse({ ...tinyDense, first_dense_layers: 1 });
    expect(noMoe.error?.issues.map((i) => i.path)).toEqual([["moe"]]);
    const { dense_intermediate_size: _drop, ...noFfn } = tinyDense;
    expect(architectureSchema.safeParse(noFfn).error?.issues.map((i) => i.path)).toEqual([["dense_intermediate_size"]]);
  });

  it("rejects MoGE groups that do not divide the experts or top-k", () => {
    const pro = arch("pangu-pro-moe");
    const r = architectureSchema.safeParse({ ...pro, moe: { ...pro.moe, routing: { kind: "moge", groups: 3 } } });
    expect(r.error?.issues.map((i) => i.path)).toEqual([
      ["moe", "routing", "groups"],
      ["moe", "routing", "groups"],
    ]);
  });

  it("rejects DeepSeek group-limited routing whose chosen groups hold fewer than top-k experts", () => {
    const v3 = arch("deepseek-v3");
    // 8 groups of 32 experts; top-1 group holds 32 ≥ 8, fine; top_k 40 in 1 group is not.
    const ok = architectureSchema.safeParse({ ...v3, moe: { ...v3.moe, routing: { kind: "group-limited", n_group: 8, topk_group: 1 } } });
    expect(ok.success).toBe(true);
    const bad = architectureSchema.safeParse({ ...v3, moe: { ...v3.moe, top_k: 40, routing: { kind: "group-limited", n_group: 8, topk_group: 1 } } });
    expect(bad.error?.issues.map((i) => i.path)).toEqual([["moe", "routing", "topk_group"]]);
  });

  it("rejects kv_heads that do not divide heads", () => {
    const r = architectureSchema.safeParse({ ...tinyDense, attention: { kind: "gqa", heads: 6, kv_heads: 4, head_dim: 16 } });
    expect(r.error?.issues.map((i) => i.path)).toEqual([["attention", "kv_heads"]]);
  });
});

describe("resolving a model: preset, preset with overrides, inline", () => {
  it("a preset name resolves to the preset architecture", () => {
    const r = resolveModel("deepseek-r1");
    expect(r.ok && r.preset).toBe("deepseek-r1");
    expect(r.ok && r.arch).toEqual(arch("deepseek-r1"));
  });

  it("a preset with overrides deep-merges them: a 4-layer DeepSeek-R1 with top-4 routing keeps every other field", () => {
    const r = resolveModel({ preset: "deepseek-r1", layers: 4, moe: { top_k: 4 } });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.arch.layers).toBe(4);
    expect(r.arch.moe?.top_k).toBe(4);
    expect(r.arch.moe?.routed_experts).toBe(256);
    expect(r.arch.attention).toEqual(arch("deepseek-r1").attention);
    // The preset itself is untouched.
    expect(arch("deepseek-r1").layers).toBe(61);
    expect(arch("deepseek-r1").moe?.top_k).toBe(8);
  });

  it("an override with an unknown key is rejected with its path", () => {
    const r = resolveModel({ preset: "deepseek-r1", moe: { topk: 4 } });
    expect(r.ok).toBe(false);
    if (!r.ok && r.kind === "invalid") expect(r.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["topk"], path: ["moe"] });
    else throw new Error("expected invalid");
  });

  it("an override that switches attention kind replaces the attention block whole", () => {
    const r = resolveModel({ preset: "deepseek-v2-lite", attention: { kind: "gqa", heads: 16, kv_heads: 2, head_dim: 128 } });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.arch.attention).toEqual({ kind: "gqa", heads: 16, kv_heads: 2, head_dim: 128, qkv_bias: false, qk_norm: false });
  });

  it("null deletes a key: a DeepSeek-V3 without rope metadata", () => {
    const r = resolveModel({ preset: "deepseek-v3", rope: null });
    expect(r.ok && r.arch.rope).toBeUndefined();
  });

  it("an unknown preset names the valid ones", () => {
    const r = resolveModel({ preset: "deepseek-r2" });
    expect(r).toMatchObject({ ok: false, kind: "unknown-preset", preset: "deepseek-r2", path: ["preset"] });
    if (!r.ok && r.kind === "unknown-preset") expect(r.validPresets).toContain("deepseek-r1");
  });

  it("an inline architecture without preset is validated as is", () => {
    const r = resolveModel(tinyDense);
    expect(r.ok && r.preset).toBeUndefined();
    expect(r.ok && r.arch.layers).toBe(2);
  });

  it("a preset name that is only an Object.prototype member is an unknown preset", () => {
    for (const name of ["toString", "constructor", "__proto__"]) {
      expect(resolveModel(name), name).toMatchObject({ ok: false, kind: "unknown-preset", preset: name, path: [] });
      expect(resolveModel({ preset: name }), name).toMatchObject({ ok: false, kind: "unknown-preset", preset: name, path: ["preset"] });
    }
  });

  it("an override key named like an Object.prototype member is an unknown key, not dropped or merged into the prototype", () => {
    // YAML (and JSON.parse) give `__proto__` as an own key, as a user's `model: {preset: …, __proto__: …}` would
    for (const key of ["__proto__", "toString"]) {
      const r = resolveModel(JSON.parse(`{"preset": "deepseek-r1", "${key}": {"layers": 4}}`));
      expect(r.ok, key).toBe(false);
      if (!r.ok && r.kind === "invalid") expect(r.issues[0], key).toMatchObject({ code: "unrecognized_keys", keys: [key] });
      else throw new Error(`expected invalid for ${key}`);
    }
  });

  it("mergeOverride replaces lists and scalars and merges mappings", () => {
    expect(mergeOverride({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: 2 });
  });
});

describe("model catalog", () => {
  it("lists every preset the design names, each with a one-line description", () => {
    const rows = modelCatalog();
    expect(rows.map(([n]) => n)).toEqual(["deepseek-v3", "deepseek-r1", "pangu-ultra-moe", "pangu-pro-moe", "qwen3-30b-a3b", "deepseek-v2-lite", "llama-3-70b"]);
    for (const [name, d] of rows) {
      expect(d.length, name).toBeGreaterThan(0);
      expect(d, name).not.toContain("\n");
    }
  });

  it("every preset cites a source", () => {
    for (const [name, p] of Object.entries(MODELS)) expect(p.source.length, name).toBeGreaterThan(0);
  });

  it("presets are frozen: no caller can change a preset for the next run", () => {
    expect(Object.isFrozen(arch("deepseek-v3").moe)).toBe(true);
  });
});
