import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { inputErrorOf, loadError } from "../helpers/input-error.js";

// Structural inputs of the serving, elastic and inference-bench workloads — lists of instance groups,
// compare variants, trace files, scheduled events, phase lists: a list that cannot mean what it says is an
// input error at the item that breaks it; one that can is run as written, not partly ignored.

/** DeepSeek-V2-Lite on a 16-NPU CloudMatrix: one prefill (TP2) and one decode (DP2) instance, 2 s of light load. */
const SERVING = `name: structural
seed: 1
cluster: cloudmatrix-16
model: deepseek-v2-lite
precision: bf16
workload:
  kind: serving
  duration_s: 2
  drain_s: 30
  arrivals: {kind: poisson, rate_per_s: 10, input: {value: 1024}, output: {value: 32}}
  instances:
    - {name: prefill, role: prefill, deployment: {attention: {dp: 1, tp: 2}, experts: {ep: 2}}, token_budget: 4096}
    - {name: decode, role: decode, deployment: {attention: {dp: 2, tp: 1}, experts: {ep: 2}}}
`;
const servingError = (sets: string[]): string => inputErrorOf(() => loadScenario("structural.yaml", { text: SERVING, sets }));

describe("serving: every instance has a label of its own", () => {
  // pins: `name: prefill` on both groups labelled a prefill and a decode instance prefill0 (tables, trace, --requests)
  it("a group name another group has: at the later group's name", () => {
    expect(servingError(["workload.instances.1.name=prefill"])).toBe(
      '--set workload.instances.1.name=prefill workload.instances.1.name: expected a group name no other group has (instances are labelled <name><k>), got "prefill": instances.0 has it; give this group a name of its own',
    );
  });
  it("two unnamed groups of one role share the role as their name: at the later group's role", () => {
    const groups = "[{role: prefill, deployment: {attention: {dp: 1, tp: 2}, experts: {ep: 2}}}, {role: decode, deployment: {attention: {dp: 2, tp: 1}, experts: {ep: 2}}}, {role: prefill, deployment: {attention: {dp: 1, tp: 2}, experts: {ep: 2}}}]";
    expect(servingError([`workload.instances=${groups}`])).toContain('workload.instances.2.role: expected a group name no other group has (instances are labelled <name><k>), got "prefill" (unnamed groups are named after their role): instances.0 has it');
  });
  // pins: `d1` × 1 and `d` × 11 both labelled an instance d10
  it("a name ending in digits that meets another group's numbering: the label both produce; distinct labels load", () => {
    const groups = "[{name: d1, role: prefill, deployment: {attention: {dp: 1, tp: 2}, experts: {ep: 2}}}, {name: d, count: 11, role: decode, deployment: {attention: {dp: 2, tp: 1}, experts: {ep: 2}}}]";
    expect(servingError([`workload.instances=${groups}`])).toContain('workload.instances.1.name: expected instance labels no other group produces, got "d10" (instance 10 of "d"), which instances.0 ("d1" × 1) also produces; choose a name that does not end in a digit');
    // distinct labels load, digits included (decode0 × 1 is decode00, beside decode0)
    expect(() => loadScenario("structural.yaml", { text: SERVING, sets: ["workload.instances.0.name=decode0"] })).not.toThrow();
  });
});

