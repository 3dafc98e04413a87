/**
 * End to end: spawn `bin/ascend-sim.js` (built into dist/ by `npm test` before vitest runs) from the
 * repository root and check stdout, stderr and the exit code. Spawns are shared between tests where
 * one output answers several questions (each spawn costs ~0.3 s).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli, type Ran } from "../helpers/cli.js";

const CONFIG = "configs/hccs-allreduce.yaml";
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const cli = (...args: string[]): Ran => runCli(args);

/** Parses stdout as exactly one JSON object (fails if anything else is printed around it). */
function json(r: Ran): Record<string, unknown> {
  expect(r.status, r.stderr).toBe(0);
  const v = JSON.parse(r.stdout) as unknown;
  expect(typeof v === "object" && v !== null && !Array.isArray(v)).toBe(true);
  return v as Record<string, unknown>;
}

interface ResultRow {
  op: string;
  algorithm: string;
  size_bytes: number;
  time_ns: number;
  busbw_gb_per_s: number;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ascend-sim-e2e-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("ascend-sim run", () => {
  it("prints the bandwidth table: a size column and a busbw (GB/s) column per algorithm, exit 0", () => {
    const r = cli("run", CONFIG);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ascend-sim · hccs-allreduce · workload collective-bench · cluster atlas-800t-a2 · seed 1\n/);
    const headers = r.stdout.split("\n").filter((l) => /busbw \(GB\/s\)/.test(l));
    expect(headers).toHaveLength(2); // ring and mesh
    for (const h of headers) expect(h).toMatch(/^│ size\s+│ algorithm\s+│ time \(µs\)\s+│ algbw \(GB\/s\)\s+│ busbw \(GB\/s\)\s+│$/);
    expect(r.stdout).toContain("all_reduce · ring · 8 ranks");
    expect(r.stdout).toContain("all_reduce · mesh · 8 ranks");
    // 1 KiB … 1 GiB by factor 4: 11 rows per table
    expect(r.stdout.match(/^│ 1KiB\s+│/gm)).toHaveLength(2);
    expect(r.stdout.match(/^│ 1GiB\s+│/gm)).toHaveLength(2);
  });

  describe("--json and --trace", () => {
    let first: Ran;
    let second: Ran;
    let traceA: string;
    let traceB: string;
    beforeAll(() => {
      const a = join(dir, "a.jsonl");
      const b = join(dir, "b.jsonl");
      first = cli("run", CONFIG, "--json", "--trace", a);
      second = cli("run", CONFIG, "--json", "--trace", b);
      traceA = readFileSync(a, "utf8");
      traceB = readFileSync(b, "utf8");
    });

    it("prints one JSON object with tool, version, seed, config and metrics.results — nothing else on stdout or stderr", () => {
      const out = json(first);
      expect(first.stderr).toBe("");
      expect(first.stdout.endsWith("}\n")).toBe(true);
      expect(out.tool).toBe("ascend-sim");
      expect(out.version).toBe(PACKAGE_VERSION);
      expect(out.seed).toBe(1);
      const config = out.config as Record<string, unknown>;
      expect(config.name).toBe("hccs-allreduce");
      expect((config.cluster as Record<string, unknown>).preset).toBe("atlas-800t-a2");
      const metrics = out.metrics as { ranks: number; results: ResultRow[] };
      expect(metrics.ranks).toBe(8);
      expect(metrics.results).toHaveLength(22);
      for (const row of metrics.results) {
        expect(row.op).toBe("all_reduce");
        expect(["ring", "mesh"]).toContain(row.algorithm);
        expect(row.time_ns).toBeGreaterThan(0);
        expect(row.busbw_gb_per_s).toBeGreaterThan(0);
      }
      expect(metrics.results.map((r) => r.size_bytes).slice(0, 11)).toEqual([...Array(11).keys()].map((i) => 1024 * 4 ** i));
    });

    it("two runs of the same config are byte-identical, stdout and trace file", () => {
      expect(second.stdout).toBe(first.stdout);
      expect(traceB).toBe(traceA);
    });

    it("the trace is JSONL: one JSON object per line, newline-terminated", () => {
      expect(traceA.length).toBeGreaterThan(0);
      expect(traceA.endsWith("\n")).toBe(true);
      const lines = traceA.slice(0, -1).split("\n");
      for (const l of lines) expect(typeof JSON.parse(l)).toBe("object");
    });
  });

  it("--seed 7 sets the seed of the run and of the resolved config", () => {
    const out = json(cli("run", CONFIG, "--json", "--seed", "7"));
    expect(out.seed).toBe(7);
    expect((out.config as Record<string, unknown>).seed).toBe(7);
  });

  it("--set workload.ranks=4 changes the group size in the metrics", () => {
    const out = json(cli("run", CONFIG, "--json", "--set", "workload.ranks=4"));
    expect((out.metrics as { ranks: number }).ranks).toBe(4);
    expect(((out.config as Record<string, unknown>).workload as Record<string, unknown>).ranks).toBe(4);
  });

  it("--stats prints events/s on stderr and leaves stdout as without it", () => {
    const plain = cli("run", CONFIG, "--set", "workload.sizes.to=64KiB");
    const stats = cli("run", CONFIG, "--set", "workload.sizes.to=64KiB", "--stats");
    expect(stats.status).toBe(0);
    expect(stats.stdout).toBe(plain.stdout);
    expect(stats.stderr).toMatch(/^stats: \d+ events, [\d.]+ s engine clock at the last event, [\d.]+ ms wall, \d+ events\/s\n$/);
  });
});

