import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";

// The resolved config (explain, and `config` in --json) shows the values a workload derives when a key is
// omitted — what the run then uses — not a gap: an instance's NPU count and a phase's overlap mode.

type O = Record<string, unknown>;
const at = (o: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v as O | undefined)?.[k as string], o);

describe("inference-bench: derived deployment.npus and overlap", () => {
  const DECODE = "configs/cloudmatrix-dsr1-decode.yaml";
  // the config without its `npus: 160` line, on 16 dies
  const text = readFileSync(DECODE, "utf8").replace(/^  npus: 160 .*\n/m, "");
  const load = (sets: string[]) => loadScenario(DECODE, { text, sets });
  const small = ["deployment.attention.dp=16", "deployment.experts.ep=16", "deployment.redundant_experts=0", "deployment.shared_experts.replicas=0", "deployment.shared_experts.placement=replicated", "workload.batch_per_npu=8"];
  it("an omitted npus is attention dp × tp ranks over the ranks per NPU (2 dies per 910C): 16 ranks → 8 NPUs, as the run reports", () => {
    expect(text).not.toMatch(/npus:/);
    const s = load(small);
    expect(at(s.resolved, "deployment", "npus")).toBe(8);
    expect(Object.keys(at(s.resolved, "deployment") as O)[0]).toBe("npus");
    expect(runScenario(s).metrics.npus).toBe(8);
  });
  it("an omitted overlap is the phase's default, as the run reports it (decode: split_cores)", () => {
    const s = load(small);
    expect(at(s.resolved, "workload", "overlap")).toBe("split_cores");
    expect(runScenario(s).metrics.overlap).toBe("split_cores");
  });
  it("with both phases listed, each phase's override gets its own default (decode split_cores, prefill comm_stream)", () => {
    const s = load([...small, "workload.phase=[decode, prefill]", "workload.prompt_len=1024", "workload.tokens_per_batch=4096", "workload.mtp.layers=0"]);
    expect(at(s.resolved, "workload", "overlap")).toBeUndefined();
    expect(at(s.resolved, "workload", "decode", "overlap")).toBe("split_cores");
    expect(at(s.resolved, "workload", "prefill", "overlap")).toBe("comm_stream");
  });
  it("a written value is left as written", () => {
    const s = loadScenario(DECODE, { sets: ["workload.overlap=comm_stream"] });
    expect(at(s.resolved, "workload", "overlap")).toBe("comm_stream");
    expect(at(s.resolved, "deployment", "npus")).toBe(160);
  });
});

describe("serving: each instance group's derived npus and phase overlap modes", () => {
  it("pd-serve-roce without `npus: 8`: the resolved instances show 8 NPUs (one rank per 910B) and both phases' overlap defaults", () => {
    const pd = readFileSync("configs/pd-serve-roce.yaml", "utf8").replace(/^ {8}npus: 8 .*\n/gm, "");
    const s = loadScenario("configs/pd-serve-roce.yaml", { text: pd, sets: ["workload.compare=[]"] });
    expect(at(s.resolved, "workload", "instances", 0, "deployment", "npus")).toBe(8);
    expect(at(s.resolved, "workload", "instances", 0, "prefill", "overlap")).toBe("comm_stream");
    expect(at(s.resolved, "workload", "instances", 0, "decode", "overlap")).toBe("split_cores");
  });
});

describe("training: derived parallel.dp, parallel.sp and workload.mtp", () => {
  it("pangu-ultra-moe-train (6,144 NPUs, tp 8 × pp 16): dp 48, sp on with tp > 1, MTP trained since the model has an MTP layer — as the run reports", () => {
    const s = loadScenario("configs/pangu-ultra-moe-train.yaml");
    expect(at(s.resolved, "parallel", "dp")).toBe(48);
    expect(at(runScenario(s).metrics, "layout", "dp")).toBe(48);
    expect(at(s.resolved, "parallel", "sp")).toBe(true);
    expect(at(s.resolved, "workload", "mtp")).toBe(true);
    // in the schema's key order
    expect(Object.keys(at(s.resolved, "parallel") as O).slice(0, 7)).toEqual(["tp", "pp", "vpp", "ep", "dp", "cp", "sp"]);
  });
  it("written values stay: sp false with tp 8, mtp false", () => {
    const s = loadScenario("configs/pangu-ultra-moe-train.yaml", { sets: ["parallel.sp=false", "workload.mtp=false", "workload.recompute=full"] });
    expect(at(s.resolved, "parallel", "sp")).toBe(false);
    expect(at(s.resolved, "workload", "mtp")).toBe(false);
  });
});
