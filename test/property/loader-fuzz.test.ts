/**
 * Fuzzing the config loader: whatever YAML and `--set` arguments it is given, `loadScenario` either
 * returns a Scenario or throws an InputError whose every issue has a non-empty message and a path —
 * never any other exception. The CLI turns every such outcome into exit code 0 or 2, never 1, and
 * never prints a stack trace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parse } from "yaml";
import { InputError, formatIssue } from "../../src/config/errors.js";
import { loadScenario, type LoadOptions } from "../../src/config/scenario.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "bin", "ascend-sim.js");
const BASE_FILE = "configs/hccs-allreduce.yaml";
const BASE_TEXT = readFileSync(join(ROOT, BASE_FILE), "utf8");
const BASE = parse(BASE_TEXT) as Record<string, unknown>;

/** What one load did: a scenario, or the InputError's issues. Any other exception propagates. */
type Outcome = { ok: true } | { ok: false; issues: readonly { path: unknown; message: unknown }[]; text: string };

function load(file: string, opts: LoadOptions): Outcome {
  try {
    const s = loadScenario(file, opts);
    expect(typeof s.seed).toBe("number");
    expect(typeof s.resolved).toBe("object");
    return { ok: true };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, issues: e.issues, text: e.issues.map(formatIssue).join("\n") };
    throw e;
  }
}

/** The loader's contract on any input. */
function expectWellFormed(o: Outcome): void {
  if (o.ok) return;
  expect(o.issues.length).toBeGreaterThan(0);
  for (const i of o.issues) {
    expect(typeof i.message).toBe("string");
    expect((i.message as string).length).toBeGreaterThan(0);
    expect(typeof i.path).toBe("string");
  }
}

/** Words the loader knows, so random documents often reach deep validation. */
const KNOWN_KEYS = [
  "name", "description", "seed", "cluster", "network", "workload", "model", "collective_step_overhead",
  "preset", "type", "chip", "npus", "hccs_link_bandwidth", "hccs_latency", "pcie_bandwidth", "pcie_latency",
  "kind", "ops", "algorithms", "ranks", "sizes", "from", "to", "factor", "iterations",
];
const KNOWN_WORDS = [
  "atlas-800t-a2", "atlas-800i-a2", "server", "collective-bench", "analytical", "flow", "all_reduce", "all_gather",
  "reduce_scatter", "all_to_all", "ring", "mesh", "910B3", "",
];
const UNITS = ["B", "KiB", "MiB", "GiB", "KB", "GB", "Gb", "GB/s", "Gb/s", "B/s", "us", "ns", "ms", "s", "µs", "TFLOPS", "GHz", "parsecs", "iB", ""];

/** A physical quantity as a user might write it, right or wrong: "56GB/s", "-1us", "1e400B", "3 parsecs". */
const arbQuantity: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.integer({ min: -10, max: 1 << 20 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, 1e300, 1e400, -0, 0.5)),
    fc.constantFrom("", " "),
    fc.constantFrom(...UNITS),
  )
  .map(([n, sp, u]) => `${n}${sp}${u}`);

const arbScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...KNOWN_WORDS),
  arbQuantity,
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 5000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);

const arbKey: fc.Arbitrary<string> = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });

/** Random nested YAML values: mappings, lists and scalars, biased towards the loader's own keys. */
const { value: arbValue } = fc.letrec<{ value: unknown; map: Record<string, unknown>; list: unknown[] }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, arbScalar, tie("map"), tie("list")),
  map: fc.dictionary(arbKey, tie("value"), { maxKeys: 5 }),
  list: fc.array(tie("value"), { maxLength: 4 }),
}));

/** A random document whose top level is usually a mapping of the known top-level keys. */
const arbDocument: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom("name", "seed", "cluster", "network", "workload", "clustr"), arbValue, { maxKeys: 6 }) },
  { weight: 1, arbitrary: arbValue },
);

type Json = unknown;

/** Every path (list of keys/indices) to a node of `v`, the root included. */
function pathsOf(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((c, i) => pathsOf(c, [...prefix, i], out));
  else if (v !== null && typeof v === "object") for (const [k, c] of Object.entries(v)) pathsOf(c, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; op: "delete" } | { at: number; op: "replace"; value: unknown } | { at: number; op: "add"; key: string; value: unknown };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat(), op: fc.constant("delete" as const) }),
  fc.record({ at: fc.nat(), op: fc.constant("replace" as const), value: fc.oneof(arbScalar, arbValue) }),
  fc.record({ at: fc.nat(), op: fc.constant("add" as const), key: arbKey, value: arbValue }),
);

