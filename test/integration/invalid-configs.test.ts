/**
 * Invalid-input fixtures: each bad YAML in test/fixtures/invalid/ → its exact error message(s).
 * Messages name the file, line:col, the config path, what was expected and what was found, and
 * suggest the closest valid name on a typo. Lists of valid values that grow with the registries
 * (presets, workload kinds, network models, ops) are built from those registries, so adding a
 * preset does not break these tests but changing a message does.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT, runCli, type Ran } from "../helpers/cli.js";
import { COLLECTIVE_OPS } from "../../src/collectives/plan.js";
import { BENCH_OPS, collectiveBenchSchema } from "../../src/workload/collective-bench/schema.js";
import { InputError, formatIssue } from "../../src/config/errors.js";
import { loadScenario, topLevelSchema, type LoadOptions } from "../../src/config/scenario.js";
import { NETWORK_MODELS } from "../../src/network/registry.js";
import { loadSpace } from "../../src/search/space.js";
import { CLUSTER_PRESETS, CLUSTER_TYPES } from "../../src/topology/registry.js";
import { WORKLOADS } from "../../src/workload/registry.js";

/** The reference config, as a path relative to the repository root (the CLI's cwd in these tests). */
const GOOD = "configs/hccs-allreduce.yaml";

/** Path of a fixture relative to the repository root, as a user would type it. */
function fixture(name: string): string {
  return `test/fixtures/invalid/${name}.yaml`;
}

/** Absolute path of a file given relative to the repository root. */
function abs(rel: string): string {
  return join(ROOT, rel);
}

/** The formatted issues of the InputError that loading throws; fails if it loads or throws anything else. */
function loadIssues(file: string, opts: LoadOptions = {}): string[] {
  try {
    loadScenario(file, opts);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const messages = e.issues.map(formatIssue);
    expect(e.message).toBe(messages.join("\n"));
    return messages;
  }
  throw new Error(`${file} loaded, but an InputError was expected`);
}

/** Runs the CLI from the repository root. */
const cli = (...args: string[]): Ran => runCli(args);

const TOP_KEYS = `Valid keys are: ${Object.keys(topLevelSchema.shape).join(", ")}.`;
const BENCH_KEYS = `Valid keys are: ${Object.keys(collectiveBenchSchema.shape).join(", ")}.`;
const PRESETS = Object.keys(CLUSTER_PRESETS).join(", ");
const TYPES = Object.keys(CLUSTER_TYPES).join(", ");
const KINDS = Object.keys(WORKLOADS).join(", ");
const MODELS = Object.keys(NETWORK_MODELS).join(", ");
const OPS = BENCH_OPS.join(", ");

describe("the registries the messages list", () => {
  it("include the names the fixtures are typos of", () => {
    expect(Object.keys(CLUSTER_PRESETS)).toContain("atlas-800t-a2");
    expect(Object.keys(CLUSTER_TYPES)).toContain("server");
    expect(Object.keys(WORKLOADS)).toContain("collective-bench");
    expect(Object.keys(NETWORK_MODELS)).toContain("analytical");
    expect(COLLECTIVE_OPS).toContain("all_gather");
  });
});

