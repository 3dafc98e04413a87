import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";

// Values no real deployment has but that would make a run crawl (per-head operators, a cost fit over a
// budget-long prompt) are refused at load time with the setting's path (exit 2), not left to run for minutes.
describe("sizing bounds on model and serving settings", () => {
  it("more than 1,024 attention heads is an input error", () => {
    expect(() => loadScenario("configs/cloudmatrix-dsr1-decode.yaml", { sets: ["model.attention.heads=10000000"] })).toThrow(/model\.attention\.heads: expected a number <= 1024/);
    expect(() => loadScenario("configs/cloudmatrix-dsr1-decode.yaml", { sets: ["model.attention.heads=256"] })).not.toThrow();
  });

  it("a serving or elastic token budget above 2^20 tokens is an input error", () => {
    expect(() => loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.instances.0.token_budget=4294967296"] })).toThrow(/workload\.instances\.0\.token_budget: expected a number <= 1048576/);
    expect(() => loadScenario("configs/elastic-moe-ablation.yaml", { sets: ["workload.token_budget=2000000"] })).toThrow(/workload\.token_budget: expected a number <= 1048576/);
  });
});