/** Applies mutations to a deep copy of `doc`, each at a path picked among the current ones. */
function mutate(doc: Json, mutations: readonly Mutation[]): Json {
  let root = structuredClone(doc);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length]!;
    if (path.length === 0) {
      if (m.op === "replace") root = m.value;
      else if (m.op === "add" && root !== null && typeof root === "object" && !Array.isArray(root)) (root as Record<string, unknown>)[m.key] = m.value;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (m.op === "delete") {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (m.op === "replace") {
      parent[last] = m.value;
    } else {
      const target = parent[last];
      if (target !== null && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[m.key] = m.value;
      else parent[last] = { [m.key]: m.value };
    }
  }
  return root;
}

/** A `--set` argument: usually `known.path=value`, sometimes malformed. */
const arbSetPath: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "seed", "name", "cluster", "cluster.preset", "cluster.type", "cluster.npus", "cluster.hccs_link_bandwidth", "cluster.hccs_latency",
      "network.model", "network.collective_step_overhead", "workload", "workload.kind", "workload.ranks", "workload.ops", "workload.ops.0",
      "workload.ops.3", "workload.algorithms", "workload.sizes", "workload.sizes.from", "workload.sizes.to", "workload.sizes.factor",
      "workload.iterations", "workload.rank", "workload.kind.x", "clustr.npus", "a.b.c", "0", "workload.sizes.from.x",
    ),
  },
  { weight: 1, arbitrary: fc.array(arbKey, { minLength: 1, maxLength: 4 }).map((segs) => segs.join(".")) },
);
const arbSetValue: fc.Arbitrary<string> = fc.oneof(
  arbQuantity,
  fc.constantFrom(...KNOWN_WORDS),
  fc.integer({ min: -3, max: 20 }).map(String),
  fc.constantFrom("[ring]", "[all_reduce, all_gather]", "[]", "{}", "{preset: atlas-800t-a2}", "null", "true", "[1", "{a: ", "*x", "&a b", "'unterminated", "1.5"),
  fc.string({ maxLength: 10 }),
);
const arbSet: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(arbSetPath, arbSetValue).map(([k, v]) => `${k}=${v}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const arbSets = fc.array(arbSet, { maxLength: 3 });

/** YAML-ish text: the characters YAML gives meaning to, in random order. */
const arbYamlishText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(...KNOWN_KEYS.map((k) => `${k}: `), ...KNOWN_WORDS),
      fc.constantFrom("\n", "\n  ", "  ", "- ", ": ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!tag ", "#", "|", ">", "'", '"', "?", "%YAML 1.2\n", "---\n", "...\n", "\t", "<<: "),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

const RUNS = { seed: 42, numRuns: 300 } as const;

describe("loadScenario on arbitrary input returns a Scenario or throws a well-formed InputError", () => {
  const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  afterAll(() => {
    // `--set __proto__.x=1` and friends must not pollute prototypes
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysBefore);
  });

  it("random nested YAML documents", () => {
    fc.assert(
      fc.property(arbDocument, (doc) => {
        expectWellFormed(load("random.yaml", { text: stringify(doc) }));
      }),
      RUNS,
    );
  });

  it("random mutations of configs/hccs-allreduce.yaml (keys deleted, values replaced, keys added)", () => {
    fc.assert(
      fc.property(fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        expectWellFormed(load("mutated.yaml", { text: stringify(mutate(BASE, mutations)) }));
      }),
      RUNS,
    );
  });

  it("random --set arguments (and --seed values) on configs/hccs-allreduce.yaml", () => {
    fc.assert(
      fc.property(arbSets, fc.option(fc.integer({ min: 0, max: 4294967295 }), { nil: undefined }), (sets, seed) => {
        expectWellFormed(load(join(ROOT, BASE_FILE), { sets, ...(seed !== undefined ? { seed } : {}) }));
      }),
      RUNS,
    );
  });

  it("random mutations and random --set arguments together", () => {
    fc.assert(
      fc.property(fc.array(arbMutation, { maxLength: 3 }), arbSets, (mutations, sets) => {
        expectWellFormed(load("both.yaml", { text: stringify(mutate(BASE, mutations)), sets }));
      }),
      RUNS,
    );
  });

  it("random YAML-ish text (anchors, aliases, tags, directives, flow and block syntax)", () => {
    fc.assert(
      fc.property(arbYamlishText, (text) => {
        expectWellFormed(load("text.yaml", { text }));
      }),
      RUNS,
    );
  });

  it("messages never leak internals ([object Object], undefined, NaN, zod type names)", () => {
    fc.assert(
      fc.property(fc.array(arbMutation, { minLength: 1, maxLength: 4 }), arbSets, (mutations, sets) => {
        const o = load("leak.yaml", { text: stringify(mutate(BASE, mutations)), sets });
        if (!o.ok) expect(o.text).not.toMatch(/\[object Object\]|\bundefined\b|\bNaN\b|nonoptional|Invalid input/);
      }),
      {
        ...RUNS,
        // shapes the random search rarely reaches by itself
        examples: [
          [[{ at: 0, op: "add", key: "cluster", value: { preset: { a: 1 } } }], []],
          [[], ["cluster.preset={a: 1}"]],
          [[{ at: 0, op: "delete" }], ["workload=null"]],
        ],
      },
    );
  });
});

describe("the CLI on arbitrary configs and --set arguments", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ascend-sim-fuzz-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // keep each run small: a short size sweep unless the random edits say otherwise
  const small = ["--set", "workload.sizes.from=1MiB", "--set", "workload.sizes.to=4MiB"];

  it("exits 0 or 2 (never 1) and never prints a stack trace", () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.constantFrom("run", "explain"),
        fc.array(arbMutation, { maxLength: 2 }),
        arbSets,
        fc.constantFrom([], ["--json"], ["--stats"]),
        (command, mutations, sets, flags) => {
          const file = join(dir, `cli-${n++}.yaml`);
          writeFileSync(file, stringify(mutate(BASE, mutations)));
          const args = [CLI, command, file, ...small, ...sets.flatMap((s) => ["--set", s]), ...flags];
          const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 30_000, maxBuffer: 64 << 20 });
          expect(r.error).toBeUndefined();
          expect([0, 2], `exit ${r.status} for ${JSON.stringify(args.slice(1))}\n${r.stderr}`).toContain(r.status);
          expect(r.stderr).not.toContain("    at ");
          if (r.status === 2) expect(r.stderr).toMatch(/^error: /);
        },
      ),
      { seed: 42, numRuns: 20 },
    );
  });
});
