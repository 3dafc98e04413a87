/**
 * End to end, from a user's point of view: bad input and awkward environments (an output folder that
 * does not exist, a pipe closed early, another working directory) give one clear message and exit 2 —
 * never a stack trace, a misleading message or a half-written set of output files.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandModule } from "yargs";
import { explainCommand } from "../../src/cli/commands/explain.js";
import { runCommand } from "../../src/cli/commands/run.js";
import { searchCommand } from "../../src/cli/commands/search.js";
import { CLI, ROOT, runCli, type Ran } from "../helpers/cli.js";

const CONFIG = "configs/hccs-allreduce.yaml";
const SMALL = ["--set", "workload.sizes.to=4KiB"];

const cli = (...args: string[]): Ran => runCli(args);

/** The `.example(command, description)` commands a yargs command module declares in its builder. */
function helpExamples(command: CommandModule): string[] {
  const found: string[] = [];
  const stub: unknown = new Proxy(function () {}, {
    get: (_, prop) => (prop === "example" ? (cmd: string) => (found.push(cmd), stub) : () => stub),
  });
  (command.builder as (y: unknown) => unknown)(stub);
  return found;
}

/** Splits a command line like a POSIX shell does for plain words and single-quoted words. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

let dir: string;
const f = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ascend-sim-user-errors-"));
  // a config with a typo in a workload key (line 4, column 3)
  writeFileSync(f("typo.yaml"), "cluster: atlas-800t-a2\nworkload:\n  kind: collective-bench\n  rnaks: 4\n");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The input-error contract: exit 2, nothing on stdout, one `error:` line per problem, no stack trace. */