describe("ascend-sim explain", () => {
  it("prints the resolved config with units normalised to internal units", () => {
    const r = cli("explain", CONFIG);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("hccs_link_bandwidth: 56000000000 B/s");
    expect(r.stdout).toContain("hccs_latency: 1000 ns");
    expect(r.stdout).toContain("collective_step_overhead: 2000 ns");
    expect(r.stdout).toMatch(/^ {4}from: 1024 B$/m);
    expect(r.stdout).toMatch(/^ {4}to: 1073741824 B$/m);
    expect(r.stdout).toContain("preset: atlas-800t-a2");
  });
});

describe("ascend-sim list", () => {
  it("list clusters shows the atlas-800t-a2 preset", () => {
    const r = cli("list", "clusters");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^│ atlas-800t-a2 +│ /m);
  });
});

describe("ascend-sim schema", () => {
  it("prints the committed configs/schema.json byte for byte, exit 0", () => {
    expect(cli("schema")).toEqual({ status: 0, stdout: readFileSync(join(ROOT, "configs", "schema.json"), "utf8"), stderr: "" });
  });
});

describe("help, version and usage errors", () => {
  it("--help lists every command with its description", () => {
    const r = cli("--help");
    for (const command of ["run", "explain", "list", "validate", "sweep", "search", "diff", "schema"]) expect(r.stdout).toMatch(new RegExp(`^  ascend-sim ${command}\\b.* {2}\\S`, "m"));
    expect(r.stdout).toContain("print the JSON Schema");
  });

  it.each([
    [[], "ascend-sim run configs/hccs-allreduce.yaml"],
    [["run"], "ascend-sim run configs/hccs-allreduce.yaml"],
    [["explain"], "ascend-sim explain configs/hccs-allreduce.yaml"],
    [["list"], "ascend-sim list clusters"],
    [["schema"], "ascend-sim schema > configs/schema.json"],
  ])("%j --help exits 0 and shows examples", (command, example) => {
    const r = cli(...command, "--help");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain(example);
  });

  it("an unknown command exits 2 with an error on stderr and no stack trace", () => {
    const r = cli("frobnicate", CONFIG);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*frobnicate/);
    expect(r.stderr).not.toContain("    at ");
  });

  it("--version prints the package version", () => {
    expect(cli("--version")).toEqual({ status: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: "" });
  });
});

describe("validate --json of a gain target", () => {
  it("names both selectors: the simulated value is metric ÷ versus from the same run", () => {
    const r = cli("validate", "--only", "T4.kv-transfer", "--json", "--jobs", "1");
    expect(r.stderr).toBe("");
    const t = (json(r).targets as Record<string, unknown>[])[0]!;
    expect(t.metric).toBe("compare[name=base].kv_transfer_mean_ms");
    expect(t.versus).toBe("compare[name=pd-baseline].kv_transfer_mean_ms");
    expect(t.unit).toBe("ratio");
  });
});
