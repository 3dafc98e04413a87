/**
 * configs/schema.json, the JSON Schema editors use to complete and check configs: it is the committed
 * output of `configJsonSchema()` (regenerated with `npm run schema`), it accepts every shipped config and
 * every document the loader accepts (it may never be stricter than `loadScenario`), and it rejects what
 * the loader rejects wherever JSON Schema can see it (unknown keys, kinds, presets, unit spellings).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { configJsonSchema, configJsonSchemaText } from "../../src/config/json-schema.js";
import { bandwidth, bytes, duration, flops, frequency } from "../../src/config/quantity.js";
import { InputError } from "../../src/config/errors.js";
import { loadScenario } from "../../src/config/scenario.js";
import { isScenarioFile } from "../../src/config/scenario-files.js";
import { parseQuantity, type QuantityKind } from "../../src/units/index.js";
import { ROOT } from "../helpers/cli.js";

const SCHEMA_FILE = join(ROOT, "configs", "schema.json");
const CONFIGS = readdirSync(join(ROOT, "configs")).filter(isScenarioFile).sort();

// strictRequired is off because the per-kind rules require `cluster` and sections inside if/then,
// where the property is defined at the top level, not beside the `required` list.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
const validate = ajv.compile(configJsonSchema());

/** The schema's complaints about a document ("" when it is valid), for readable failures. */
function schemaErrors(doc: unknown): string {
  return validate(doc) ? "" : ajv.errorsText(validate.errors, { separator: "\n" });
}

/** Whether the loader accepts `doc` as the text of the config `file` (relative paths resolve beside it). */
function loaderAccepts(file: string, doc: unknown): boolean {
  try {
    loadScenario(join(ROOT, file), { text: stringify(doc) });
    return true;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
}

function config(file: string): Record<string, unknown> {
  return parse(readFileSync(join(ROOT, "configs", file), "utf8")) as Record<string, unknown>;
}

describe("configs/schema.json", () => {
  it("is the committed output of configJsonSchema() (run `npm run schema` after changing a schema)", () => {
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    expect(committed === configJsonSchemaText(), "configs/schema.json is stale: run `npm run schema` and commit the result").toBe(true);
  });

  it("is a draft 2020-12 schema with a title and no $id", () => {
    const s = configJsonSchema();
    expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(typeof s.title).toBe("string");
    expect(JSON.stringify(s)).not.toContain('"$id"');
  });
});

describe("every shipped scenario config validates against the schema", () => {
  it.each(CONFIGS)("configs/%s", (file) => {
    expect(schemaErrors(config(file))).toBe("");
  });
});

describe("documents the loader rejects are rejected by the schema where it can see why", () => {
  const base = config("hccs-allreduce.yaml");
  const decode = config("cloudmatrix-dsr1-decode.yaml");
  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown top-level key", { ...base, clustr: "atlas-800t-a2" }, "hccs-allreduce.yaml"],
    ["an unknown workload.kind", { ...base, workload: { kind: "collective-bnch" } }, "hccs-allreduce.yaml"],
    ["a misspelled key inside a workload", { ...decode, workload: { kind: "inference-bench", batch_per_np: 3 } }, "cloudmatrix-dsr1-decode.yaml"],
    ["a cluster preset that does not exist", { ...base, cluster: "atlas-900" }, "hccs-allreduce.yaml"],
    ["a preset of one type with a parameter of another", { ...base, cluster: { preset: "atlas-800t-a2", nodes: 4 } }, "hccs-allreduce.yaml"],
    ["{preset: …} naming no preset", { ...base, cluster: { preset: "atlas-900" } }, "hccs-allreduce.yaml"],
    ["a cluster type that does not exist", { ...base, cluster: { type: "torus" } }, "hccs-allreduce.yaml"],
    ["a bare number for a duration", { ...base, network: { collective_step_overhead: 0 } }, "hccs-allreduce.yaml"],
    ["an unknown unit", { ...base, network: { collective_step_overhead: "2 parsecs" } }, "hccs-allreduce.yaml"],
    ["a model preset that does not exist", { ...decode, model: "deepseek-r9" }, "cloudmatrix-dsr1-decode.yaml"],
    ["{preset: …} naming no model", { ...decode, model: { preset: "deepseek-r9" } }, "cloudmatrix-dsr1-decode.yaml"],
    ["a section another workload kind reads", { ...base, model: "deepseek-r1" }, "hccs-allreduce.yaml"],
    ["a missing section without a default", Object.fromEntries(Object.entries(decode).filter(([k]) => k !== "model")), "cloudmatrix-dsr1-decode.yaml"],
    ["a missing cluster for a kind that needs one", Object.fromEntries(Object.entries(base).filter(([k]) => k !== "cluster")), "hccs-allreduce.yaml"],
    ["a missing workload", Object.fromEntries(Object.entries(base).filter(([k]) => k !== "workload")), "hccs-allreduce.yaml"],
  ])("%s", (_what, doc, file) => {
    expect(loaderAccepts(`configs/${file}`, doc)).toBe(false);
    expect(schemaErrors(doc)).not.toBe("");
  });
});

