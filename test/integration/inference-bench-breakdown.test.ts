import { describe, expect, it } from "vitest";
import { balancedExpertLoad, moeFfnParts, parallelLayout, type LayerItem } from "../../src/model/ops/index.js";
import { MODELS } from "../../src/model/presets.js";
import { classOf } from "../../src/workload/inference-bench/costing.js";

// breakdown_us classes (docs/inference-bench.md, Metrics): `moe_gemm` is the experts, `other` the router,
// gating, residual adds and norms outside attention.
describe("breakdown classes of the MoE block's items", () => {
  const arch = MODELS["deepseek-r1"]!.arch;
  const input = {
    arch,
    precision: "w8a8" as const,
    layout: parallelLayout({ attention: { dp: 32 }, experts: { ep: 32, redundant_experts: 32 }, shared_experts: { placement: "replicated" } }),
    shape: { phase: "prefill" as const, sequences: 1, queryTokens: 512 },
  };
  const p = moeFfnParts(input, balancedExpertLoad(input));
  const all: LayerItem[] = [...p.pre, ...p.shared, ...p.experts, ...p.post];

  it("the residual add after the MoE (which also adds the local shared experts' output) is `other`, not `moe_gemm`", () => {
    const adds = all.filter((i) => i.kind === "compute" && i.op.op === "add");
    expect(adds.length).toBe(1);
    expect(adds[0]!.label).toContain("shared experts");
    expect(classOf(adds[0]!)).toBe("other");
  });

  it("shared and routed expert GEMMs, SwiGLU and their input quantisation are `moe_gemm`; router and gating `other`", () => {
    for (const i of [...p.shared, ...p.experts]) expect(classOf(i), i.label).toBe("moe_gemm");
    for (const i of p.pre) expect(classOf(i), i.label).toBe("other");
  });
});
