import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { RngStreams } from "../../src/engine/index.js";
import { runScenario } from "../../src/run.js";
import { elasticArrivals } from "../../src/workload/elastic/load.js";
import type { ElasticCore } from "../../src/workload/elastic/schema.js";
import { inputErrorOf, loadError } from "../helpers/input-error.js";

// Robustness of the elastic workload against extreme and contradictory knob values (the audit of
// /tmp/robustness-report.md: C1, C2, W2, W5, W7, §3): input errors naming the key, what was expected and
// what was found, with file:line when the key is in the file; no out-of-memory abort, no internal error,
// no metric that claims something false.

const AB = "configs/elastic-moe-ablation.yaml";
const BU = "configs/elastic-moe-burst.yaml";

describe("elastic: seconds knobs stay inside the engine's 2^53 ns clock (C2)", () => {
  // pins: 1e300 s became Infinity ns ("internal error", exit 1), 1e9 s a message-less engine-limit error
  it.each([
    [AB, "workload.scaling.events=[{at_s: 1e300, dp: 4}]", "workload.scaling.events.0.at_s", "1e+300"],
    [BU, "workload.scaling.window_s=1e300", "workload.scaling.window_s", "1e+300"],
    [BU, "workload.scaling.window_s=1e9", "workload.scaling.window_s", "1000000000"],
    [BU, "workload.scaling.cooldown_s=1e300", "workload.scaling.cooldown_s", "1e+300"],
    [BU, "workload.timeline_window_s=1e300", "workload.timeline_window_s", "1e+300"],
    [AB, "workload.drain_s=1e9", "workload.drain_s", "1000000000"],
  ])("%s --set %s", (file, set, key, shown) => {
    expect(loadError(file, [set])).toBe(`--set ${set} ${key}: expected at most 9007199 s (the engine's 2^53 ns clock), got ${shown}`);
  });
  // pins: a late scheduled event plus drain_s past the clock is named at the event
  it("a scheduled event + drain_s past the clock: at the event's at_s", () => {
    expect(loadError(AB, ["workload.scaling.events=[{at_s: 9000000, dp: 4}]", "workload.drain_s=8000"])).toContain(
      "workload.scaling.events.0.at_s: scaling.events.0.at_s 9000000 s + drain_s 8000 s + timeline_window_s 5 s = 9008005 s, past the 9007199 s the engine's 2^53 ns clock can reach: shorten scaling.events.0.at_s",
    );
  });
  // pins: a 1 ns SLO decision window over a 240 s run was 2.4e11 events
  it("scaling.window_s=1e-9 under the SLO coordinator: the key, the count and a hint", () => {
    expect(loadError(BU, ["workload.scaling.window_s=1e-9"])).toBe(
      "--set workload.scaling.window_s=1e-9 workload.scaling.window_s: (duration_s + drain_s) ÷ scaling.window_s decisions ≈ 2.40e+11, more than the 1,000,000 one run may make: use a longer scaling.window_s (the run lasts about 240 s)",
    );
  });
});

describe("elastic: a request that can never be served is an input error (C1, W2)", () => {
  // pins: input_tokens=1e9 aborted with a V8 heap out-of-memory after ~23 s
  it("input_tokens=1e9: longer than the token budget", () => {
    expect(loadError(AB, ["workload.load.input_tokens=1e9"])).toBe(
      "--set workload.load.input_tokens=1e9 workload.load.input_tokens: expected a prompt of at most token_budget = 8192 tokens (a prompt is prefilled whole in one batch on one replica), got 1000000000 tokens; raise workload.token_budget (at most 1048576 tokens) or shorten the prompt",
    );
  });
  // pins: token_budget 1 ran with requests_completed 0 and exit 0 (a 1,024-token prompt extrapolated to 78 s of prefill)
  it("token_budget=1: the prompt in the file is longer than the budget", () => {
    expect(loadError(AB, ["workload.token_budget=1"])).toMatch(/^configs\/elastic-moe-ablation\.yaml:\d+:\d+ workload\.load\.input_tokens: expected a prompt of at most token_budget = 1 tokens/);
  });
  // pins: a request whose KV no replica holds ran with requests_completed 0 and exit 0
  it("a request longer than a replica's KV pool: the lengths and the pool", () => {
    expect(loadError(AB, ["workload.load.input_tokens=1048576", "workload.token_budget=1048576"])).toMatch(
      /^--set workload\.load\.input_tokens=1048576 workload\.load\.input_tokens: expected a request \(input_tokens \+ output_tokens = 1048576 \+ 128 = 1048704 tokens\) that fits the KV pool of one attention replica, got one that does not: dp 3 holds \d+ tokens per replica; shorten the request$/,
    );
  });
  // pins: what allocated per token (one prefix-block id per 512 prompt tokens, unused by elastic) is gone
  it("elastic arrivals carry no per-token allocation", () => {
    const s = loadScenario(AB, { sets: ["workload.compare=[]", "workload.load.input_tokens=8192"] });
    const arrivals = elasticArrivals(s.workload.config as ElasticCore, new RngStreams(1));
    expect(arrivals.length).toBeGreaterThan(0);
    expect(arrivals.every((a) => a.hashIds.length === 0 && a.input === 8192)).toBe(true);
  });
});

