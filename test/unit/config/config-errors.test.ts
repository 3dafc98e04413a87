/**
 * Loader messages where a plain zod report said too little: unions (a mistyped op-bench operator, a
 * capacity that is `auto`, `unbounded` or a size), keys of the `model:` overrides, keys that belong in
 * another section, list indices in `--set`, fractional byte sizes, and a search space run as a scenario.
 * In-process (loadScenario), so they run against the sources.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ROOT } from "../../helpers/cli.js";
import { closest } from "../../../src/config/did-you-mean.js";
import { loadConfigDocument } from "../../../src/config/document.js";
import { InputError, formatIssue } from "../../../src/config/errors.js";
import { bytes } from "../../../src/config/quantity.js";
import { loadScenario, type LoadOptions } from "../../../src/config/scenario.js";
import { zodToInputIssues } from "../../../src/config/zod-issues.js";
import { architectureSchema, moeSchema } from "../../../src/model/architecture.js";
import { loadSpace } from "../../../src/search/space.js";
import { CLUSTER_TYPES } from "../../../src/topology/registry.js";
import { opEntrySchema } from "../../../src/workload/op-bench/schema.js";
import { WORKLOADS } from "../../../src/workload/registry.js";

/** The formatted issues of the InputError that loading throws; fails if it loads or throws anything else. */
function loadIssues(file: string, opts: LoadOptions = {}): string[] {
  try {
    loadScenario(file, opts);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return e.issues.map(formatIssue);
  }
  throw new Error(`${file} loaded, but an InputError was expected`);
}

const keysOf = (schema: { shape: Record<string, unknown> }): string => `Valid keys are: ${Object.keys(schema.shape).join(", ")}.`;

const OP_BENCH = join(ROOT, "configs/op-bench-dsr1-decode-910c.yaml");
const DECODE = join(ROOT, "configs/cloudmatrix-dsr1-decode.yaml");
const SERVE = join(ROOT, "configs/pd-serve-roce.yaml");
const ALLREDUCE = join(ROOT, "configs/hccs-allreduce.yaml");
const TRAIN = join(ROOT, "configs/pangu-ultra-moe-train.yaml");
const OPS = opEntrySchema.options.map((o) => o.shape.op.value).join(", ");