function expectInputError(r: Ran, message: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe("options and output paths", () => {
  it("an option given twice is a usage error naming it (it would reach the command as a list)", () => {
    for (const flag of ["--trace", "--chrome-trace", "--seed"]) {
      const r = cli("run", CONFIG, ...SMALL, flag, flag === "--seed" ? "1" : f("a.out"), flag, flag === "--seed" ? "2" : f("b.out"));
      expectInputError(r, new RegExp(`^error: ${flag} given more than once`));
    }
    expect(existsSync(f("a.out")) || existsSync(f("b.out"))).toBe(false);
  });

  it("arguments after -- are not taken for a repeated option", () => {
    expect(cli("run", CONFIG, ...SMALL, "--json", "--", "x").status).toBe(0);
  });

  it("an output path that is a pipe or device is refused; a symbolic link is written through", () => {
    const fifo = f("fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expectInputError(cli("run", CONFIG, ...SMALL, "--trace", fifo), /is not a regular file/);
    expect(statSync(fifo).isFIFO()).toBe(true);
    const link = f("link.jsonl");
    symlinkSync("linked-target.jsonl", link);
    expect(cli("run", CONFIG, ...SMALL, "--trace", link).status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(f("linked-target.jsonl"), "utf8")).toContain('"kind"');
    // a chain of links to a file that does not exist yet: the last target is created, every link stays
    symlinkSync("chain-2", f("chain-1"));
    symlinkSync("chain-target.jsonl", f("chain-2"));
    expect(cli("run", CONFIG, ...SMALL, "--trace", f("chain-1")).status).toBe(0);
    expect(lstatSync(f("chain-2")).isSymbolicLink()).toBe(true);
    expect(existsSync(f("chain-target.jsonl"))).toBe(true);
  });

  it("a loop of symbolic links is refused before running, and the links stay (the rename used to replace one with a file)", () => {
    symlinkSync("loop-2", f("loop-1"));
    symlinkSync("loop-1", f("loop-2"));
    expectInputError(cli("run", CONFIG, ...SMALL, "--trace", f("loop-1")), /^error: cannot write the trace file .*loop-1: too many levels of symbolic links \(a loop\?\)\n$/);
    expect(lstatSync(f("loop-1")).isSymbolicLink()).toBe(true);
  });

  it("a dangling link is checked as the file it names: the same file as another output, or in a missing folder, is refused before running", () => {
    symlinkSync("same-target.json", f("dangling"));
    expectInputError(cli("run", CONFIG, ...SMALL, "--trace", f("dangling"), "--chrome-trace", f("same-target.json")), /are the same file/);
    symlinkSync(join("no-such-folder", "t.jsonl"), f("dangling-dir"));
    expectInputError(cli("run", CONFIG, ...SMALL, "--trace", f("dangling-dir")), /cannot write the trace file .*dangling-dir: no such folder: .*no-such-folder\n/);
    expect(existsSync(f("same-target.json"))).toBe(false);
  });
});

describe("output files are all or nothing", () => {
  it("run: when one output cannot be written, none of the requested files is left behind", () => {
    const out = mkdtempSync(join(dir, "run-out-"));
    const r = cli("run", CONFIG, ...SMALL, "--trace", join(out, "t.jsonl"), "--report", join(out, "missing", "r.html"));
    expectInputError(r, /^error: cannot write the report file .*missing.r\.html: no such folder: .*missing\n$/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("run: two outputs on the same path are refused before running", () => {
    const r = cli("run", CONFIG, ...SMALL, "--trace", f("same.out"), "--chrome-trace", f("same.out"));
    expectInputError(r, /same file/);
    expect(existsSync(f("same.out"))).toBe(false);
  });

  it("sweep: --report is not written when --out cannot be", () => {
    const out = mkdtempSync(join(dir, "sweep-out-"));
    const r = cli("sweep", CONFIG, ...SMALL, "--grid", "workload.ranks=2,4", "--jobs", "1", "--report", join(out, "s.html"), "--out", join(out, "missing", "s.csv"));
    expectInputError(r, /^error: cannot write the output file .*missing.s\.csv: no such folder: .*missing\n$/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("an output on the input config (or a link to it) is refused before running, and the config is left intact", () => {
    const cfg = f("input.yaml");
    const text = readFileSync(join(ROOT, CONFIG), "utf8");
    writeFileSync(cfg, text);
    symlinkSync(cfg, f("input-link.yaml"));
    for (const out of [cfg, f("input-link.yaml")]) {
      const r = cli("run", cfg, ...SMALL, "--trace", out);
      expectInputError(r, /the trace file .* is the input .*input\.yaml: expected a new file name/);
      expect(readFileSync(cfg, "utf8")).toBe(text);
    }
    const s = cli("sweep", cfg, "--grid", "workload.ranks=2,4", ...SMALL, "--report", cfg);
    expect(s.status, s.stderr).toBe(2);
    expect(s.stderr).toMatch(/the report file .* is the input/);
    expect(readFileSync(cfg, "utf8")).toBe(text);
  });

  it("run --requests on a workload without per-request records is an input error, not an empty file", () => {
    const r = cli("run", CONFIG, ...SMALL, "--requests", f("req.jsonl"));
    expectInputError(r, /--requests .*serving.*the collective-bench workload has no request records/);
    expect(existsSync(f("req.jsonl"))).toBe(false);
  });
});

describe("--set on a list", () => {
  it("an index past the end names the flag and the length of the list, not positions in the file", () => {
    const r = cli("run", CONFIG, "--set", "workload.algorithms.5=ring");
    expectInputError(r, /^error: --set workload\.algorithms\.5=ring workload\.algorithms\.5: .*index 5.*2 items/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("the index just past the end appends", () => {
    const r = cli("explain", CONFIG, "--set", "workload.algorithms.2=hd", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { workload: { algorithms: string[] } }).workload.algorithms).toEqual(["ring", "mesh", "hd"]);
  });

  it("a key below a number says what is there instead", () => {
    expectInputError(cli("run", CONFIG, "--set", "workload.ranks.x=3"), /^error: --set workload\.ranks\.x=3 workload\.ranks\.x: .*workload\.ranks is 8.*not a mapping/);
  });
});

describe("sweep and search with a config that is wrong at every point", () => {
  it("sweep of an invalid config exits 2 with the config's own error and writes no results", () => {
    const r = cli("sweep", f("typo.yaml"), "--grid", "workload.ranks=2,4", "--jobs", "1", "--out", f("typo.csv"));
    expectInputError(r, /typo\.yaml:4:3 workload\.rnaks: unknown key "rnaks"/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(f("typo.csv"))).toBe(false);
  });

  it("sweep with a bad --set exits 2 naming the flag", () => {
    expectInputError(cli("sweep", CONFIG, "--set", "workload.ranks=abc", "--grid", "cluster.npus=4,8", "--jobs", "1"), /^error: --set workload\.ranks=abc workload\.ranks: expected a number/);
  });

  it("sweep over a grid key that does not exist exits 2 with the key's error and writes no results", () => {
    const r = cli("sweep", CONFIG, ...SMALL, "--grid", "workload.rnaks=2,4", "--jobs", "1", "--out", f("grid-typo.csv"));
    expectInputError(r, /workload\.rnaks: unknown key "rnaks" \(did you mean "ranks"\?\)/);
    expect(existsSync(f("grid-typo.csv"))).toBe(false);
  });

  it("a point that only fails with its own knob value still is a failed point (exit 1)", () => {
    const r = cli("sweep", CONFIG, ...SMALL, "--grid", "workload.ranks=2,16", "--jobs", "1");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^1,failed,/m);
  });

  it("search with an empty --objective exits 2 before pruning or running anything", () => {
    expectInputError(cli("search", CONFIG, "--space", "configs/search-roce-allreduce-layout.yaml", "--objective", " "), /^error: --objective expects a metric name .*got an empty string\n/);
  });

  it("search with a bad --set exits 2 instead of pruning every point", () => {
    const r = cli("search", "configs/roce-allreduce-4servers.yaml", "--space", "configs/search-roce-allreduce-layout.yaml", "--objective", "ranks", "--set", "workload.rnaks=3", "--jobs", "1");
    expectInputError(r, /^error: --set workload\.rnaks=3 workload\.rnaks: unknown key "rnaks"/);
  });
});

describe("sweep merge with failed points", () => {
  it("writes the merged results, names each failed point on stderr and exits 1 (it used to exit 1 without a word)", () => {
    for (const i of [0, 1]) expect(cli("sweep", CONFIG, ...SMALL, "--grid", "workload.ranks=2,16", "--jobs", "1", "--shard", `${i}/2`, "--out", f(`fail-${i}.jsonl`)).status).toBe(i);
    const r = cli("sweep", "merge", f("fail-0.jsonl"), f("fail-1.jsonl"), "--out", f("fail-merged.csv"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^sweep merge: 2 points from 2 shard files, 1 failed → .*fail-merged\.csv\npoint 1 failed: --set workload\.ranks=16 workload\.ranks: expected a group size of at most 8/);
    expect(readFileSync(f("fail-merged.csv"), "utf8")).toMatch(/^1,failed,/m);
  });
});

describe("diff of files of different kinds", () => {
  beforeAll(() => {
    const r = cli("run", CONFIG, ...SMALL, "--json", "--trace", f("a.jsonl"));
    expect(r.status).toBe(0);
    writeFileSync(f("a.json"), r.stdout);
  });

  it("a JSON file that is not a run --json output is named as such, not called a trace", () => {
    const r = cli("diff", join(ROOT, "configs", "schema.json"), f("a.json"));
    expectInputError(r, /schema\.json is not an `ascend-sim run --json` output or a `--trace` file/);
    expect(r.stderr).not.toMatch(/schema\.json is a trace/);
  });

  it("an empty JSON object is called that (the key list was empty)", () => {
    writeFileSync(f("empty.json"), "{}\n");
    expectInputError(cli("diff", f("empty.json"), f("a.json")), /empty\.json is not an `ascend-sim run --json` output or a `--trace` file: an empty JSON object \(no `metrics`\)/);
  });

  it("a sweep JSONL file is recognised and refused with a hint", () => {
    const s = cli("sweep", CONFIG, ...SMALL, "--grid", "workload.ranks=2,4", "--jobs", "1", "--out", f("s.jsonl"));
    expect(s.status, s.stderr).toBe(0);
    expectInputError(cli("diff", f("s.jsonl"), f("a.jsonl")), /s\.jsonl is not an `ascend-sim run --json` output or a `--trace` file: it is a sweep output/);
  });
});

describe("the loader does not pile up follow-on errors", () => {
  it("an invalid flows workload (which needs no cluster) is not also told that `cluster` is missing", () => {
    const r = cli("run", "configs/flows-simgrid-example.yaml", "--set", "workload.links=null");
    expectInputError(r, /workload\.links/);
    expect(r.stderr).not.toMatch(/missing key "cluster"/);
  });
});

describe("names that are only members of Object.prototype are unknown names, not crashes", () => {
  it.each([
    [CONFIG, "workload.kind=constructor", /workload\.kind: expected a workload kind, got "constructor"/],
    [CONFIG, "cluster=toString", /cluster: unknown cluster preset "toString"/],
    [CONFIG, "cluster.chip=toString", /cluster\.chip: unknown chip "toString"/],
    ["configs/cloudmatrix-dsr1-decode.yaml", "model=toString", /model: unknown model preset "toString"/],
  ])("%s --set %s exits 2 naming the unknown name", (config, set, message) => {
    expectInputError(cli("run", config, "--set", set), message);
  });
});

describe("values the schema type allows but the machine cannot hold", () => {
  it("a RoCE cluster of a billion servers is refused by its bound, not by an allocation failure", () => {
    const r = cli("run", "configs/roce-allreduce-4servers.yaml", "--set", "cluster.servers=1e9");
    expectInputError(r, /cluster\.servers/);
    expect(r.stderr).not.toMatch(/typed array/i);
  });

  it("a trace path that is a directory is named as a directory, not as a missing file", () => {
    const r = cli("run", "configs/mooncake-replay.yaml", "--set", `workload.arrivals.path=${dir}`);
    expectInputError(r, /workload\.arrivals\.path: expected a trace file .*found a directory/);
  });
});

describe("environment", () => {
  it("validate finds its scenarios from any working directory", () => {
    const r = runCli(["validate", "--only", "T1.dispatch.ep8", "--jobs", "1"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/T1\.dispatch\.ep8 .* pass/);
  });

  it("--trace /dev/stdout with stdout redirected to a file is refused, and the file keeps what the shell put there", () => {
    const out = f("redirected.txt");
    const sh = `echo kept > "${out}"; "${process.execPath}" "${CLI}" run ${CONFIG} --trace /dev/stdout >> "${out}" 2>&1; echo "$?"`;
    const r = spawnSync("bash", ["-c", sh], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout.trim()).toBe("2");
    expect(readFileSync(out, "utf8")).toBe("kept\nerror: cannot write the trace file /dev/stdout: it is a device or an open stream, not a file; expected a file path (the trace is written whole at the end of the run: write it to a file, then read that)\n");
  });

  it("stdout closed early (| head) ends the command quietly, without a stack trace", () => {
    const err = f("epipe.err");
    const sh = `"${process.execPath}" "${CLI}" schema 2>"${err}" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync("bash", ["-c", sh], { cwd: ROOT, encoding: "utf8" });
    expect(readFileSync(err, "utf8")).not.toMatch(/EPIPE|^\s+at /m);
    expect(r.stdout.trim()).toBe("0");
  });

  it.each([
    ["run", runCommand],
    ["explain", explainCommand],
    ["search", searchCommand],
  ] as const)("every `%s --help` example on a shipped config that writes no file runs with exit 0", (name, command) => {
    const examples = helpExamples(command as CommandModule);
    const runnable = examples.filter((e) => / configs\/\S+\.yaml/.test(e) && !/--(trace|chrome-trace|report|out|requests)\b/.test(e));
    expect(runnable.length, examples.join("\n")).toBeGreaterThan(0);
    for (const e of runnable) {
      const args = shellWords(e.replace(/^\$0 /, ""));
      expect(args[0]).toBe(name);
      const r = cli(...args, ...(name === "search" ? ["--jobs", "1"] : []));
      expect(r.status, `${e}\n${r.stderr}`).toBe(0);
    }
  });

  it("--help states what exit code 1 means", () => {
    expect(cli("--help").stdout).toMatch(/Exit codes: 0 ok, 1 a failed check \(validate, diff, a failed sweep point[^)]*\)\s+or\s+an\s+internal\s+error, 2 invalid input or usage/);
  });
});