describe("elastic: SLO attainment with no request completed (W2)", () => {
  // pins: the JSON said slo_attainment 1 (all SLOs met) when nothing completed; serving reports 0
  it("0, as serving reports, and — in the table", () => {
    const r = runScenario(loadScenario(AB, { sets: ["workload.compare=[]", "workload.load.phases=[]", "workload.load.offline_batch=5", "workload.scaling.events=[]", "workload.drain_s=0"] }));
    expect(r.metrics.requests_arrived).toBe(5);
    expect(r.metrics.requests_completed).toBe(0);
    expect(r.metrics.slo_attainment).toBe(0);
    expect(r.tables[0]!.rows[0]![10]).toBe("—");
  });
});

describe("elastic: a run has at least one timeline row (W5)", () => {
  // pins: the last, partial window's rate was over the whole (nominal) window, and t_s its nominal end
  it("timeline_window_s=1e6: one row at the run's end with every arrival and completion", () => {
    const r = runScenario(loadScenario(AB, { sets: ["workload.compare=[]", "workload.timeline_window_s=1e6"] }));
    const tl = r.metrics.timeline as { t_s: number; arrivals: number; completed: number; output_tokens_per_s: number }[];
    expect(tl).toHaveLength(1);
    expect(tl[0]!.arrivals).toBe(r.metrics.requests_arrived);
    expect(tl[0]!.completed).toBe(r.metrics.requests_completed);
    expect(tl[0]!.t_s).toBe(220); // the last event (100 s) + drain_s 120 s
    expect(tl[0]!.output_tokens_per_s).toBeCloseTo((116 * 128) / 220, 6);
  });
});

describe("elastic: compare names are unique (W7)", () => {
  // pins: a variant named as the base row gave two rows of one name
  it("the base row's name (full: ElasticMoE with every mechanism): at the variant's name", () => {
    expect(loadError(AB, ["workload.compare.0.name=full"])).toBe(
      `--set workload.compare.0.name=full workload.compare.0.name: expected a name no other row has, got "full": the base row (this config, named after its strategy: full for ElasticMoE with every mechanism on) has it`,
    );
  });
});

describe("elastic: messages name the key to fix (§3)", () => {
  // pins: the MTP message was reported at workload.tp (every layout shares it)
  it("mtp.layers on a model without MTP: at workload.mtp.layers, once", () => {
    expect(loadError(BU, ["workload.mtp.layers=1"])).toBe("--set workload.mtp.layers=1 workload.mtp.layers: model qwen3-30b-a3b has no MTP module");
  });
  // pins: the message had no file:line (raised during the run) and a negative GB figure
  it("colocated_kv_fraction leaving no room: a keyed error at load time with the largest fraction that fits", () => {
    const msg = loadError(BU, ["workload.colocated_kv_fraction=1", "workload.strategy=colocated", "workload.compare=[]"]);
    expect(msg).toMatch(/^--set workload\.colocated_kv_fraction=1 workload\.colocated_kv_fraction: expected at most 0\.\d+ for the colocated scaling dp 3 → 4, got 1: a shared die has [\d.]+ GB of usable HBM, both copies' weights and buffers take [\d.]+ GB, the serving copy's whole KV pool is [\d.]+ GB and the new copy needs [\d.]+ GB for one request \(1152 tokens on one attention replica\)$/);
    expect(msg).not.toMatch(/-\d/);
    const edited = readFileSync(BU, "utf8").replace("strategy: elastic", "strategy: colocated\n  colocated_kv_fraction: 1").replace(/\n  compare:[\s\S]*$/, "\n");
    expect(inputErrorOf(() => loadScenario(BU, { text: edited }))).toMatch(/^configs\/elastic-moe-burst\.yaml:\d+:\d+ workload\.colocated_kv_fraction: expected at most/);
  });
  it("the default fraction loads", () => {
    expect(() => loadScenario(BU, { sets: ["workload.strategy=colocated", "workload.compare=[]"] })).not.toThrow();
  });
});

