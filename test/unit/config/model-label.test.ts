import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/config/scenario.js";
import type { ResolvedModel } from "../../../src/config/model-field.js";
import { runScenario } from "../../../src/run.js";

// Titles name the model a run simulated: a preset changed by overrides is not shown as the preset.

const DECODE = "configs/cloudmatrix-dsr1-decode.yaml";
const modelOf = (sets: string[]): ResolvedModel => loadScenario(DECODE, { sets }).workload.sections.model as ResolvedModel;

describe("the model's label", () => {
  it("is the preset's name when the overrides leave its architecture as it is", () => {
    expect(modelOf([]).label).toBe("deepseek-r1");
    expect(modelOf(["model.layers=61"]).label).toBe("deepseek-r1");
  });
  it("is marked (modified) when an override changes the architecture; --json keeps the preset's name", () => {
    const m = modelOf(["model.layers=30"]);
    expect(m.label).toBe("deepseek-r1 (modified)");
    expect((m.toJSON() as { preset: string }).preset).toBe("deepseek-r1");
  });
  it("titles the summary, and a modified DeepSeek is not set beside the published DeepSeek-R1 rows", () => {
    const out = runScenario(loadScenario(DECODE, { sets: ["model.layers=30"] }));
    expect(out.tables[0]!.title).toBe("inference-bench · deepseek-r1 (modified) w8a8 on 910C");
    expect(out.tables.some((t) => /GPU reference/.test(t.title ?? ""))).toBe(false);
    expect(runScenario(loadScenario(DECODE)).tables.some((t) => /GPU reference/.test(t.title ?? ""))).toBe(true);
  });
});
