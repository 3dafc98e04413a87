import { existsSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/errors.js";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { readTrace } from "../../src/workload/serving/trace-reader.js";
import { runCli } from "../helpers/cli.js";

// The serving workload end to end on small deployments (DeepSeek-V2-Lite on a 16-NPU CloudMatrix) and
// the project's own generated traces (traces/sample-*), so the suite runs without ../shared/.

const SAMPLE = "traces/sample-mooncake.jsonl";

function small(extra: string, over: { arrivals?: string; prefills?: number } = {}): string {
  return `name: serving-test
seed: 1
cluster: cloudmatrix-16
model: deepseek-v2-lite
precision: bf16
workload:
  kind: serving
  drain_s: 600
  arrivals: ${over.arrivals ?? `{kind: trace, path: ${SAMPLE}}`}
  instances:
    - {role: prefill, count: ${over.prefills ?? 1}, deployment: {npus: 2, attention: {dp: 1, tp: 4}, experts: {ep: 4}}, token_budget: 8192}
    - {role: decode, count: 1, deployment: {npus: 2, attention: {dp: 4, tp: 1}, experts: {ep: 4}}}
${extra}`;
}

// configs are resolved against the folder of the (virtual) config file: the repository root here
const run = (text: string, sets: string[] = []) => runScenario(loadScenario("serving-test.yaml", { text, sets }));
const num = (m: Record<string, unknown>, k: string, q?: string): number => (q === undefined ? (m[k] as number) : (m[k] as Record<string, number>)[q]!);

describe("serving: every request accounted for", () => {
  it("completed + rejected + unfinished = arrived on a trace, also when the drain cuts the run", () => {
    for (const drain of ["600", "0"]) {
      const m = run(small("  cache: {hbm_capacity: unbounded}"), [`workload.drain_s=${drain}`]).metrics;
      expect(num(m, "requests_arrived")).toBe(200);
      expect(num(m, "requests_completed") + num(m, "requests_rejected") + num(m, "requests_unfinished")).toBe(200);
      if (drain === "0") expect(num(m, "requests_unfinished")).toBeGreaterThan(0);
    }
  });

  it("requests waiting longer than reject_after_s are rejected, and still accounted for", () => {
    const m = run(small("  reject_after_s: 0.2", { arrivals: "{kind: poisson, rate_per_s: 200, input: {value: 8192}, output: {value: 10}}" }), ["workload.duration_s=2"]).metrics;
    expect(num(m, "requests_rejected_timeout")).toBeGreaterThan(0);
    expect(num(m, "requests_rejected")).toBe(num(m, "requests_rejected_timeout"));
    expect(num(m, "requests_completed") + num(m, "requests_rejected") + num(m, "requests_unfinished")).toBe(num(m, "requests_arrived"));
  });

  it("per-request records cover every request", () => {
    const r = run(small(""));
    expect(r.records).toHaveLength(200);
    expect(new Set(r.records!.map((x) => x.state))).toEqual(new Set(["done"]));
  });
});

describe("serving: per-request records only when asked for (RunOptions.records; the CLI's --requests)", () => {
  const text = small("  compare: [{name: round-robin, set: {routing: {prefill: round-robin}}}]");
  const scenario = () => loadScenario("serving-test.yaml", { text });

  it("a run with records returns one per request, the library's default", () => {
    const asked = runScenario(scenario(), { records: true });
    expect(asked.records).toHaveLength(200);
    expect(JSON.stringify(runScenario(scenario()).records)).toBe(JSON.stringify(asked.records));
  });

  it("a run without records returns none, and the same metrics and trace", () => {
    const asked = runScenario(scenario(), { records: true, trace: true });
    const not = runScenario(scenario(), { records: false, trace: true });
    expect(not.records).toBeUndefined();
    expect(JSON.stringify(not.metrics)).toBe(JSON.stringify(asked.metrics));
    expect(not.trace).toBe(asked.trace);
  });
});

describe("serving: run-size guards", () => {
  it("a load or timeline too large to hold is an input error naming the setting, before anything runs", () => {
    const poisson = { arrivals: "{kind: poisson, rate_per_s: 10}" };
    expect(() => run(small("", poisson), ["workload.arrivals.rate_per_s=1e9"])).toThrow(/workload\.arrivals\.rate_per_s: rate_per_s × duration_s requests ≈ 1\.00e\+10, more than the 5,000,000/);
    expect(() => run(small("", poisson), ["workload.timeline_window_s=1e-9"])).toThrow(/workload\.timeline_window_s: .* timeline windows/);
    // a trace without duration_s: its last arrival sets the timeline's length
    expect(() => run(small(""), ["workload.timeline_window_s=0.000001", "workload.drain_s=0"])).toThrow(/workload\.timeline_window_s: \(the trace's last arrival \+ drain_s\)/);
  });
});

describe("serving: utilisation", () => {
  it("counts busy time inside the throughput window only: a run cut mid-iteration stays at or below 100 %", () => {
    const r = runCli(["run", "configs/pd-serve-roce.yaml", "--set", "workload.compare=[]", "--set", "workload.duration_s=0.05", "--set", "workload.drain_s=0", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout).metrics as { instances: { utilisation: number }[]; stages: Record<string, { utilisation: number }> };
    const all = [...m.instances.map((x) => x.utilisation), ...Object.values(m.stages).map((x) => x.utilisation)];
    expect(Math.max(...all)).toBeGreaterThan(0);
    for (const u of all) expect(u).toBeLessThanOrEqual(1);
  });

  it("the while-busy rates leave out an iteration the drain limit cuts (its tokens are not counted either)", () => {
    // two equal prompts 1 s apart; with drain_s 0 the run ends as the second one's prefill starts
    const dir = mkdtempSync(join(tmpdir(), "busy-"));
    writeFileSync(join(dir, "t.jsonl"), [0, 1000].map((t) => JSON.stringify({ timestamp: t, input_length: 4000, output_length: 4, hash_ids: [] })).join("\n") + "\n");
    const text = small("", { arrivals: `{kind: trace, path: ${join(dir, "t.jsonl")}}` });
    const rate = (drain: string): number => (run(text, [`workload.drain_s=${drain}`]).metrics.stages as Record<string, Record<string, number>>).prefill!.prefill_tokens_per_s_per_npu_busy!;
    expect(rate("600")).toBeGreaterThan(0);
    expect(rate("0")).toBeCloseTo(rate("600"), 6);
  });
});

describe("serving: forwarding upon rejection", () => {
  it("offers the oldest waiting request first: under overload its TTFT tail stays below least-load routing's (no rejected request is overtaken indefinitely)", () => {
    const r = runCli(["run", "configs/pd-serve-roce.yaml", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).metrics.compare as { name: string; ttft_p99_ms: number; ttft_slo_attainment: number; forwards?: number }[];
    const fwd = rows.find((x) => x.name === "baseline+forwarding")!;
    const baseline = rows.find((x) => x.name === "pd-baseline")!;
    expect(fwd.ttft_p99_ms).toBeLessThan(baseline.ttft_p99_ms);
    expect(fwd.ttft_slo_attainment).toBeGreaterThan(baseline.ttft_slo_attainment);
  });

  it("a waiting request is not handed to an instance whose queue is at the threshold when its iteration ends", () => {
    // two prefill instances, reject_queue_batches 0 (an instance with anything queued rejects). A keeps
    // prefill0 busy; D starts on prefill1 while C, forwarded there (1 ms RPC), queues behind it; E is
    // rejected by both and waits. When D's iteration ends prefill1 still holds C: E must wait for it.
    const dir = mkdtempSync(join(tmpdir(), "fwd-"));
    const rows: [number, number][] = [[0, 8000], [0.1, 16], [20, 16], [20.5, 16], [25, 16]];
    writeFileSync(join(dir, "t.jsonl"), rows.map(([t, n]) => JSON.stringify({ timestamp: t, input_length: n, output_length: 2, hash_ids: [] })).join("\n") + "\n");
    const text = small("  routing: {prefill: forward-on-reject, reject_queue_batches: 0}", { arrivals: `{kind: trace, path: ${join(dir, "t.jsonl")}}`, prefills: 2 });
    const recs = run(text).records! as { id: number; arrival_ms: number; queue_ms: number; prefill_ms: number; prefill_instance: string; forwards: number }[];
    const start = (i: number): number => recs[i]!.arrival_ms + recs[i]!.queue_ms;
    const [, , c, d, e] = recs;
    expect(d!.prefill_instance).toBe("prefill1");
    expect(c!.prefill_instance).toBe("prefill1");
    expect(start(2)).toBeCloseTo(start(3) + d!.prefill_ms, 6); // C runs right after D
    expect(e!.forwards).toBe(2); // rejected by both, waited at the gateway
    expect(start(4)).toBeGreaterThanOrEqual(start(2) + c!.prefill_ms - 1e-6); // not batched with C
  });
});

describe("serving: forward-on-reject counts the queue, not the running batch", () => {
  it("an instance running a batch accepts until its queue holds reject_queue_batches batches", () => {
    // one prefill instance, budget 8,192, reject_queue_batches 1. A (8,000 tokens) runs; B (8,000) and C
    // (400) queue: 8,000 queued tokens < one batch. D (400) finds 8,400 queued and is rejected (it waits
    // at the gateway). Counting A's running batch as queued would reject C too.
    const dir = mkdtempSync(join(tmpdir(), "fwdq-"));
    const rows: [number, number][] = [[0, 8000], [1, 8000], [2, 400], [3, 400]];
    writeFileSync(join(dir, "t.jsonl"), rows.map(([t, n]) => JSON.stringify({ timestamp: t, input_length: n, output_length: 2, hash_ids: [] })).join("\n") + "\n");
    const text = small("  routing: {prefill: forward-on-reject, reject_queue_batches: 1}", { arrivals: `{kind: trace, path: ${join(dir, "t.jsonl")}}` });
    const recs = run(text).records! as { forwards: number; state: string }[];
    expect(recs.map((r) => r.forwards)).toEqual([0, 0, 0, 1]);
    expect(recs.every((r) => r.state === "done")).toBe(true);
  });
});

describe("serving: chunked prefill", () => {
  it("a chunk is at most one attention replica's budget, also on an instance with two replicas", () => {
    // 8,192-token prompts, budget 1,024 per replica on a DP2 prefill instance: each prompt needs 8 chunks in 8
    // iterations (only a prompt's last chunk can share an iteration with the next prompt's first), so
    // steps ≥ 7n + 1 for n prompts; chunks of the instance-wide 2 × 1,024 would take 4 per prompt
    const text = small("", { arrivals: "{kind: poisson, rate_per_s: 2, input: {value: 8192}, output: {value: 2}}" })
      .replace("attention: {dp: 1, tp: 4}, experts: {ep: 4}}, token_budget: 8192}", "attention: {dp: 2, tp: 2}, experts: {ep: 4}}, token_budget: 1024, chunked_prefill: true}");
    expect(text).toContain("chunked_prefill: true");
    const m = run(text, ["workload.duration_s=3"]).metrics as { requests_completed: number; instances: { role: string; steps: number; prompt_tokens: number }[] };
    const p = m.instances.find((x) => x.role === "prefill")!;
    const n = m.requests_completed;
    expect(n).toBeGreaterThan(1);
    expect(p.prompt_tokens).toBe(8192 * n);
    expect(p.steps).toBeGreaterThanOrEqual(7 * n + 1);
  });
});

describe("serving: prefix cache", () => {
  it("with an unbounded cache the hit ratio is the fraction of prompt blocks whose hash_id was seen before in the trace", () => {
    // independent computation straight from the file
    const seen = new Set<number>();
    let hit = 0;
    let total = 0;
    for (const line of readFileSync(SAMPLE, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const ids = (JSON.parse(line) as { hash_ids: number[] }).hash_ids;
      for (const h of ids) {
        total++;
        if (seen.has(h)) hit++;
      }
      for (const h of ids) seen.add(h);
    }
    for (const cache of ["{hbm_capacity: unbounded}", "{hbm_capacity: 0B, pool: {enabled: true, capacity: unbounded}}"]) {
      const m = run(small(`  cache: ${cache}`)).metrics;
      expect(num(m, "prefix_hit_ratio", "overall")).toBeCloseTo(hit / total, 12);
    }
  });

  // a prefill-only deployment under saturating load at shared-prefix fractions 0, 0.5 and 0.9 (three runs,
  // computed once for the two tests below)
  let reuseRuns: [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>] | undefined;
  const reuse = () => {
    const at = (fraction: number) =>
      run(
        `name: reuse
seed: 1
cluster: cloudmatrix-16
model: deepseek-v2-lite
precision: bf16
workload:
  kind: serving
  duration_s: 4
  arrivals: {kind: poisson, rate_per_s: 200, input: {value: 4096}, output: {value: 1}, shared_prefix: {fraction: ${fraction}, pool: 8}}
  instances:
    - {role: prefill, count: 2, deployment: {npus: 2, attention: {dp: 1, tp: 4}, experts: {ep: 4}}, token_budget: 16384}
  cache: {pool: {enabled: true}}
`,
      ).metrics;
    reuseRuns ??= [at(0), at(0.5), at(0.9)];
    return reuseRuns;
  };
  // prompt tokens served per second of prefill
  const tput = (m: Record<string, unknown>) => num(m, "input_tokens_per_s");

  it("context reuse lowers TTFT and raises prefill throughput, by less than skipping the reused fraction outright (< 1/(1 − f))", () => {
    const [m0, m5, m9] = reuse();
    expect(num(m5, "ttft_ms", "p50")).toBeLessThan(num(m0, "ttft_ms", "p50"));
    expect(num(m9, "ttft_ms", "p50")).toBeLessThan(num(m5, "ttft_ms", "p50"));
    expect(tput(m5)).toBeGreaterThan(tput(m0));
    expect(tput(m9)).toBeGreaterThan(tput(m5));
    // a hit still pays its load and the new tokens' attention over the cached prefix: the gain stays
    // below that of a prompt whose reused part costs nothing, 1/(1 − 0.5) = 2 and 1/(1 − 0.9) = 10
    expect(tput(m5) / tput(m0)).toBeLessThan(2);
    expect(tput(m9) / tput(m0)).toBeLessThan(10);
    console.log(`prefill throughput vs no reuse: ×${(tput(m5) / tput(m0)).toFixed(2)} at 50 %, ×${(tput(m9) / tput(m0)).toFixed(2)} at 90 % (CM384: ×1.42, ×2.28)`);
  });

  // Known model disagreement (docs/serving.md, "Context reuse"): the model gives ×1.89 at 50 % and ×3.9 at
  // 90 % reuse. It charges a prefix hit only the UB load and the new tokens' attention over the cached
  // prefix, while CM384's measured prefill keeps per-request overheads (EMS lookup, the KV load into the
  // attention pipeline, host scheduling) the model does not have. Turns red when the model reaches both points.
  it.fails("context reuse raises prefill throughput ×1.42 at 50 % and ×2.28 at 90 % reuse (CM384, ±10 %) — known model disagreement", () => {
    const [m0, m5, m9] = reuse();
    expect(Math.abs(tput(m5) / tput(m0) / 1.42 - 1)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(tput(m9) / tput(m0) / 2.28 - 1)).toBeLessThanOrEqual(0.1);
  });
});

describe("serving: traces", () => {
  const dir = mkdtempSync(join(tmpdir(), "serving-trace-"));
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, ['{"timestamp": 0, "input_length": 100, "output_length": 5, "hash_ids": [1]}', "{not json", '{"timestamp": 5, "input_length": -3, "output_length": 5}', ""].join("\n"));

  it("a malformed line is an InputError with the file and line number", () => {
    expect(() => readTrace(bad, { shownPath: "bad.jsonl", rateScale: 1, limit: null, skip: false, untilNs: null })).toThrow(InputError);
    try {
      readTrace(bad, { shownPath: "bad.jsonl", rateScale: 1, limit: null, skip: false, untilNs: null });
    } catch (e) {
      expect((e as InputError).message).toMatch(/^bad\.jsonl:2:1: not a JSON object/m);
      expect((e as InputError).message).toMatch(/^bad\.jsonl:3:1: expected timestamp/m);
    }
  });

  it("arrival times the engine cannot hold are input errors: a timestamp of 1e400, a rate_scale that overflows, a trace spanning more than 2^53 ns", () => {
    const file = (name: string, stamps: string[]): string => {
      const p = join(dir, name);
      writeFileSync(p, stamps.map((t) => `{"timestamp": ${t}, "input_length": 10, "output_length": 2}`).join("\n"));
      return p;
    };
    const read = (p: string, rateScale = 1) => () => readTrace(p, { shownPath: "t.jsonl", rateScale, limit: null, skip: false, untilNs: null });
    expect(read(file("inf.jsonl", ["0", "1e400"]))).toThrow(/t\.jsonl:2:1: expected timestamp/);
    expect(read(file("ok.jsonl", ["0", "3000"]), 1e-300)).toThrow(/t\.jsonl:2:1 workload\.arrivals\.rate_scale: .*not a finite time/);
    expect(read(file("long.jsonl", ["0", "1e18"]))).toThrow(/workload\.arrivals: the last arrival .* beyond the engine's 2\^53 ns/);
  });

  it("with skip_malformed the bad lines are skipped and counted", () => {
    const t = readTrace(bad, { shownPath: "bad.jsonl", rateScale: 1, limit: null, skip: true, untilNs: null });
    expect(t.arrivals).toHaveLength(1);
    expect(t.skipped).toBe(2);
  });

  it("reads the Azure CSV (arrival = offset from the first row), with rate_scale and limit", () => {
    const t = readTrace("traces/sample-azure.csv", { shownPath: "a.csv", rateScale: 2, limit: 10, skip: false, untilNs: null });
    expect(t.format).toBe("azure");
    expect(t.arrivals).toHaveLength(10);
    expect(t.arrivals[0]!.atNs).toBe(0);
    // second row 0.883 s after the first in the file, halved by rate_scale 2
    expect(t.arrivals[1]!.atNs).toBe(Math.round(883e6 / 2));
  });

  describe("a trace that yields no request is an input error naming the file and the key, not an empty run", () => {
    const write = (name: string, content: string | Buffer): string => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    };
    const opts = { rateScale: 1, limit: null, skip: false, untilNs: null };

    it("an Azure CSV with only its header", () => {
      const p = write("header.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n");
      expect(() => readTrace(p, { ...opts, shownPath: "header.csv" })).toThrow(/^header\.csv workload\.arrivals\.path: the trace has no requests: it holds only the CSV header$/);
    });

    it("an empty file", () => {
      const p = write("empty.jsonl", "\n\n");
      expect(() => readTrace(p, { ...opts, shownPath: "empty.jsonl" })).toThrow(/^empty\.jsonl workload\.arrivals\.path: the trace has no requests: the file is empty$/);
    });

    it("every line dropped by skip_malformed", () => {
      const p = write("allbad.jsonl", "{not json\n{\"timestamp\": 1}\n");
      expect(() => readTrace(p, { ...opts, shownPath: "allbad.jsonl", skip: true })).toThrow(
        /^allbad\.jsonl workload\.arrivals\.path: the trace has no requests: all 2 of its lines are malformed \(skipped by skip_malformed\)$/,
      );
    });

    it("every arrival at or after duration_s names workload.duration_s and the first arrival", () => {
      const p = write("late.jsonl", ['{"timestamp": 6000, "input_length": 10, "output_length": 2}', '{"timestamp": 5000, "input_length": 10, "output_length": 2}'].join("\n"));
      expect(() => readTrace(p, { ...opts, shownPath: "late.jsonl", rateScale: 2, untilNs: 1e9 })).toThrow(
        /^late\.jsonl workload\.duration_s: expected trace arrivals before duration_s = 1 s, got none: the first is at 2\.5 s \(after rate_scale 2\); raise duration_s or rate_scale$/,
      );
      // one arrival inside the window is enough
      expect(readTrace(p, { ...opts, shownPath: "late.jsonl", rateScale: 2, untilNs: 2.6e9 }).arrivals).toHaveLength(1);
    });

    it("through a serving config: the run fails with the InputError instead of reporting requests_arrived 0", () => {
      const p = write("header2.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n");
      const s = loadScenario("serving-test.yaml", { text: small("", { arrivals: `{kind: trace, path: ${p}}` }) });
      expect(() => runScenario(s)).toThrow(InputError);
      expect(() => runScenario(s)).toThrow(/workload\.arrivals\.path: the trace has no requests/);
    });
  });

  it("invalid UTF-8 in a trace is an input error at the line and column of the first bad byte", () => {
    const p = join(dir, "latin1.jsonl");
    const line1 = '{"timestamp": 0, "input_length": 10, "output_length": 2}\n';
    const before = '{"timestamp": 1, "input_length": 10, "output_length": 2, "note": "caf'; // then a Latin-1 é
    writeFileSync(p, Buffer.concat([Buffer.from(line1 + before), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    // even with skip_malformed: the line would otherwise parse, with U+FFFD in it
    expect(() => readTrace(p, { shownPath: "t.jsonl", rateScale: 1, limit: null, skip: true, untilNs: null })).toThrow(
      new RegExp(`^t\\.jsonl:2:${before.length + 1}: expected UTF-8 text, got the byte 0xE9`),
    );
  });

  it("a missing trace file is an input error (exit 2), not a crash", () => {
    expect(() => loadScenario("serving-test.yaml", { text: small("", { arrivals: "{kind: trace, path: no/such/trace.jsonl}" }) })).toThrow(/trace file not found/);
  });

  it.runIf(existsSync("../shared/traces/mooncake-conversation.jsonl"))("the shared Mooncake trace replays with every request accounted for (first 300)", () => {
    const m = runScenario(loadScenario("configs/mooncake-replay.yaml", { sets: ["workload.arrivals.limit=300"] })).metrics;
    expect(num(m, "requests_arrived")).toBe(300);
    expect(num(m, "requests_completed") + num(m, "requests_rejected") + num(m, "requests_unfinished")).toBe(300);
  });
});

describe("serving: KV hand-off on the network model", () => {
  // DeepSeek-V2-Lite has 27 layers; at the sample trace's light load no two hand-offs meet on a link
  const exposed = (mode: string, model: string, cache = false) =>
    num(run(small(""), [`workload.kv_transfer.mode=${mode}`, `network.model=${model}`, `workload.cache.enabled=${cache}`]).metrics, "kv_exposed_ms", "p50");

  it.each(["analytical", "flow"])("layer-wise leaves ~1/27 of the bulk hand-off after the prefill (%s network)", (model) => {
    const ratio = exposed("layerwise", model) / exposed("bulk", model);
    expect(ratio).toBeGreaterThan(0.8 / 27);
    expect(ratio).toBeLessThan(1.2 / 27);
  });

  it("with prefix-cache hits layer-wise leaves less: a cached prefix's KV is on the wire from the step's start, only the computed part's last layer is left", () => {
    const withoutCache = exposed("layerwise", "analytical") / exposed("bulk", "analytical");
    const withCache = exposed("layerwise", "analytical", true) / exposed("bulk", "analytical", true);
    expect(withCache).toBeLessThan(0.8 * withoutCache);
  });

  it("per-block work requests make the block-wise hand-off slower than one bulk transfer", () => {
    expect(exposed("blocks", "flow")).toBeGreaterThan(1.5 * exposed("bulk", "flow"));
  });
});

describe("serving: dynamic P/D ratio", () => {
  // 1 prefill + 3 decode instances and a controller that switches roles every 50 ms at the slightest
  // imbalance: a decode instance is picked to become prefill while KV hand-offs are still on their way to it
  const sets = (seed: number) => [
    `seed=${seed}`,
    "workload.compare=[]",
    "workload.instances.0.count=1",
    "workload.instances.1.count=3",
    "workload.kv_transfer.mode=blocks",
    "workload.pd_ratio.threshold=1.01",
    "workload.pd_ratio.interval_s=0.05",
    "workload.pd_ratio.switch_cost_s=0.001",
  ];
  it.each([11, 15])("a decode instance switches roles only after the KV on its way has landed: every request completes (seed %i)", (seed) => {
    const m = runScenario(loadScenario("configs/pd-serve-roce.yaml", { sets: sets(seed) })).metrics;
    expect(num(m, "requests_unfinished")).toBe(0);
    expect(num(m, "requests_completed")).toBe(num(m, "requests_arrived"));
  });
});

describe("serving: a role switch is visible in the trace", () => {
  it("each switch is a drain span then a switch span of switch_cost_s on <instance>/role, as many as role_switches", () => {
    const r = runScenario(loadScenario("configs/pd-serve-roce.yaml", { sets: ["workload.compare=[]"] }), { trace: true });
    const spans = r.trace!.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.kind === "instance");
    const switches = num(r.metrics, "role_switches");
    expect(switches).toBeGreaterThan(0);
    const drains = spans.filter((e) => String(e.what).startsWith("drain for "));
    const flips = spans.filter((e) => String(e.what).startsWith("switch "));
    expect(drains).toHaveLength(switches);
    expect(flips).toHaveLength(switches);
    flips.forEach((f, i) => {
      const d = drains[i]!;
      expect(f.where).toBe(d.where);
      expect(String(f.where)).toMatch(/\/role$/);
      // the switch starts when the drain ends and lasts switch_cost_s (2 s in this config)
      expect(f.t).toBe((d.t as number) + (d.dur as number));
      expect(f.dur).toBe(2e9);
    });
  });
});

describe("serving: P/D-Serve mechanisms compared in one run", () => {
  it("configs/pd-serve-roce.yaml tabulates the aggregated baseline and each mechanism on the same arrivals", () => {
    const m = runScenario(loadScenario("configs/pd-serve-roce.yaml")).metrics;
    const rows = m.compare as Record<string, number | string>[];
    expect(rows.map((r) => r.name)).toEqual(["base", "aggregated", "pd-baseline", "baseline+forwarding", "baseline+dynamic-ratio", "baseline+bulk-kv"]);
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    // same arrivals: every variant saw the same requests
    for (const r of rows) expect(r.requests_completed).toBe(rows[0]!.requests_completed);
    // forwarding upon rejection cuts queueing behind stale load reports
    expect(by["baseline+forwarding"]!.ttft_p50_ms as number).toBeLessThan(by["pd-baseline"]!.ttft_p50_ms as number);
    // one bulk transfer instead of per-layer fixed-size blocks cuts the D2D KV time
    expect(by["baseline+bulk-kv"]!.kv_transfer_mean_ms as number).toBeLessThan(by["pd-baseline"]!.kv_transfer_mean_ms as number);
    // disaggregation beats colocated serving on TTFT
    expect(by.base!.ttft_p50_ms as number).toBeLessThan(by.aggregated!.ttft_p50_ms as number);
  });
});
