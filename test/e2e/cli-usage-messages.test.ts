/**
 * End to end, the command line's own messages (a UX audit's findings): a misuse says what was expected,
 * what was found and the valid values, in this CLI's words rather than yargs' or the OS's error codes,
 * and points at the help of the command at hand; progress is drawn on a terminal from the moment the work
 * starts and never reaches stdout. Spawns bin/ascend-sim.js (the compiled dist/).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli, type Ran } from "../helpers/cli.js";

const CONFIG = "configs/hccs-allreduce.yaml";
const SMALL = ["--set", "workload.sizes.to=4KiB"];
const ROCE = ["configs/roce-allreduce-4servers.yaml", "--space", "configs/search-roce-allreduce-layout.yaml"];

const cli = (...args: string[]): Ran => runCli(args);

let dir: string;
const f = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ascend-sim-usage-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A usage error: exit 2, nothing on stdout, the message, no stack trace, and the help of `command` as the last line. */
function expectUsageError(r: Ran, message: RegExp, command: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.endsWith(`run "ascend-sim ${command === "" ? "" : `${command} `}--help" for usage\n`), r.stderr).toBe(true);
}

/** An input error: exit 2, nothing on stdout, the message, no stack trace. */
function expectInputError(r: Ran, message: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe("unknown names get the closest valid one and the list of valid ones", () => {
  it("an unknown option: did you mean, and the command's options", () => {
    const r = cli("run", CONFIG, "--tracee", f("t.jsonl"));
    expectUsageError(r, /^error: unknown option --tracee \(did you mean --trace\?\); run options: .*--trace, --chrome-trace/, "run");
  });

  it.each([
    ["--chrome-trce", "--chrome-trace"],
    ["--no-jsn", "--no-json"],
  ])("a mistyped dashed or negated option (%s) is named as typed, with its closest option", (typo, hint) => {
    const r = cli("run", CONFIG, typo, ...(typo === "--no-jsn" ? [] : [f("t.json")]));
    expectUsageError(r, new RegExp(`^error: unknown option ${typo} \\(did you mean ${hint}\\?\\); run options: `), "run");
  });

  it("an unknown list: did you mean, and the lists there are", () => {
    expectUsageError(cli("list", "chip"), /^error: unknown list "chip" \(did you mean "chips"\?\); valid: chips, clusters, models, workloads, networks, algorithms\n/, "list");
  });

  it("an unknown command: did you mean, and the commands", () => {
    const r = cli("rn", CONFIG);
    expectUsageError(r, /^error: unknown command "rn" \(did you mean "run"\?\); commands: run, explain, list, validate, sweep, search, diff, schema\n/, "");
  });
});

describe("a missing argument names what is missing and shows the usage line", () => {
  it.each([
    [["sweep"], "sweep", /^error: sweep needs a config file \(a scenario YAML, e\.g\. configs\/hccs-allreduce\.yaml\); got none\nusage: ascend-sim sweep <config> --grid /],
    [["run"], "run", /^error: run needs a config file .*; got none\nusage: ascend-sim run <config> /],
    [["sweep", "merge"], "sweep merge", /^error: sweep merge needs the shard files to join .*; got none\nusage: ascend-sim sweep merge <shard\.jsonl…>/],
    [["diff", "a.json"], "diff", /^error: diff needs two files to compare .*; got 1\nusage: ascend-sim diff /],
    [["search", CONFIG], "search", /^error: search needs --space and --objective\nusage: ascend-sim search <config> --space FILE --objective METRIC/],
  ])("%j", (args, command, message) => {
    expectUsageError(cli(...args), message, command);
  });

  it("an option without its value says so", () => {
    expectUsageError(cli("run", CONFIG, "--trace"), /^error: --trace expects a value\n/, "run");
  });
});

describe("every usage error points at the help of its own command", () => {
  it.each([
    [["run", CONFIG, "--seed", "x"], "run"],
    [["sweep", CONFIG, "--out", "x.txt"], "sweep"],
    [["validate", "--only", "T9"], "validate"],
    [["diff", "a.json", "b.json", "--threshold", "2%", "--context", "3", "--json", "--json"], "diff"],
  ])("%j", (args, command) => {
    expectUsageError(cli(...args), /^error: /, command);
  });
});

describe("integer options quote the value as typed", () => {
  it.each([
    [["sweep", CONFIG, "--jobs", "abc"], "sweep", /^error: --jobs expects a positive integer, got "abc"\n/],
    [["sweep", CONFIG, "--seeds", "abc"], "sweep", /^error: --seeds expects a positive integer, got "abc"\n/],
    [["sweep", CONFIG, "--seeds", "2.5"], "sweep", /^error: --seeds expects a positive integer, got "2\.5"\n/],
    [["validate", "--jobs", "abc"], "validate", /^error: --jobs expects a positive integer, got "abc"\n/],
    [["search", ...ROCE, "--objective", "ranks", "--top", "ten"], "search", /^error: --top expects a positive integer, got "ten"\n/],
  ])("%j", (args, command, message) => {
    expectUsageError(cli(...args), message, command);
  });
});

describe("a repeated flag is a usage error like any repeated option", () => {
  it.each([
    [["run", CONFIG, ...SMALL, "--json", "--json"], "run", "--json"],
    [["run", CONFIG, ...SMALL, "--stats", "--stats"], "run", "--stats"],
    [["run", CONFIG, ...SMALL, "--stats", "--no-stats"], "run", "--stats"],
    [["validate", "--only", "T1.dispatch.ep8", "--json", "--json"], "validate", "--json"],
  ])("%j", (args, command, flag) => {
    expectUsageError(cli(...args), new RegExp(`^error: ${flag} given more than once`), command);
  });
});

describe("files: what is wrong in words, and which file", () => {
  it("an output in a folder that does not exist names the folder", () => {
    expectInputError(cli("run", CONFIG, ...SMALL, "--trace", "/nonexist/dir/t.jsonl"), /^error: cannot write the trace file \/nonexist\/dir\/t\.jsonl: no such folder: \/nonexist\/dir\n$/);
  });

  it("diff of a file that does not exist: no such file or folder", () => {
    expectInputError(cli("diff", f("nothere.json"), f("a.json")), /^error: .*nothere\.json: cannot read the file: no such file or folder\n$/);
  });

  it("search --space of a file that does not exist names the space file, not the config", () => {
    const r = cli("search", CONFIG, "--space", f("nope.yaml"), "--objective", "ranks");
    expectInputError(r, /nope\.yaml: cannot read the search-space file \(--space\): no such file or folder/);
    expect(r.stderr).not.toMatch(/config file/);
  });

  it("a --grid axis whose key does not exist is named as the --grid the user typed", () => {
    const r = cli("sweep", CONFIG, ...SMALL, "--grid", "workload.rank=2,4", "--jobs", "1");
    expectInputError(r, /^error: --grid workload\.rank=2,4 workload\.rank: unknown key "rank" \(did you mean "ranks"\?\)/);
    expect(r.stderr).not.toMatch(/--set workload\.rank/);
  });

  it("also when the axis indexes a list as a[0].b", () => {
    const r = cli("sweep", "configs/pd-serve-roce.yaml", "--grid", "workload.instances[0].cont=1,2", "--jobs", "1");
    expectInputError(r, /^error: --grid workload\.instances\[0\]\.cont=1,2 workload\.instances\.0\.cont: unknown key "cont" \(did you mean "count"\?\)/);
    expect(r.stderr).not.toMatch(/--set workload/);
  });

  it("sweep merge of the same file twice says so", () => {
    const s = cli("sweep", CONFIG, ...SMALL, "--grid", "workload.ranks=2,4", "--jobs", "1", "--out", f("m.jsonl"));
    expect(s.status, s.stderr).toBe(0);
    expectUsageError(cli("sweep", "merge", f("m.jsonl"), f("m.jsonl")), /^error: .*m\.jsonl is given twice \(files 1 and 2\): give each shard file once\n/, "sweep merge");
  });
});

describe("output that says only what there is to say", () => {
  it("diff of equal --json outputs prints only the summary line", () => {
    const r = cli("run", CONFIG, ...SMALL, "--json");
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(f("a.json"), r.stdout);
    const same = cli("diff", f("a.json"), f("a.json"));
    expect(same).toEqual({ status: 0, stdout: "29 metrics, 0 differ\n", stderr: "" });
  });

  it("validate of one target says 1 target", () => {
    const r = cli("validate", "--only", "T1.dispatch.ep8", "--jobs", "1");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ascend-sim validate · 1 target\n/);
  });
});