describe("serving: a compare variant's mistakes are worded as the base's", () => {
  // pins: zod's own words came through ("Unrecognized key", "Invalid input", "Invalid option: expected one of …")
  it.each([
    ["{routing: {prefil: round-robin}}", 'workload.compare.0.set.routing.prefil: unknown key "prefil" (did you mean "prefill"?). Valid keys are: prefill, decode, report_interval_s, reject_queue_batches.'],
    ["{routing: [1, 2]}", "workload.compare.0.set.routing: expected a mapping, got a list"],
    ["{instances: []}", "workload.compare.0.set.instances: expected at least 1 item, got 0 items"],
    ["{instances: [{role: decod, deployment: {}}]}", 'workload.compare.0.set.instances.0.role: expected one of prefill, decode, colocated, got "decod" (did you mean "decode"?).'],
    ["{cache: {hbm_capacity: 20}}", 'workload.compare.0.set.cache.hbm_capacity: expected auto | unbounded | a size with a unit like "64GiB", got the bare number 20 (add a unit)'],
    ["{drain_s: abc}", 'workload.compare.0.set.drain_s: expected a number, got "abc"'],
  ])("set: %s", (set, message) => {
    expect(servingError([`workload.compare=[{name: a, set: ${set}}]`])).toContain(`--set workload.compare=[{name: a, set: ${set}}] ${message}`);
  });
  it("in the file: at the variant's line", () => {
    const text = `${SERVING}  compare:\n    - name: rr\n      set: {routing: {prefil: round-robin}}\n`;
    expect(inputErrorOf(() => loadScenario("structural.yaml", { text }))).toMatch(/^structural\.yaml:16:\d+ workload\.compare\.0\.set\.routing\.prefil: unknown key "prefil" \(did you mean "prefill"\?\)/);
  });
  it("a variant's instance groups are held to the same label rule", () => {
    const groups = "[{role: colocated, deployment: {attention: {dp: 2}, experts: {ep: 2}}}, {role: colocated, deployment: {attention: {dp: 2}, experts: {ep: 2}}}]";
    expect(servingError([`workload.compare=[{name: agg, set: {instances: ${groups}}}]`])).toContain("workload.compare.0.set.instances.1.role: expected a group name no other group has");
  });
});