/** fixture name → every message it must produce, in order. */
const CASES: Record<string, { behaviour: string; messages: (f: string) => string[] }> = {
  "syntax-error": {
    behaviour: "a YAML syntax error is located and prefixed 'invalid YAML'",
    messages: (f) => [`${f}:6:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`],
  },
  "duplicate-key": {
    behaviour: "a duplicate key points at the second occurrence",
    messages: (f) => [`${f}:5:3: invalid YAML: Map keys must be unique`],
  },
  empty: {
    behaviour: "an empty file says what a config must contain",
    messages: (f) => [`${f}: the config is empty: expected a mapping with \`workload:\` and \`cluster:\``],
  },
  "comments-only": {
    behaviour: "a file of comments only is empty",
    messages: (f) => [`${f}: the config is empty: expected a mapping with \`workload:\` and \`cluster:\``],
  },
  "top-level-list": {
    behaviour: "a list at the top level is rejected where it starts",
    messages: (f) => [`${f}:2:1: expected a mapping at the top level of the config`],
  },
  "unknown-top-level-key": {
    behaviour: "an unknown top-level key points at the key and suggests the closest one",
    messages: (f) => [`${f}:2:1 netwrok: unknown key "netwrok" (did you mean "network"?). ${TOP_KEYS}`],
  },
  "unknown-workload-key": {
    behaviour: "an unknown workload key points at the key and suggests the closest one",
    messages: (f) => [`${f}:4:3 workload.rank: unknown key "rank" (did you mean "ranks"?). ${BENCH_KEYS}`],
  },
  "string-for-integer": {
    behaviour: "a string where an integer is expected says what was found",
    messages: (f) => [`${f}:4:10 workload.ranks: expected a number, got "eight"`],
  },
  "bare-number-size": {
    behaviour: "a bare number for a size asks for a unit",
    messages: (f) => [`${f}:5:11 workload.sizes.from: expected a size with a unit like "64GiB", got the bare number 1024 (add a unit)`],
  },
  "unknown-size-unit": {
    behaviour: "an unknown size unit is named, with an example",
    messages: (f) => [`${f}:6:9 workload.sizes.to: unknown size unit "GiBytes" in "1GiBytes" (write it like "64GiB")`],
  },
  "unknown-bandwidth-unit": {
    behaviour: "a size unit where a bandwidth is expected is rejected in a preset override",
    messages: (f) => [`${f}:3:24 cluster.hccs_link_bandwidth: unknown bandwidth unit "GB" in "56GB" (write it like "196GB/s")`],
  },
  "negative-size": {
    behaviour: "a negative size is rejected",
    messages: (f) => [`${f}:5:11 workload.sizes.from: expected a positive size, got "-4KiB"`],
  },
  "unknown-cluster-preset": {
    behaviour: "an unknown cluster preset suggests the closest one and lists the valid ones",
    messages: (f) => [`${f}:1:10 cluster: unknown cluster preset "atlas-800t-a3" (did you mean "atlas-800t-a2"?). Valid values are: ${PRESETS}.`],
  },
  "unknown-workload-kind": {
    behaviour: "an unknown workload kind suggests the closest one and lists the valid ones",
    messages: (f) => [`${f}:3:9 workload.kind: expected a workload kind, got "colective-bench" (did you mean "collective-bench"?). Valid values are: ${KINDS}.`],
  },
  "unknown-cluster-type": {
    behaviour: "an unknown cluster type suggests the closest one and lists the valid ones",
    messages: (f) => [`${f}:2:9 cluster.type: expected a cluster type, got "sever" (did you mean "server"?). Valid values are: ${TYPES}.`],
  },
  "group-larger-than-cluster": {
    behaviour: "a group larger than the cluster is a cross-field error on workload.ranks",
    messages: (f) => [`${f}:6:10 workload.ranks: expected a group size of at most 4 (the ranks of cluster atlas-800t-a2), got 8`],
  },
  "sizes-to-below-from": {
    behaviour: "sizes.to below sizes.from is a cross-field error on sizes.to",
    messages: (f) => [`${f}:6:9 workload.sizes.to: expected sizes.to >= sizes.from (1048576 B), got 65536 B`],
  },
  "unknown-network-model": {
    behaviour: "an unknown network.model suggests the closest one and lists the valid ones",
    messages: (f) => [`${f}:3:10 network.model: expected one of ${MODELS}, got "analytic" (did you mean "analytical"?). Valid values are: ${MODELS}.`],
  },
  "unknown-op": {
    behaviour: "an unknown entry of workload.ops points at that entry and suggests the closest op",
    messages: (f) => [`${f}:4:21 workload.ops.1: expected one of ${OPS}, got "allgather" (did you mean "all_gather"?). Valid values are: ${OPS}.`],
  },
  "missing-workload": {
    behaviour: "a missing workload section is one issue that lists the workload kinds",
    messages: (f) => [`${f}:1:1: expected "workload:" to be a mapping with "kind:", got nothing (the key is missing). Workload kinds: ${KINDS}.`],
  },
  "many-issues": {
    behaviour: "every issue of a config is reported, not just the first, in the order of the file",
    messages: (f) => [
      `${f}:2:10 cluster: unknown cluster preset "atlas-800t-a3" (did you mean "atlas-800t-a2"?). Valid values are: ${PRESETS}.`,
      `${f}:3:1 netwrok: unknown key "netwrok" (did you mean "network"?). ${TOP_KEYS}`,
      `${f}:6:3 workload.rank: unknown key "rank" (did you mean "ranks"?). ${BENCH_KEYS}`,
      `${f}:7:15 workload.iterations: expected a number >= 1, got 0`,
    ],
  },
  "unresolved-alias": {
    behaviour: "an alias to an anchor that does not exist is an input error, not a crash",
    messages: (f) => [`${f}:1:10: invalid YAML: Unresolved alias (the anchor must be set before the alias): server`],
  },
};