describe("search refuses a bad objective or constraint early", () => {
  it("a malformed constraint is refused before anything runs, with the corrected form", () => {
    const r = cli("search", ...ROCE, "--objective", "ranks", "--constraint", "results[algorithm=auto][size_bytes=1048576].time_us=<200", "--jobs", "1", "--out", f("never.csv"));
    expectInputError(r, /^error: --constraint expects metric<op>number .*got "results\[algorithm=auto\]\[size_bytes=1048576\]\.time_us=<200" — did you mean 'results\[algorithm=auto\]\[size_bytes=1048576\]\.time_us<=200'\?\n$/);
    expect(existsSync(f("never.csv"))).toBe(false);
  });

  it("the constraint syntax message's example is a metric a serving run has", () => {
    const r = cli("search", ...ROCE, "--objective", "ranks", "--constraint", "x=5");
    const example = /\(e\.g\. '([^']+)<=(\d+)'/.exec(r.stderr)?.[1];
    expect(example, r.stderr).toBeDefined();
    const serving = cli("run", "configs/pd-serve-roce.yaml", "--json");
    expect(serving.status, serving.stderr).toBe(0);
    const [head, tail] = example!.split(".") as [string, string];
    expect(typeof (JSON.parse(serving.stdout) as { metrics: Record<string, Record<string, unknown>> }).metrics[head]?.[tail]).toBe("number");
  });

  it("an objective that is no metric stops the search at the first point's output", () => {
    const r = cli("search", ...ROCE, "--objective", "mfu_typo", "--jobs", "1");
    expectInputError(r, /^error: metric "mfu_typo" is not a number in the first point's output \(numeric metrics: /);
  });
});