describe("documents the loader accepts are accepted by the schema (it is never stricter)", () => {
  const base = config("hccs-allreduce.yaml");
  const decode = config("cloudmatrix-dsr1-decode.yaml");
  const opBench = config("op-bench-dsr1-decode-910c.yaml");
  it.each<[string, Record<string, unknown>, string]>([
    ["a preset with overrides and its own type", { ...base, cluster: { preset: "atlas-800t-a2", type: "server", npus: 8, hccs_latency: "1 us" } }, "hccs-allreduce.yaml"],
    ["a whole cluster written by type", { ...base, cluster: { type: "server", chip: "910B3", npus: 8 } }, "hccs-allreduce.yaml"],
    ["quantities with spaces, signs and exponents", { ...base, network: { collective_step_overhead: " +0.5e1 us " } }, "hccs-allreduce.yaml"],
    ["a zero duration", { ...base, network: { collective_step_overhead: "0us" } }, "hccs-allreduce.yaml"],
    ["a model preset with overrides", { ...decode, model: { preset: "deepseek-r1", layers: 4, moe: { top_k: 4 } } }, "cloudmatrix-dsr1-decode.yaml"],
    ["a section with a default left out", Object.fromEntries(Object.entries(decode).filter(([k]) => k !== "precision")), "cloudmatrix-dsr1-decode.yaml"],
    ["no cluster for a kind that runs without one", Object.fromEntries(Object.entries(opBench).filter(([k]) => k !== "cluster")), "op-bench-dsr1-decode-910c.yaml"],
    ["a cluster for a kind that runs without one", { ...opBench, cluster: "atlas-800t-a2" }, "op-bench-dsr1-decode-910c.yaml"],
  ])("%s", (_what, doc, file) => {
    expect(loaderAccepts(`configs/${file}`, doc)).toBe(true);
    expect(schemaErrors(doc)).toBe("");
  });

  // Mutations built from the configs' own values (and a few edge values), so many mutants still load:
  // whenever the loader accepts one, the schema must too.
  const leafValues = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(collect);
    else leafValues.add(JSON.stringify(v));
  };
  CONFIGS.forEach((f) => collect(config(f)));
  const EXTRA = [null, 0, 1, 2, 8, "0us", "1 GB/s", "1.5e3 ns", "64GiB", "ring", "w8a8", "bf16", "deepseek-r1", "cloudmatrix384", "flow", true, false, {}, []];
  const pool = [...[...leafValues].sort().map((s) => JSON.parse(s) as unknown), ...EXTRA];

  type Path = (string | number)[];
  const pathsOf = (v: unknown, prefix: Path = [], out: Path[] = []): Path[] => {
    out.push(prefix);
    if (Array.isArray(v)) v.forEach((c, i) => pathsOf(c, [...prefix, i], out));
    else if (v !== null && typeof v === "object") for (const [k, c] of Object.entries(v)) pathsOf(c, [...prefix, k], out);
    return out;
  };
  const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom("delete", "replace"), value: fc.constantFrom(...pool) });

  it("random mutations of every shipped config", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...CONFIGS), fc.array(mutation, { minLength: 1, maxLength: 2 }), (file, mutations) => {
        const doc = structuredClone(config(file)) as Record<string | number, unknown>;
        for (const m of mutations) {
          const paths = pathsOf(doc).filter((p) => p.length > 0);
          const path = paths[m.at % paths.length]!;
          let parent = doc;
          for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
          const last = path[path.length - 1]!;
          if (m.op === "replace") parent[last] = structuredClone(m.value);
          else if (Array.isArray(parent)) parent.splice(last as number, 1);
          else delete parent[last];
        }
        if (!loaderAccepts(`configs/${file}`, doc)) return;
        accepted++;
        expect(schemaErrors(doc), `${file} mutated to ${JSON.stringify(doc)}`).toBe("");
      }),
      { seed: 7, numRuns: 300 },
    );
    // a test that cannot fail is no test: enough mutants must load for the property to mean something
    expect(accepted).toBeGreaterThan(50);
  });
});

describe("quantity fields: the pattern accepts exactly the spellings parseQuantity parses", () => {
  const KINDS: [QuantityKind, z.ZodType][] = [
    ["bytes", bytes()],
    ["bandwidth", bandwidth()],
    ["time", duration()],
    ["flops", flops()],
    ["frequency", frequency()],
  ];
  const NUMBERS = ["0", "1", "64", "1.", "1.5", ".5", "-1", "+2", "1e3", "1E-3", "1.5e+2", "e3", "1..2", "0x10", "1,5", "", "1e400"];
  const UNITS = [
    "B", "b", "KB", "kB", "KiB", "kiB", "Kib", "MB", "Mb", "MiB", "GB", "GiB", "Gb", "TB", "TiB", "PB", "PiB", "EB", "iB",
    "B/s", "Bps", "GB/s", "Gb/s", "Gbps", "GiB/s", "GBps", "kb/s", "GB/sec",
    "ns", "us", "µs", "ms", "s", "min", "h", "sec", "m", "NS",
    "FLOPS", "TFLOPS", "TOPS", "TFLOP/s", "TOP/s", "PFLOPS", "kFLOPS", "EFLOPS", "tflops",
    "Hz", "kHz", "KHz", "MHz", "GHz", "THz", "ghz", "",
  ];
  it.each(KINDS)("%s", (kind, schema) => {
    const js = z.toJSONSchema(schema, { io: "input" }) as { type?: string; pattern?: string; description?: string };
    expect(js.type).toBe("string");
    expect(js.description).toMatch(/with its unit, e\.g\. "/);
    const pattern = new RegExp(js.pattern!, "u");
    const disagreements: string[] = [];
    for (const n of NUMBERS) {
      for (const sep of ["", " "]) {
        for (const u of UNITS) {
          const text = `${n}${sep}${u}`;
          const r = parseQuantity(kind, text);
          // the pattern cannot see that 1e400 overflows: the loader alone rejects non-finite values
          const parses = r.ok || /not finite/.test(r.message);
          if (pattern.test(text) !== parses) disagreements.push(`${JSON.stringify(text)}: parser ${parses}, pattern ${!parses}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});
