import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { instanceNpus } from "../../src/workload/inference-bench/phase-model.js";
import { readTrace, type TraceOptions } from "../../src/workload/serving/trace-reader.js";
import { inputErrorOf } from "../helpers/input-error.js";

// What the serving workload makes of its inputs: an omitted `deployment.npus` is the NPU count the
// deployment physically needs, a prefill MTP setting it would ignore is refused, and a trace it cannot
// read says where, what it expected, what it found and — when the format is the wrong one — which to set.

describe("serving: an omitted deployment.npus is the instance's ranks over the ranks per NPU", () => {
  it("the rule: attention dp × tp ranks, one rank per NPU on a RoCE cluster and two (dies) per 910C on a supernode; a written count wins", () => {
    expect(instanceNpus({ attention: { dp: 2, tp: 4 } }, 1)).toBe(8);
    expect(instanceNpus({ attention: { dp: 2, tp: 4 } }, 2)).toBe(4);
    expect(instanceNpus({ attention: { dp: 2, tp: 1 } }, 2)).toBe(1);
    expect(instanceNpus({ npus: 3, attention: { dp: 2, tp: 4 } }, 1)).toBe(3);
  });

  // configs/pd-serve-roce.yaml without its comparison variants: a group of 2 prefill and a group of 2
  // decode instances of attention DP2 × TP4 on 910B servers, each group written `npus: 8`
  const pdServe = readFileSync("configs/pd-serve-roce.yaml", "utf8");
  const pdBase = pdServe.slice(0, pdServe.indexOf("\n  compare:") + 1);
  const pdWithoutNpus = pdBase.replace(/^ *npus: 8 +# NPUs\n/gm, "");

  it("910B RoCE cluster (pd-serve-roce without `npus: 8`): byte-identical metrics to writing npus: 8", () => {
    expect(pdWithoutNpus).not.toMatch(/npus:/);
    expect(pdBase.match(/npus: 8/g)).toHaveLength(2);
    const explicit = runScenario(loadScenario("configs/pd-serve-roce.yaml", { text: pdBase }));
    const omitted = runScenario(loadScenario("configs/pd-serve-roce.yaml", { text: pdWithoutNpus }));
    expect(JSON.stringify(omitted.metrics)).toBe(JSON.stringify(explicit.metrics));
    expect(JSON.stringify(omitted.records)).toBe(JSON.stringify(explicit.records));
    // 4 instances × 8 NPUs, and every request of the 20 s of arrivals served (the explicit run's figures)
    expect(omitted.metrics.npus).toBe(32);
    expect(omitted.metrics.requests_completed).toBe(omitted.metrics.requests_arrived);
  });

  /** A one-group deployment of DeepSeek-V2-Lite on a 16-NPU CloudMatrix (32 dies). */
  const cm16 = (instances: string): string => `name: npus-default
seed: 1
cluster: cloudmatrix-16
model: deepseek-v2-lite
precision: bf16
workload:
  kind: serving
  duration_s: 2
  drain_s: 60
  arrivals: {kind: poisson, rate_per_s: 20, input: {value: 2048}, output: {value: 64}}
  instances:
${instances}`;
  const runText = (text: string) => runScenario(loadScenario("npus-default.yaml", { text }));

  it("910C supernode, colocated attention DP2 (2 dies): byte-identical metrics to writing npus: 1, and 1 NPU reported", () => {
    const omitted = runText(cm16("    - {role: colocated, deployment: {attention: {dp: 2}, experts: {ep: 2}}}"));
    const explicit = runText(cm16("    - {role: colocated, deployment: {npus: 1, attention: {dp: 2}, experts: {ep: 2}}}"));
    expect(JSON.stringify(omitted.metrics)).toBe(JSON.stringify(explicit.metrics));
    expect(omitted.metrics.npus).toBe(1);
    expect((omitted.metrics.instances as { npus: number }[])[0]!.npus).toBe(1);
  });

  it("910C supernode, prefill TP4 + decode DP4 (4 dies each): byte-identical metrics to writing npus: 2 on both", () => {
    const groups = (npus: string) =>
      `    - {role: prefill, deployment: {${npus}attention: {dp: 1, tp: 4}, experts: {ep: 4}}, token_budget: 8192}\n` +
      `    - {role: decode, deployment: {${npus}attention: {dp: 4, tp: 1}, experts: {ep: 4}}}`;
    const omitted = runText(cm16(groups("")));
    const explicit = runText(cm16(groups("npus: 2, ")));
    expect(JSON.stringify(omitted.metrics)).toBe(JSON.stringify(explicit.metrics));
    expect(omitted.metrics.npus).toBe(4);
  });

  it("a written count other than the default does not fit the ranks: an input error naming the setting", () => {
    const msg = inputErrorOf(() => loadScenario("npus-default.yaml", { text: cm16("    - {role: colocated, deployment: {npus: 2, attention: {dp: 2}, experts: {ep: 2}}}") }));
    expect(msg).toMatch(/workload\.instances\.0\.deployment\.attention\.dp: prefill and decode: attention dp × tp \(2 × 1 = 2 ranks\) must equal deployment\.npus × 2 rank\(s\) per NPU \(4\)/);
  });
});

describe("serving: MTP is a decode setting", () => {
  it("prefill.mtp.layers > 0 is an input error naming its config path, as inference-bench's prefill MTP is", () => {
    const msg = inputErrorOf(() => loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.compare=[]", "workload.instances.0.prefill.mtp.layers=1"] }));
    expect(msg).toMatch(/workload\.instances\.0\.prefill\.mtp\.layers: MTP \(speculative decoding\) applies to decode only: expected 0, found 1; set decode\.mtp\.layers instead/);
  });

  it("whatever the group's role: a decode or colocated group never prices a prefill step with MTP either", () => {
    for (const [i, role] of [
      [1, "decode"],
      [0, "colocated"],
    ] as const) {
      const sets = ["workload.compare=[]", `workload.instances.${i}.prefill.mtp.layers=2`, ...(role === "colocated" ? ["workload.instances.0.role=colocated"] : [])];
      expect(inputErrorOf(() => loadScenario("configs/pd-serve-roce.yaml", { sets }))).toMatch(new RegExp(`workload\\.instances\\.${i}\\.prefill\\.mtp\\.layers: MTP \\(speculative decoding\\) applies to decode only: expected 0, found 2`));
    }
  });

  it("prefill.mtp.layers: 0 and prefill.mtp.acceptance (ignored, as documented) still load", () => {
    expect(() => loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.compare=[]", "workload.instances.0.prefill.mtp.layers=0", "workload.instances.0.prefill.mtp.acceptance=0.5"] })).not.toThrow();
  });
});

describe("serving: trace errors say what was found", () => {
  const dir = mkdtempSync(join(tmpdir(), "serving-inputs-"));
  const write = (name: string, lines: readonly string[]): string => {
    const p = join(dir, name);
    writeFileSync(p, lines.join("\n") + "\n");
    return p;
  };
  const opts = (shownPath: string, format?: "mooncake" | "azure"): TraceOptions => ({ shownPath, format, rateScale: 1, limit: null, skip: false, untilNs: null });
  // an Azure CSV of 30 requests: 31 lines with the header
  const azureRows = ["TIMESTAMP,ContextTokens,GeneratedTokens", ...Array.from({ length: 30 }, (_, i) => `2023-11-16 18:17:${String(10 + i).padStart(2, "0")}.0000000,${100 + i},${5 + i}`)];
  const notJson = "not a JSON object (Mooncake JSONL: one {timestamp, input_length, output_length, hash_ids} per line)";

  it("an Azure CSV read as Mooncake: the hint to set format: azure first, three lines shown, the other 28 counted", () => {
    const p = write("azure.csv", azureRows);
    expect(inputErrorOf(() => readTrace(p, opts("azure.csv", "mooncake")))).toBe(
      [
        "azure.csv workload.arrivals.format: format: mooncake reads one JSON object per line, but the file looks like an Azure CSV (its name ends in .csv): set workload.arrivals.format: azure",
        `azure.csv:1:1: ${notJson}, found "TIMESTAMP,ContextTokens,GeneratedTokens"`,
        `azure.csv:2:1: ${notJson}, found "2023-11-16 18:17:10.0000000,100,5"`,
        `azure.csv:3:1: ${notJson}, found "2023-11-16 18:17:11.0000000,101,6"`,
        "azure.csv: … and 28 more malformed lines",
      ].join("\n"),
    );
  });

  it("without the .csv suffix the first line gives the CSV away", () => {
    const p = write("requests.txt", azureRows);
    expect(inputErrorOf(() => readTrace(p, opts("requests.txt", "mooncake")))).toMatch(
      /^requests\.txt workload\.arrivals\.format: format: mooncake reads one JSON object per line, but the file looks like an Azure CSV \(its first line is "TIMESTAMP,ContextTokens,GeneratedTokens"\): set workload.arrivals.format: azure\n/,
    );
  });

  it("a Mooncake JSONL read as Azure: the hint to set format: mooncake", () => {
    const p = write("mc.jsonl", ['{"timestamp": 0, "input_length": 10, "output_length": 2}', '{"timestamp": 5, "input_length": 10, "output_length": 2}']);
    const msg = inputErrorOf(() => readTrace(p, opts("mc.jsonl", "azure")));
    expect(msg.split("\n")[0]).toBe('mc.jsonl workload.arrivals.format: format: azure reads CSV rows, but the file looks like Mooncake JSONL (its first line starts with "{"): set workload.arrivals.format: mooncake');
    // (the first line holds "timestamp": read as the CSV header)
    expect(msg.split("\n")[1]).toBe('mc.jsonl:2:1: expected TIMESTAMP (YYYY-MM-DD hh:mm:ss.fffffff),ContextTokens (integer ≥ 1),GeneratedTokens (integer ≥ 0), found TIMESTAMP "{\\"timestamp\\": 5", ContextTokens " \\"input_length\\": 10", GeneratedTokens " \\"output_length\\": 2}"');
  });

  it("with skip_malformed every line of the wrong format is skipped: the hint comes with 'no requests'", () => {
    const p = write("azure2.csv", azureRows);
    expect(inputErrorOf(() => readTrace(p, { ...opts("azure2.csv", "mooncake"), skip: true }))).toBe(
      [
        "azure2.csv workload.arrivals.format: format: mooncake reads one JSON object per line, but the file looks like an Azure CSV (its name ends in .csv): set workload.arrivals.format: azure",
        "azure2.csv workload.arrivals.path: the trace has no requests: all 31 of its lines are malformed (skipped by skip_malformed)",
      ].join("\n"),
    );
  });

  it("a malformed Mooncake line names each offending field and the value found", () => {
    const p = write("bad.jsonl", [
      '{"timestamp": "abc", "input_length": 100, "output_length": 5}',
      '{"timestamp": 1, "input_length": 0}',
      '{"timestamp": 2, "input_length": 10, "output_length": 1, "hash_ids": [4, -2]}',
      "[1, 2]",
      "{oops",
    ]);
    const expected = "expected timestamp (ms ≥ 0), input_length (integer ≥ 1) and output_length (integer ≥ 0)";
    expect(inputErrorOf(() => readTrace(p, opts("bad.jsonl")))).toBe(
      [
        `bad.jsonl:1:1: ${expected}, found timestamp "abc"`,
        `bad.jsonl:2:1: ${expected}, found input_length 0, output_length missing`,
        "bad.jsonl:3:1: hash_ids must be a list of non-negative integers, found hash_ids[1] -2",
        `bad.jsonl:4:1: ${notJson}, found an array [1,2]`,
        `bad.jsonl:5:1: ${notJson}, found "{oops"`,
      ].join("\n"),
    );
  });

  it("a malformed Azure row names the offending column and the text found", () => {
    const p = write("bad.csv", ["TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:17:10.0000000,many,5", "yesterday,10,2"]);
    const expected = "expected TIMESTAMP (YYYY-MM-DD hh:mm:ss.fffffff),ContextTokens (integer ≥ 1),GeneratedTokens (integer ≥ 0)";
    expect(inputErrorOf(() => readTrace(p, opts("bad.csv")))).toBe([`bad.csv:2:1: ${expected}, found ContextTokens "many"`, `bad.csv:3:1: ${expected}, found TIMESTAMP "yesterday"`].join("\n"));
  });

  it("a long line is quoted cut to 60 characters", () => {
    const long = `{"timestamp": 0, "input_length": 10, "output_length": 2, "note": "${"x".repeat(100)}"`;
    const p = write("long.jsonl", [long]);
    expect(inputErrorOf(() => readTrace(p, opts("long.jsonl")))).toBe(`long.jsonl:1:1: ${notJson}, found ${JSON.stringify(long.slice(0, 60))}…`);
  });

  it("through configs/mooncake-replay.yaml with the path at an Azure CSV and format: mooncake left in: the run stops with the hint", () => {
    const p = write("azure-llm-code.csv", azureRows);
    const s = loadScenario("configs/mooncake-replay.yaml", { sets: [`workload.arrivals.path=${p}`] });
    const msg = inputErrorOf(() => runScenario(s));
    expect(msg.split("\n")).toHaveLength(5);
    expect(msg).toMatch(/workload\.arrivals\.format: format: mooncake reads one JSON object per line, but the file looks like an Azure CSV .*: set workload\.arrivals\.format: azure/);
    expect(msg).toMatch(/: … and 28 more malformed lines$/);
  });

  const sharedAzure = "../shared/traces/azure-llm-code-2023.csv";
  it.runIf(existsSync(sharedAzure))("the shared Azure trace under format: mooncake: five lines of error, not twenty", () => {
    const s = loadScenario("configs/mooncake-replay.yaml", { sets: [`workload.arrivals.path=../${sharedAzure}`] });
    const lines = inputErrorOf(() => runScenario(s)).split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/set workload\.arrivals\.format: azure$/);
    expect(lines[4]).toMatch(/… and [\d,]+ more malformed lines$/);
  });
});

describe("serving: one mistake, one report", () => {
  // configs/pd-serve-roce.yaml as written: the dynamic P/D ratio lets the prefill group run decode steps, and
  // five comparison variants inherit its instances (one of them also the dynamic ratio)
  it("a deployment both phases share and the variants inherit is reported once per rule, at the base, naming both phases", () => {
    const msg = inputErrorOf(() => loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.instances[0].deployment.attention.tp=3"] }));
    const lines = msg.split("\n");
    expect(lines.some((l) => l.includes("workload.compare"))).toBe(false);
    expect(lines.filter((l) => l.includes("must divide the 40 attention heads"))).toEqual([
      "configs/pd-serve-roce.yaml:33:9 workload.instances.0.deployment: prefill and decode: attention.tp (3) must divide the 40 attention heads",
    ]);
    expect(lines).toHaveLength(4);
  });
  it("a mistake only a variant makes is reported under its compare entry, for the phase it concerns", () => {
    const msg = inputErrorOf(() => loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.compare[0].set.instances[0].deployment.attention.tp=3"] }));
    expect(msg).toContain("workload.compare.0.set.instances.0.deployment: prefill and decode: attention.tp (3) must divide the 40 attention heads");
    expect(msg.split("\n").every((l) => l.includes("workload.compare.0.set"))).toBe(true);
  });
});

describe("serving: a length block keeps its side's typical length for the keys it omits", () => {
  const arrivals = (sets: string[]) => {
    const s = loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.compare=[]", ...sets] });
    return (s.workload.config as { arrivals: { input: Record<string, unknown>; output: Record<string, unknown> } }).arrivals;
  };
  it("omitted blocks, and blocks that name only their dist, are 4,096-token prompts and 256-token outputs (value and mean; std a quarter)", () => {
    for (const sets of [[], ["workload.arrivals.input={dist: fixed}", "workload.arrivals.output={dist: normal}"]]) {
      const a = arrivals(sets.length === 0 ? ["workload.arrivals={kind: poisson}"] : sets);
      expect([a.input.value, a.input.mean, a.input.std]).toEqual([4096, 4096, 1024]);
      expect([a.output.value, a.output.mean, a.output.std]).toEqual([256, 256, 64]);
    }
  });
});