describe("serving: an Azure trace whose rows are out of order", () => {
  // pins: duration_s was applied to offsets from the first row, before the replay was shifted to start at the
  // earliest: rows at 48, 46, 47 s with duration_s 1.5 replayed an arrival at 2 s
  it("duration_s counts from the earliest arrival, where the replay starts", () => {
    const dir = mkdtempSync(join(tmpdir(), "ascend-sim-trace-"));
    writeFileSync(join(dir, "late-first.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:48.0,745,34\r\n2023-11-16 18:15:46.0,412,22\r\n2023-11-16 18:15:47.0,412,22\r\n");
    const file = join(dir, "trace.yaml");
    writeFileSync(file, SERVING);
    const sets = ["workload.arrivals={kind: trace, path: late-first.csv}", "workload.duration_s=1.5"];
    const r = runScenario(loadScenario(file, { sets }));
    expect(r.records!.map((x) => x.arrival_ms)).toEqual([0, 1000]);
    expect(r.metrics.requests_arrived).toBe(2);
  });
});

/** Qwen3-30B-A3B on CloudMatrix384, DP3 → DP4 at 5 s and back at 12 s, 2 requests/s for 20 s. */
const ELASTIC = `name: structural-elastic
seed: 1
cluster: cloudmatrix384
model: qwen3-30b-a3b
precision: bf16
workload:
  kind: elastic
  tp: 2
  from: {dp: 3}
  to: {dp: 4}
  duration_s: 20
  drain_s: 30
  load: {phases: [{until_s: 20, rate_per_s: 2}], input_tokens: 512, output_tokens: 32}
  scaling:
    policy: scheduled
    events: [{at_s: 5, dp: 4}, {at_s: 12, dp: 3}]
`;
const elastic = (sets: string[]) => loadScenario("structural-elastic.yaml", { text: ELASTIC, sets });
type Scaling = { kind: string; from_dp: number; to_dp: number; start_s: number; duration_s: number };

describe("elastic: scheduled events", () => {
  // pins: an event due while a scaling was in progress was dropped (the title said DP3 → DP4 → DP3 → DP5, one scaling ran)
  it("an event due during a scaling starts when it ends: every event scales, in time order", () => {
    const r = runScenario(elastic(["workload.scaling.events=[{at_s: 6, dp: 5}, {at_s: 5, dp: 4}, {at_s: 5.5, dp: 3}]"]));
    const s = r.metrics.scalings as Scaling[];
    expect(s.map((x) => [x.from_dp, x.to_dp])).toEqual([[3, 4], [4, 3], [3, 5]]);
    expect(s[0]!.start_s).toBe(5);
    expect(s[1]!.start_s).toBeCloseTo(s[0]!.start_s + s[0]!.duration_s, 9);
    expect(s[2]!.start_s).toBeCloseTo(s[1]!.start_s + s[1]!.duration_s, 9);
  });
  // pins: two events at one time ran the first and dropped the second
  it("two events at one time: at the later one's at_s", () => {
    expect(inputErrorOf(() => elastic(["workload.scaling.events=[{at_s: 5, dp: 4}, {at_s: 5, dp: 3}]"]))).toBe(
      "--set workload.scaling.events=[{at_s: 5, dp: 4}, {at_s: 5, dp: 3}] workload.scaling.events.1.at_s: expected events at distinct times, got at_s 5 s here and at scaling.events.0: give each scaling its own time",
    );
  });
  // pins: an event to the current DP was skipped, and the table still showed the T3 row it never ran
  it("an event to the DP the deployment has then (in time order, not list order): at its dp", () => {
    expect(inputErrorOf(() => elastic(["workload.scaling.events=[{at_s: 5, dp: 3}]"]))).toContain("workload.scaling.events.0.dp: expected a dp other than the deployment's at 5 s (3, from.dp), got 3: the event would scale nothing");
    expect(inputErrorOf(() => elastic(["workload.scaling.events=[{at_s: 9, dp: 4}, {at_s: 5, dp: 4}]"]))).toContain("workload.scaling.events.0.dp: expected a dp other than the deployment's at 9 s (4, scaling.events.1), got 4");
  });
  // pins: a second error blamed workload.to.dp (4, which fits) for the event's 2,000 dies
  it("an event beyond the cluster: once, at the event", () => {
    expect(inputErrorOf(() => elastic(["workload.scaling.events=[{at_s: 5, dp: 1000}]"]))).toBe(
      "--set workload.scaling.events=[{at_s: 5, dp: 1000}] workload.scaling.events.0.dp: dp 1000: the instance needs 2000 ranks, cluster cloudmatrix384 has 768",
    );
  });
  it("extravagant scaling holds both instances: an event that fits alone but not twice is named at the event", () => {
    expect(inputErrorOf(() => elastic(["workload.scaling.events=[{at_s: 5, dp: 200}]", "workload.strategy=extravagant"]))).toContain(
      "workload.scaling.events.0.dp: expected a layout that fits the cluster's 768 dies, got one that needs 800 (extravagant scaling holds the old and the new instance at once: 2 × dp 200 × tp 2)",
    );
  });
  // pins: under the SLO coordinator the (unused) events were checked and ran the engine clock to the last one + drain_s
  it("under policy slo the events are not used: not checked, and the run ends with its load", () => {
    const s = elastic(["workload.scaling.policy=slo", "workload.scaling.events=[{at_s: 1000, dp: 1000}]"]);
    const r = runScenario(s);
    expect(r.metrics.billing_window_s as number).toBeLessThan(60);
    expect((r.metrics.timeline as { t_s: number }[]).at(-1)!.t_s).toBeLessThan(60);
  });
});

describe("elastic: load phases in time order", () => {
  it("a phase that does not end after the one before (zero-length included): expected and found, in seconds", () => {
    expect(inputErrorOf(() => elastic(["workload.load.phases=[{until_s: 10, rate_per_s: 2}, {until_s: 10, rate_per_s: 4}]"]))).toContain(
      "workload.load.phases.1.until_s: expected an end after the previous phase's 10 s (phases are in time order and each lasts more than 0 s), got 10 s",
    );
  });
});

describe("inference-bench: phase lists", () => {
  const IB = "configs/pangu-pro-moe-800i-a2.yaml";
  // pins: [decode, decode] ran decode twice and metrics.decode kept only the second run
  it("a phase listed twice: at the repeat", () => {
    expect(loadError(IB, ["workload.phase=[decode, prefill, decode]"])).toBe(
      "--set workload.phase=[decode, prefill, decode] workload.phase.2: expected each phase at most once, got decode again (item 0 is decode too): a phase runs the same settings each time; for more samples raise workload.steps",
    );
  });
  // pins: a shared knob failing in both phases gave two messages at one path that did not say which phase
  it("a shared knob that fails in several phases: each message names its phase", () => {
    const msg = loadError(IB, ["workload.phase=[decode, prefill]", "workload.microbatches=8", "workload.batch_per_npu=1", "workload.tokens_per_batch=4096", "workload.prompt_len=2048"]);
    const lines = msg.split("\n").filter((l) => l.includes("micro-batches need"));
    expect(lines.map((l) => /workload\.microbatches: (\w+): /.exec(l)?.[1])).toEqual(["decode", "prefill"]);
  });
});