describe("a union of mappings keyed by a literal (op-bench operators, attention kinds)", () => {
  const text = readFileSync(OP_BENCH, "utf8");
  const line = text.split("\n").findIndex((l) => l.includes('{op: rmsnorm, tokens: 96, hidden: 7168, label: "input rmsnorm"}')) + 1;
  const typo = text.replace('{op: rmsnorm, tokens: 96, hidden: 7168, label: "input rmsnorm"}', '{op: rmsnrom, tokens: 96, hidden: 7168, label: "input rmsnorm"}');

  it("an unknown op in the file names it, suggests the closest op and lists the valid ones, at the op", () => {
    expect(loadIssues("ops.yaml", { text: typo })).toEqual([`ops.yaml:${line}:12 workload.ops.0.op: unknown op "rmsnrom" (did you mean "rmsnorm"?); valid ops: ${OPS}.`]);
  });

  it("an unknown op from --set is attributed to the --set", () => {
    expect(loadIssues(OP_BENCH, { sets: ["workload.ops.0.op=matmul"] })).toEqual([`--set workload.ops.0.op=matmul workload.ops.0.op: unknown op "matmul"; valid ops: ${OPS}.`]);
  });

  it("an entry without op says it is missing", () => {
    expect(loadIssues(OP_BENCH, { sets: ["workload.ops.0={tokens: 8}"] })).toEqual([
      `--set workload.ops.0={tokens: 8} workload.ops.0.op: missing "op": it selects the fields of the entry; valid ops: ${OPS}.`,
    ]);
  });

  it("a known op reports that op's issues, and its unknown keys list that op's keys only", () => {
    const gemm = opEntrySchema.options.find((o) => o.shape.op.value === "gemm")!;
    const issues = loadIssues("ops.yaml", { text: text.replace('{op: rmsnorm, tokens: 96, hidden: 7168, label: "input rmsnorm"}', '{op: gemm, m: 8, n: 8, k: 8, tokens: 96}') });
    expect(issues).toEqual([`ops.yaml:${line}:36 workload.ops.0.tokens: unknown key "tokens". ${keysOf(gemm)}`]);
  });

  it("the model's attention kind is keyed the same way", () => {
    expect(loadIssues(DECODE, { sets: ["model.attention.kind=mlq"] })).toEqual([
      '--set model.attention.kind=mlq model.attention.kind: unknown kind "mlq" (did you mean "mla"?); valid kinds: mla, gqa, mha.',
    ]);
  });

  it("a plain union of mappings keyed by a literal selects its option by that key", () => {
    const schema = z.union([z.strictObject({ kind: z.literal("a"), x: z.int() }), z.strictObject({ kind: z.literal("b"), y: z.int() })]);
    const cd = loadConfigDocument("u.yaml", [], "item: {kind: a, x: 1.5}\nother: {kind: cc}\n");
    const doc = cd.doc.toJS() as Record<string, unknown>;
    const at = (key: string) => zodToInputIssues(cd, schema, schema.safeParse(doc[key], { reportInput: true }).error!.issues, [key]).map(formatIssue);
    expect(at("item")).toEqual(["u.yaml:1:20 item.x: expected an integer, got 1.5"]);
    expect(at("other")).toEqual(['u.yaml:2:15 other.kind: unknown kind "cc"; valid kinds: a, b.']);
  });

  it("a union of mappings told apart by their keys (search-space generators) names the keys and suggests one", () => {
    const dir = mkdtempSync(join(tmpdir(), "ascend-sim-space-"));
    try {
      const file = join(dir, "space.yaml");
      writeFileSync(file, "knobs:\n  parallel.tp: [4, 8]\ngenerators:\n  - factorise: {product: 16, into: [parallel.tp, parallel.pp]}\n");
      expect(() => loadSpace(file)).toThrow(
        new InputError([{ file, line: 4, col: 5, path: "generators.0", message: 'expected a mapping with one of the keys factorize, choose, got a mapping with the key "factorise" (did you mean "factorize"?)' }]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a union of literals and quantities lists its forms", () => {
  const FORMS = 'auto | unbounded | a size with a unit like "64GiB"';

  it("a bare number gets the forms and the add-a-unit hint", () => {
    expect(loadIssues(SERVE, { sets: ["workload.cache.hbm_capacity=20"] })).toEqual([
      `--set workload.cache.hbm_capacity=20 workload.cache.hbm_capacity: expected ${FORMS}, got the bare number 20 (add a unit)`,
    ]);
  });

  it("a misspelt literal gets the forms and did-you-mean", () => {
    expect(loadIssues(SERVE, { sets: ["workload.cache.hbm_capacity=atuo"] })).toEqual([
      `--set workload.cache.hbm_capacity=atuo workload.cache.hbm_capacity: expected ${FORMS}, got "atuo" (did you mean "auto"?)`,
    ]);
  });

  it("a size with a bad unit gets the size's own message", () => {
    expect(loadIssues(SERVE, { sets: ["workload.cache.hbm_capacity=20GiBB"] })).toEqual([
      '--set workload.cache.hbm_capacity=20GiBB workload.cache.hbm_capacity: unknown size unit "GiBB" in "20GiBB" (write it like "64GiB")',
    ]);
  });

  it("a size with a unit is accepted", () => {
    expect(() => loadScenario(SERVE, { sets: ["workload.cache.hbm_capacity=20GiB"] })).not.toThrow();
  });

  it("a union of a literal and a list (workload.phase) and of a count and a literal (first_dense_layers)", () => {
    expect(loadIssues(DECODE, { sets: ["workload.phase=decde"] })).toEqual(['--set workload.phase=decde workload.phase: expected decode | prefill | a list, got "decde" (did you mean "decode"?)']);
    expect(loadIssues(DECODE, { sets: ["model.first_dense_layers=al"] })).toEqual([
      '--set model.first_dense_layers=al model.first_dense_layers: expected an integer | all, got "al" (did you mean "all"?)',
    ]);
    // a value of the right form that breaks a rule gets that rule
    expect(loadIssues(DECODE, { sets: ["model.first_dense_layers=-1"] })).toEqual(["--set model.first_dense_layers=-1 model.first_dense_layers: expected a number >= 0, got -1"]);
  });
});

describe("unknown keys", () => {
  it("below model: (a preset override) suggest the closest key and list the valid ones, preset included", () => {
    const modelKeys = `Valid keys are: preset, ${Object.keys(architectureSchema.shape).join(", ")}.`;
    expect(loadIssues(DECODE, { sets: ["model.layer=30"] })).toEqual([`--set model.layer=30 model.layer: unknown key "layer" (did you mean "layers"?). ${modelKeys}`]);
    expect(loadIssues(DECODE, { sets: ["model.prest=deepseek-r1"] })).toEqual([`--set model.prest=deepseek-r1 model.prest: unknown key "prest" (did you mean "preset"?). ${modelKeys}`]);
    expect(loadIssues(DECODE, { sets: ["model.moe.topk=4"] })).toEqual([`--set model.moe.topk=4 model.moe.topk: unknown key "topk" (did you mean "top_k"?). ${keysOf(moeSchema)}`]);
  });

  it("a key missing a word suggests the key holding every word, not a shorter edit", () => {
    const server = CLUSTER_TYPES.server!.schema as unknown as { shape: Record<string, unknown> };
    expect(loadIssues(ALLREDUCE, { sets: ["cluster.hccs_bandwidth=50GB/s"] })).toEqual([
      `--set cluster.hccs_bandwidth=50GB/s cluster.hccs_bandwidth: unknown key "hccs_bandwidth" (did you mean "hccs_link_bandwidth"?). ${keysOf(server)}`,
    ]);
  });

  it("a key written exactly as it exists in another section points there, before a near miss here", () => {
    expect(loadIssues(join(ROOT, "configs/pangu-ultra-moe-train.yaml"), { sets: ["workload.tp=2"] })[0]).toMatch(/^--set workload\.tp=2 workload\.tp: unknown key "tp" \(it belongs under parallel: parallel\.tp\)\./);
  });

  it("a key that is valid in another section says where it belongs", () => {
    const training = WORKLOADS.training!.schema as unknown as { shape: Record<string, unknown> };
    expect(loadIssues(TRAIN, { sets: ["workload.tp_extend_ep=false"] })).toEqual([
      `--set workload.tp_extend_ep=false workload.tp_extend_ep: unknown key "tp_extend_ep" (it belongs under parallel: parallel.tp_extend_ep). ${keysOf(training)}`,
    ]);
  });
});

describe("closest: words as well as edits", () => {
  it.each([
    ["hccs_bandwidth", ["pcie_bandwidth", "hccs_link_bandwidth", "hccs_latency"], "hccs_link_bandwidth"],
    ["bandwidth_hccs_link", ["pcie_bandwidth", "hccs_link_bandwidth"], "hccs_link_bandwidth"],
    ["hccs_bandwith", ["pcie_bandwidth", "hccs_link_bandwidth"], "hccs_link_bandwidth"],
    ["sio_bandwith", ["sio_bandwidth", "ub_die_bandwidth"], "sio_bandwidth"],
    ["capacity", ["hbm_capacity", "enabled"], "hbm_capacity"],
    ["topk", ["top_k", "routed_experts"], "top_k"],
  ] as const)("%s → %s", (name, candidates, want) => {
    expect(closest(name, candidates)).toBe(want);
  });

  it("a word two candidates share suggests neither", () => {
    expect(closest("bandwidth", ["sio_bandwidth", "ub_die_bandwidth", "sio_latency"])).toBeUndefined();
  });
});

describe("--set list indices", () => {
  it("a[0].b is a.0.b", () => {
    const brackets = loadScenario(SERVE, { sets: ["workload.instances[0].count=1"] });
    const dots = loadScenario(SERVE, { sets: ["workload.instances.0.count=1"] });
    expect(brackets.resolved).toEqual(dots.resolved);
    expect((brackets.resolved.workload as { instances: { count: number }[] }).instances[0]!.count).toBe(1);
  });

  it("issues below a bracketed index are attributed to the --set", () => {
    expect(loadIssues(SERVE, { sets: ["workload.instances[0].count=0"] })).toEqual([
      "--set workload.instances[0].count=0 workload.instances.0.count: expected a number >= 1, got 0",
    ]);
  });

  it("an index that is not a number is a usage error", () => {
    expect(loadIssues(SERVE, { sets: ["workload.instances[x].count=2"] })).toEqual([
      '--set workload.instances[x].count=2 workload.instances[x].count: a list index is a number, written a.0.b or a[0].b (e.g. workload.instances[0].count), got "workload.instances[x].count"',
    ]);
  });
});

describe("sizes are whole bytes; counts are integers", () => {
  it("1.5B is an input error, not rounded to 2 B", () => {
    expect(loadIssues(ALLREDUCE, { sets: ["workload.sizes.from=1.5B", "workload.sizes.to=10B"] })).toEqual([
      '--set workload.sizes.from=1.5B workload.sizes.from: expected a whole number of bytes, got "1.5B" = 1.5 B (a size is an integer count of bytes after unit conversion: "1.5KiB" = 1536 B is fine, "1.5B" is not)',
    ]);
  });

  it("a fraction of a larger unit that is whole bytes is fine, and so is the float error of a decimal prefix", () => {
    const s = loadScenario(ALLREDUCE, { sets: ["workload.sizes.from=1.5KiB", "workload.sizes.to=8.2MB"] });
    expect((s.resolved.workload as { sizes: { from: string } }).sizes.from).toBe("1536 B");
    expect(8.2 * 1e6).not.toBe(8200000); // the float error the check forgives …
    expect((s.resolved.workload as { sizes: { to: string } }).sizes.to).toBe("8200000 B"); // … and rounds away
    expect(bytes().safeParse("12b").success).toBe(false); // 12 bits = 1.5 B
    expect(bytes().safeParse("16b").success).toBe(true);
  });

  it("a fractional count is rejected", () => {
    expect(loadIssues(ALLREDUCE, { sets: ["workload.ranks=4.5"] })).toEqual(["--set workload.ranks=4.5 workload.ranks: expected an integer, got 4.5"]);
    expect(loadIssues(DECODE, { sets: ["workload.batch_per_npu=9.5"] })).toEqual(["--set workload.batch_per_npu=9.5 workload.batch_per_npu: expected an integer, got 9.5"]);
  });
});

describe("a search space given as a scenario", () => {
  it("says it is a search space and how to use it, instead of listing schema errors", () => {
    const f = "configs/search-pangu-ultra-layout.yaml";
    expect(loadIssues(join(ROOT, f), {}).map((m) => m.replaceAll(ROOT, ""))).toEqual([
      `${f}: this is a search space (it has knobs: and generators: and no workload:), not a scenario: give it to search with the scenario it varies, \`ascend-sim search <scenario.yaml> --space ${f} --objective <metric>\``,
    ]);
  });

  it("also when a --set adds a workload: to it (the file as written decides)", () => {
    const f = "configs/search-pangu-ultra-layout.yaml";
    expect(loadIssues(join(ROOT, f), { sets: ["workload.kind=training"] })).toHaveLength(1);
    expect(loadIssues(join(ROOT, f), { sets: ["workload.kind=training"] })[0]).toMatch(/this is a search space/);
  });
});

describe("a phase list whose shared MTP setting suits only decode", () => {
  it("points at the per-phase form workload.decode.mtp", async () => {
    const { runScenario } = await import("../../../src/run.js");
    let message = "";
    try {
      runScenario(loadScenario(DECODE, { sets: ["workload.phase=[decode,prefill]"] }));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      message = e.issues.map(formatIssue).join("\n");
    }
    expect(message).toMatch(/workload\.mtp\.layers: prefill: MTP \(speculative decoding\) applies to decode only: .*set it under workload\.decode\.mtp/);
  });
});