/** Whether `script` (util-linux) can give a command a terminal. */
const HAS_SCRIPT = spawnSync("script", ["-qec", "true", "/dev/null"]).status === 0;

/** Runs the CLI with stderr on a terminal and stdout into `out`; returns what the terminal showed. */
function onTerminal(args: readonly string[], out: string): { status: number | null; terminal: string } {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(" ") + ` > ${quote(out)}`;
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, terminal: r.stdout };
}

/** The lines a terminal showed, one per redraw (`\r`), escape codes removed. */
function redraws(terminal: string): string[] {
  return terminal
    .replace(/\x1b\[K/g, "")
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

describe.skipIf(!HAS_SCRIPT)("progress on a terminal", () => {
  it("validate shows the scenario runs done, and stdout stays byte-identical", () => {
    const args = ["validate", "--only", "T1.dispatch", "--jobs", "1", "--json"];
    const r = onTerminal(args, f("validate.json"));
    expect(r.status).toBe(0);
    const lines = redraws(r.terminal);
    expect(lines).toContainEqual(expect.stringMatching(/ 0\/1 scenario runs \(2 targets\) · [\d.]+ s · eta \?$/));
    expect(lines).toContainEqual(expect.stringMatching(/100% 1\/1 scenario runs \(2 targets\)/));
    expect(readFileSync(f("validate.json"), "utf8")).toBe(cli(...args).stdout);
  });

  it("sweep draws its bar when the runs start (0 done), its clock running from the start of the command", () => {
    const args = ["sweep", CONFIG, ...SMALL, "--grid", "workload.ranks=2,4", "--jobs", "1"];
    const r = onTerminal(args, f("sweep.csv"));
    expect(r.status).toBe(0);
    const lines = redraws(r.terminal);
    expect(lines[0]).toMatch(/^planning the sweep…/);
    expect(lines).toContainEqual(expect.stringMatching(/ 0% 0\/2 runs · [\d.]+ s · eta \?$/));
    expect(readFileSync(f("sweep.csv"), "utf8")).toBe(cli(...args).stdout);
  });

  it("run shows a line at once, before the workload's first count", () => {
    const r = onTerminal(["run", CONFIG, ...SMALL, "--json"], f("run.json"));
    expect(r.status).toBe(0);
    expect(redraws(r.terminal)[0]).toBe("preparing the collective-bench run…");
    expect(readFileSync(f("run.json"), "utf8")).toBe(cli("run", CONFIG, ...SMALL, "--json").stdout);
  });
});