describe("loadScenario on an invalid fixture throws an InputError with located messages", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: ${c.behaviour}`, () => {
      const f = abs(fixture(name));
      expect(loadIssues(f)).toEqual(c.messages(f));
    });
  }

  it("has a test case for every fixture file (and a fixture for every case)", () => {
    const files = readdirSync(join(ROOT, "test/fixtures/invalid"))
      .filter((n) => n.endsWith(".yaml"))
      .map((n) => n.replace(/\.yaml$/, ""))
      .sort();
    expect(files).toEqual(Object.keys(CASES).sort());
  });
});

describe("unreadable config files", () => {
  it("a missing path is an input error naming the file", () => {
    const f = abs("test/fixtures/invalid/no-such-file.yaml");
    expect(loadIssues(f)).toEqual([`${f}: cannot read the config file: no such file or folder`]);
  });

  it("a loop of symbolic links is an input error in words, not an error code", () => {
    const dir = mkdtempSync(join(tmpdir(), "loop-config-"));
    symlinkSync(join(dir, "b.yaml"), join(dir, "a.yaml"));
    symlinkSync(join(dir, "a.yaml"), join(dir, "b.yaml"));
    const f = join(dir, "a.yaml");
    expect(loadIssues(f)).toEqual([`${f}: cannot read the config file: too many levels of symbolic links (a loop?)`]);
    rmSync(dir, { recursive: true });
  });

  it("a directory is an input error naming the directory", () => {
    const f = abs("test/fixtures/invalid");
    expect(loadIssues(f)).toEqual([`${f}: cannot read the config file: it is a folder`]);
  });
});

describe("config files that would otherwise be misread", () => {
  const good = readFileSync(abs(GOOD), "utf8");
  /** 1-based line of the first line of `text` that starts with `prefix` (after indentation). */
  const lineOf = (text: string, prefix: string): number => text.split("\n").findIndex((l) => l.trimStart().startsWith(prefix)) + 1;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ascend-sim-misread-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, bytes: Buffer): string => {
    const f = join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };

  it("a second YAML document after `---` is an error at that `---`, not silently ignored", () => {
    const text = `${good}...\n---\nworkload: {kind: bogus}\n`;
    expect(loadIssues("two.yaml", { text })).toEqual([
      `two.yaml:${lineOf(text, "---")}:1: expected one YAML document, found 2: this "---" starts a second one (the file must hold a single document)`,
    ]);
  });

  it("the count covers every document, and an empty trailing `---` counts too", () => {
    const text = `${good}---\nseed: 2\n---\n`;
    expect(loadIssues("three.yaml", { text })).toEqual([
      `three.yaml:${lineOf(text, "---")}:1: expected one YAML document, found 3: this "---" starts a second one (the file must hold a single document)`,
    ]);
  });

  it("content after a `...` end marker is a second document even without `---`", () => {
    const text = `${good}...\nseed: 2\n`;
    const line = text.split("\n").lastIndexOf("seed: 2") + 1;
    expect(loadIssues("dots.yaml", { text })).toEqual([
      `dots.yaml:${line}:1: expected one YAML document, found 2: a second one starts here, after the "..." end marker (the file must hold a single document)`,
    ]);
  });

  it("a `---` that opens the only document is fine", () => {
    expect(loadScenario("one.yaml", { text: `---\n${good}` }).name).toBe("hccs-allreduce");
  });

  it("a search space (search --space) with a second document is rejected the same way", () => {
    const f = write("space.yaml", Buffer.from("knobs:\n  workload.ranks: [8]\n---\nknobs:\n  workload.ranks: [16]\n"));
    expect(() => loadSpace(f)).toThrow(`${f}:3:1: expected one YAML document, found 2: this "---" starts a second one`);
  });

  it("invalid UTF-8 (a Latin-1 é) is an error at the line and column of the first bad byte, not U+FFFD", () => {
    const [before, after] = good.split("name: hccs-allreduce") as [string, string];
    const f = write("latin1.yaml", Buffer.concat([Buffer.from(`${before}name: caf`), Buffer.from([0xe9]), Buffer.from(after)]));
    expect(loadIssues(f)).toEqual([
      `${f}:${lineOf(good, "name:")}:10: expected UTF-8 text, got the byte 0xE9, which is not valid UTF-8 here (a Latin-1 or other legacy encoding?): save the file as UTF-8`,
    ]);
  });

  it("the column counts characters, so valid multi-byte text before the bad byte is one column each; a cut-short sequence is invalid", () => {
    // "é€" are 2 + 3 bytes but two columns; 0xE2 0x82 is the start of a 3-byte sequence with its last byte missing
    const f = write("cut.yaml", Buffer.concat([Buffer.from(`${good}description: é€`), Buffer.from([0xe2, 0x82])]));
    expect(loadIssues(f)).toEqual([
      `${f}:${lineOf(good + "description:", "description:")}:16: expected UTF-8 text, got the byte 0xE2, which is not valid UTF-8 here (a Latin-1 or other legacy encoding?): save the file as UTF-8`,
    ]);
  });

  it("a UTF-16 file is named as such", () => {
    const f = write("utf16.yaml", Buffer.from(`\ufeff${good}`, "utf16le"));
    expect(loadIssues(f)).toEqual([`${f}:1:1: expected UTF-8 text, got UTF-16 (the file starts with a UTF-16 byte-order mark): save it as UTF-8`]);
  });

  it("a UTF-8 byte-order mark is still accepted", () => {
    expect(loadScenario(write("bom.yaml", Buffer.from(`\ufeff${good}`))).name).toBe("hccs-allreduce");
  });
});

describe("invisible characters in user-supplied keys and values are shown escaped in messages", () => {
  const good = readFileSync(abs(GOOD), "utf8");
  const ranksLine = good.split("\n").findIndex((l) => l.trimStart().startsWith("ranks:")) + 1;

  it("a key with U+0085 (NEL) reads `ra\\u0085nks`, in the path and in the quoted key, not a `ranks` that looks valid", () => {
    const text = good.replace("ranks:", "ra\u0085nks:");
    expect(loadIssues("nel.yaml", { text })).toEqual([`nel.yaml:${ranksLine}:3 workload.ra\\u0085nks: unknown key "ra\\u0085nks" (did you mean "ranks"?). ${BENCH_KEYS}`]);
  });

  it.each([
    ["U+200B zero-width space", "\u200b", "\\u200b"],
    ["U+200D zero-width joiner", "\u200d", "\\u200d"],
    ["U+202E right-to-left override", "\u202e", "\\u202e"],
    ["U+2066 left-to-right isolate", "\u2066", "\\u2066"],
    ["U+00AD soft hyphen", "\u00ad", "\\u00ad"],
    ["U+FEFF zero-width no-break space", "\ufeff", "\\ufeff"],
    ["U+00A0 no-break space (looks like a space)", "\u00a0", "\\u00a0"],
    ["U+0007 bell (a C0 control)", "\u0007", "\\u0007"],
    ["U+E0041 tag letter A (outside the BMP)", "\u{e0041}", "\\u{e0041}"],
  ])("a key with %s", (_, ch, escaped) => {
    const issues = loadIssues("key.yaml", { text: good.replace("ranks:", `ra${ch}nks:`) });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(`workload.ra${escaped}nks: unknown key "ra${escaped}nks"`);
    expect(issues[0]).not.toContain(ch);
  });

  it("a value: a cluster preset name with a trailing zero-width space", () => {
    const text = good.replace("cluster: atlas-800t-a2", "cluster: atlas-800t-a2\u200b");
    expect(loadIssues("value.yaml", { text })[0]).toMatch(/ cluster: unknown cluster preset "atlas-800t-a2\\u200b" \(did you mean "atlas-800t-a2"\?\)/);
  });

  it("a string value where a number is expected", () => {
    const text = good.replace("ranks: 8", 'ranks: "8\u2060"');
    expect(loadIssues("num.yaml", { text })).toEqual([`num.yaml:${ranksLine}:10 workload.ranks: expected a number, got "8\\u2060"`]);
  });

  it("a --set key: the argument and the path show the escape", () => {
    expect(loadIssues(abs(GOOD), { sets: ["workload.ra\u0085nks=8"] })).toEqual([
      `--set workload.ra\\u0085nks=8 workload.ra\\u0085nks: unknown key "ra\\u0085nks" (did you mean "ranks"?). ${BENCH_KEYS}`,
    ]);
  });

  it("visible non-ASCII letters are quoted as typed", () => {
    const issues = loadIssues("visible.yaml", { text: good.replace("ranks:", "rängs:") });
    expect(issues[0]).toContain('workload.rängs: unknown key "rängs"');
  });
});

describe("--set arguments", () => {
  it("without '=' are a usage error that shows the expected form", () => {
    expect(loadIssues(abs(GOOD), { sets: ["workload.ranks"] })).toEqual([
      '--set expects key.path=value (e.g. --set workload.ranks=4), got "workload.ranks"',
    ]);
  });

  it("with an empty key are a usage error", () => {
    expect(loadIssues(abs(GOOD), { sets: ["=4"] })).toEqual(['--set expects key.path=value (e.g. --set workload.ranks=4), got "=4"']);
  });

  it("with a value that is not YAML are attributed to the --set argument", () => {
    expect(loadIssues(abs(GOOD), { sets: ["workload.ranks=[1"] })).toEqual([
      "--set workload.ranks=[1 workload.ranks: the value is not valid YAML: Flow sequence must end with a ] at line 1, column 3:",
    ]);
  });

  it("onto an unknown key are attributed to the --set argument, with did-you-mean", () => {
    expect(loadIssues(abs(GOOD), { sets: ["workload.rank=4"] })).toEqual([
      `--set workload.rank=4 workload.rank: unknown key "rank" (did you mean "ranks"?). ${BENCH_KEYS}`,
    ]);
  });

  it("onto a path below an unknown key are attributed to the --set argument", () => {
    expect(loadIssues(abs(GOOD), { sets: ["netwrok.model=flow"] })).toEqual([
      `--set netwrok.model=flow netwrok: unknown key "netwrok" (did you mean "network"?). ${TOP_KEYS}`,
    ]);
  });

  it("that break a cross-field rule are attributed to the --set argument", () => {
    expect(loadIssues(abs(GOOD), { sets: ["workload.ranks=16"] })).toEqual([
      "--set workload.ranks=16 workload.ranks: expected a group size of at most 8 (the ranks of cluster atlas-800t-a2), got 16",
    ]);
  });

  it("of the wrong type are attributed to the --set argument", () => {
    expect(loadIssues(abs(GOOD), { sets: ["workload.sizes.from=1024"] })).toEqual([
      '--set workload.sizes.from=1024 workload.sizes.from: expected a size with a unit like "64GiB", got the bare number 1024 (add a unit)',
    ]);
  });

  it("a collective step overhead over 1 s (a µs cost given in seconds) is refused at its key, before it runs the clock past 2^53 ns", () => {
    expect(loadIssues(abs(GOOD), { sets: ["network.collective_step_overhead=100s"] })).toEqual([
      '--set network.collective_step_overhead=100s network.collective_step_overhead: expected a duration of at most 1000000000 ns, got "100s" = 100000000000 ns',
    ]);
    expect(() => loadScenario(abs(GOOD), { sets: ["network.collective_step_overhead=1s"] })).not.toThrow();
  });

  it("a one-NPU cluster under a collective is one mistake, at the --set that made it, not also a group size too large", () => {
    expect(loadIssues(abs(GOOD), { sets: ["cluster.npus=1"] })).toEqual(["--set cluster.npus=1 cluster: a collective needs a group of at least 2 ranks; cluster atlas-800t-a2 has 1"]);
  });

  it("leave the issues that are in the file attributed to the file", () => {
    const f = abs(fixture("unknown-workload-key"));
    expect(loadIssues(f, { sets: ["workload.iterations=0"] }).sort()).toEqual(
      [
        `${f}:4:3 workload.rank: unknown key "rank" (did you mean "ranks"?). ${BENCH_KEYS}`,
        "--set workload.iterations=0 workload.iterations: expected a number >= 1, got 0",
      ].sort(),
    );
  });
});

describe("values the cost models cannot price are input errors when the config loads (exit 2), not internal errors", () => {
  const DECODE = abs("configs/cloudmatrix-dsr1-decode.yaml");
  const HOT = "hot_factor × hot_experts";

  it("hot routing skew: hot_factor × hot_experts must stay below the routed experts of a layer", () => {
    expect(loadIssues(DECODE, { sets: ["workload.routing.skew=hot", "workload.routing.hot_experts=16"] })).toEqual([
      `--set workload.routing.hot_experts=16 workload.routing.hot_experts: ${HOT} (30 × 16) must stay below the 256 experts of a layer (the mean weight includes the hot ones): lower hot_experts or hot_factor`,
    ]);
    // 30 × 8 = 240 < 256 experts
    expect(() => loadScenario(DECODE, { sets: ["workload.routing.skew=hot", "workload.routing.hot_experts=8"] })).not.toThrow();
  });

  it("training routing_skew above 10 is refused (exp(σ·z) overflowed and the step came out faster than uniform routing)", () => {
    expect(loadIssues(abs("configs/pangu-ultra-moe-train.yaml"), { sets: ["workload.routing_skew=500"] })).toEqual([
      "--set workload.routing_skew=500 workload.routing_skew: expected a number <= 10, got 500",
    ]);
  });

  it("hot routing skew: more hot experts than a layer has is refused with the value given (not a clamped one)", () => {
    expect(loadIssues(DECODE, { sets: ["workload.routing.skew=hot", "workload.routing.hot_factor=1", "workload.routing.hot_experts=1000000"] })).toEqual([
      "--set workload.routing.hot_experts=1000000 workload.routing.hot_experts: expected at most the 256 experts of a layer, found 1000000",
    ]);
  });

  it("hot routing skew with one hot expert names hot_factor, where the rule is in the file", () => {
    const text = readFileSync(DECODE, "utf8").replace("routing: {skew: uniform,", "routing: {skew: hot, hot_factor: 256,");
    expect(loadIssues("decode.yaml", { text })).toEqual([
      `decode.yaml:25:36 workload.routing.hot_factor: ${HOT} (256 × 1) must stay below the 256 experts of a layer (the mean weight includes the hot ones): lower hot_experts or hot_factor`,
    ]);
  });

  it("hot routing skew of a serving instance counts the experts of each MoGE group, at the instance's phase knobs", () => {
    const issues = loadIssues(abs("configs/pd-serve-roce.yaml"), { sets: ["workload.instances.1.decode.routing.skew=hot", "workload.instances.1.decode.routing.hot_factor=8"] });
    expect(issues[0]).toBe(
      `--set workload.instances.1.decode.routing.hot_factor=8 workload.instances.1.decode.routing.hot_factor: decode: ${HOT} (8 × 1) must stay below the 8 experts of each MoGE group (the mean weight includes the hot ones): lower hot_experts or hot_factor`,
    );
  });

  /** An op-bench config of one operator on a 910C die (the operator on line 5). */
  const opBench = (op: string): string => `workload:\n  kind: op-bench\n  chip: 910C\n  ops:\n    - ${op}\n`;

  it.each([
    ["prefill_attention", "{op: prefill_attention, batch: 1, seq_len: 1024, heads: 8, kv_heads: 128, head_dim: 128}", "5:76 workload.ops.0.kv_heads: kv_heads (128) must divide heads (8)"],
    ["gqa_decode", "{op: gqa_decode, batch: 1, kv_len: 1024, heads: 40, kv_heads: 7, head_dim: 128}", "5:69 workload.ops.0.kv_heads: kv_heads (7) must divide heads (40)"],
  ])("op-bench %s: kv_heads must divide heads", (_, op, issue) => {
    expect(loadIssues("ops.yaml", { text: opBench(op) })).toEqual([`ops.yaml:${issue}`]);
  });

  it("op-bench: an operator takes at most the cores of the chip's die", () => {
    expect(loadIssues("ops.yaml", { text: opBench("{op: gemm, m: 8, n: 8, k: 8, cores: {aic: 100}}") })).toEqual([
      "ops.yaml:5:49 workload.ops.0.cores.aic: expected at most the 24 cube cores of a 910C die, got 100",
    ]);
    expect(loadIssues("ops.yaml", { text: opBench("{op: rmsnorm, tokens: 8, hidden: 8, cores: {aiv: 49}}") })).toEqual([
      "ops.yaml:5:56 workload.ops.0.cores.aiv: expected at most the 48 vector cores of a 910C die, got 49",
    ]);
  });

  it("collective-bench: a buffer or MoE payload larger than one die's HBM is refused (a 1 PB all-reduce ran)", () => {
    expect(loadIssues(abs("configs/hccs-allreduce.yaml"), { sets: ["workload.sizes.to=1PB"] })).toEqual([
      "--set workload.sizes.to=1PB workload.sizes.to: expected at most the 64GiB of HBM of one rank (die), got 909.5TiB",
    ]);
    expect(loadIssues(abs("configs/cm384-dispatch-combine.yaml"), { sets: ["workload.hidden=1000000000"] })).toEqual([
      "--set workload.hidden=1000000000 workload.hidden: the combine payload per rank (tokens_per_rank × top_k × hidden × 2 B = 1.863TiB) exceeds the 64GiB of HBM of one rank (die): expected a smaller hidden or tokens_per_rank",
    ]);
  });

  it("op-bench: an operator whose inputs and output exceed the die's HBM is refused (2^53-row GEMMs ran for minutes)", () => {
    // 2^20 × 2^20 BF16 output alone is 2 TiB; one row less than fits stays valid (65,536 × 65,536 × 3 tensors × 2 B = 24 GiB)
    expect(loadIssues("ops.yaml", { text: opBench("{op: gemm, m: 1048576, n: 1048576, k: 8}") })).toEqual([
      "ops.yaml:5:7 workload.ops.0: its inputs and output take 2.000TiB of HBM, a 910C die has 64GiB: expected a smaller shape",
    ]);
    expect(() => loadScenario("ops.yaml", { text: opBench("{op: gemm, m: 65536, n: 65536, k: 65536}") })).not.toThrow();
  });
  it("op-bench: gating top-k takes at most the experts it gates over", () => {
    expect(loadIssues("ops.yaml", { text: opBench("{op: gating_topk, tokens: 8, experts: 256, k: 300}") })).toEqual([
      "ops.yaml:5:53 workload.ops.0.k: expected at most the 256 experts, got 300",
    ]);
  });

  it("op-bench: attention head dimensions must leave a kernel tiling that fits the core buffers", () => {
    expect(loadIssues("ops.yaml", { text: opBench("{op: prefill_attention, batch: 1, seq_len: 1024, heads: 8, kv_heads: 8, head_dim: 4096}") })).toEqual([
      "ops.yaml:5:89 workload.ops.0.head_dim: no attention kernel tiling of these head dimensions fits the core buffers of a 910C die (L1 512 KiB, UB 192 KiB): use a smaller head_dim or v_head_dim",
    ]);
    const mla = loadIssues("ops.yaml", { text: opBench("{op: mla_decode, batch: 4, kv_len: 128, latent_dim: 100000, value_dim: 50000}") });
    expect(mla).toHaveLength(1);
    expect(mla[0]).toMatch(/workload\.ops\.0\.latent_dim: no attention kernel tiling of these latent dimensions .*: use a smaller latent_dim or value_dim$/);
  });
});

describe("the CLI reports invalid input on stderr with exit code 2", () => {
  /** Expected stderr of a run that fails on input issues. */
  const errors = (lines: string[]) => lines.map((l) => `error: ${l}\n`).join("");

  it.each(["unknown-top-level-key", "unknown-cluster-preset", "many-issues", "syntax-error", "empty"])("%s: one 'error: ' line per issue, nothing on stdout", (name) => {
    const f = fixture(name);
    const r = cli("run", f);
    expect(r).toEqual({ status: 2, stdout: "", stderr: errors(CASES[name]!.messages(f)) });
  });

  it("explain reports the same messages as run", () => {
    const f = fixture("unknown-workload-kind");
    expect(cli("explain", f)).toEqual({ status: 2, stdout: "", stderr: errors(CASES["unknown-workload-kind"]!.messages(f)) });
  });

  it("a missing config file", () => {
    expect(cli("run", "no/such/config.yaml")).toEqual({ status: 2, stdout: "", stderr: errors(["no/such/config.yaml: cannot read the config file: no such file or folder"]) });
  });

  it("a directory as config file", () => {
    expect(cli("run", "configs")).toEqual({ status: 2, stdout: "", stderr: errors(["configs: cannot read the config file: it is a folder"]) });
  });

  it("a --set without '='", () => {
    expect(cli("run", GOOD, "--set", "workload.ranks")).toEqual({
      status: 2,
      stdout: "",
      stderr: errors(['--set expects key.path=value (e.g. --set workload.ranks=4), got "workload.ranks"']),
    });
  });

  it("a --set onto an unknown key", () => {
    expect(cli("run", GOOD, "--set", "workload.rank=4")).toEqual({
      status: 2,
      stdout: "",
      stderr: errors([`--set workload.rank=4 workload.rank: unknown key "rank" (did you mean "ranks"?). ${BENCH_KEYS}`]),
    });
  });

  it.each([
    ["-1", '--seed expects an integer from 0 to 4294967295, got "-1"'],
    ["1.5", '--seed expects an integer from 0 to 4294967295, got "1.5"'],
    ["4294967296", '--seed expects an integer from 0 to 4294967295, got "4294967296"'],
  ])("--seed %s is a usage error", (seed, message) => {
    expect(cli("run", GOOD, "--seed", seed)).toEqual({ status: 2, stdout: "", stderr: `error: ${message}\nrun "ascend-sim run --help" for usage\n` });
  });

  it("--seed that is not a number is a usage error that quotes it", () => {
    const r = cli("run", GOOD, "--seed", "abc");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: --seed expects an integer from 0 to 4294967295, got "?abc"?\n/);
  });

  it.each([
    ["workload.sizes.to=1e30B", "a size whose simulated time overflows the engine's clock"],
    ["cluster.hccs_link_bandwidth=1e-300B/s", "a bandwidth so small that a transfer takes forever"],
  ])("--set %s (%s) is an input error, not an internal error", (set) => {
    const r = cli("run", GOOD, "--set", set);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toContain("internal error");
  });

  it("--seed without a value is a usage error (not silently the config's seed)", () => {
    const r = cli("run", GOOD, "--json", "--seed");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*seed/);
  });
});

describe("run --trace leaves no output file behind when it fails", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ascend-sim-invalid-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("on an invalid config: exit 2 and the directory stays empty", () => {
    const out = join(dir, "out.jsonl");
    const r = cli("run", fixture("unknown-workload-key"), "--trace", out);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("when the trace's directory does not exist: exit 2, the error names the file, nothing is created", () => {
    const out = join(dir, "missing", "out.jsonl");
    const r = cli("run", GOOD, "--trace", out);
    expect(r).toEqual({ status: 2, stdout: "", stderr: `error: cannot write the trace file ${out}: no such folder: ${join(dir, "missing")}\n` });
    expect(existsSync(join(dir, "missing"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("when the trace path is a directory: exit 2 and no temporary file is left next to it", () => {
    const out = join(dir, "taken");
    mkdirSync(out);
    const r = cli("run", GOOD, "--trace", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: cannot write the trace file ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: it is a folder; expected a file path\\n$`));
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readdirSync(out)).toEqual([]);
  });
});
