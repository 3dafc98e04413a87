/**
 * End to end for the tools around `run`: sweep (grid, zip, seeds, shards + merge, failures), search,
 * diff (traces and --json outputs) and run --chrome-trace / --report. Spawns bin/ascend-sim.js
 * (built into dist/ by `npm test`), so sweeps run on real piscina worker threads.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type Ran } from "../helpers/cli.js";

const CONFIG = "configs/hccs-allreduce.yaml";
const GRID = ["--grid", "workload.ranks=2,4,8", "--grid", "network.model=analytical,flow", "--zip", "workload.sizes.factor=4,16", "--zip", "workload.sizes.to=1MiB,16MiB"];

const cli = (...args: string[]): Ran => runCli(args);

/** RFC 4180 CSV: quoted cells may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"', i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (row.push(cell), (cell = ""));
    else if (ch === "\n") (row.push(cell), rows.push(row), (row = []), (cell = ""));
    else cell += ch;
  }
  return rows;
}

let dir: string;
const f = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ascend-sim-tools-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("ascend-sim sweep", () => {
  let csv: string[][];
  beforeAll(() => {
    const r = cli("sweep", CONFIG, ...GRID, "--jobs", "2", "--out", f("all.csv"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("sweep: 12 points, 0 failed → " + f("all.csv") + "\n");
    csv = parseCsv(readFileSync(f("all.csv"), "utf8"));
  });

  it("writes one row per point in input order: knobs, seeds, then the flattened metrics", () => {
    const [head, ...rows] = csv;
    expect(head!.slice(0, 9)).toEqual(["index", "status", "error", "workload.ranks", "network.model", "workload.sizes.factor", "workload.sizes.to", "seeds", "ranks"]);
    expect(rows.map((r) => r[0])).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]);
    expect(rows.map((r) => r.slice(3, 7).join(" ")).slice(0, 4)).toEqual(["2 analytical 4 1MiB", "2 analytical 16 16MiB", "2 flow 4 1MiB", "2 flow 16 16MiB"]);
    expect(rows.every((r) => r[1] === "ok" && r.length === head!.length)).toBe(true);
  });

  it("matches a plain run of the same point", () => {
    const [head, , , , , row4] = csv; // point 4: ranks 4, analytical, factor 4
    const j = JSON.parse(cli("run", CONFIG, "--set", "workload.ranks=4", "--set", "workload.sizes.factor=4", "--set", "workload.sizes.to=1MiB", "--json").stdout) as { metrics: { results: { algorithm: string; size_bytes: number; busbw_gb_per_s: number }[] } };
    const ring1m = j.metrics.results.find((x) => x.algorithm === "ring" && x.size_bytes === 1048576)!;
    const col = head!.indexOf("results[algorithm=ring][size_bytes=1048576].busbw_gb_per_s");
    expect(col).toBeGreaterThan(0);
    expect(Number(row4![col])).toBe(ring1m.busbw_gb_per_s);
    // a point with fewer sizes leaves the other points' size columns empty
    expect(row4![head!.indexOf("results[algorithm=ring][size_bytes=4194304].busbw_gb_per_s")]).toBe("");
  });

  it("shards + merge give the same bytes as one unsharded run (CSV and JSONL)", () => {
    expect(cli("sweep", CONFIG, ...GRID, "--jobs", "2", "--out", f("all.jsonl")).status).toBe(0);
    const first = JSON.parse(readFileSync(f("all.jsonl"), "utf8").split("\n")[0]!) as { point: unknown; point_text: unknown };
    expect(first.point).toEqual({ "workload.ranks": 2, "network.model": "analytical", "workload.sizes.factor": 4, "workload.sizes.to": "1MiB" });
    expect(first.point_text).toEqual({ "workload.ranks": "2", "network.model": "analytical", "workload.sizes.factor": "4", "workload.sizes.to": "1MiB" });
    for (const i of [0, 1, 2]) {
      const r = cli("sweep", CONFIG, ...GRID, "--jobs", "1", "--shard", `${i}/3`, "--out", f(`shard-${i}.jsonl`));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`(shard ${i}/3 of 12)`);
    }
    const shards = [2, 0, 1].map((i) => f(`shard-${i}.jsonl`));
    expect(cli("sweep", "merge", ...shards, "--out", f("merged.csv")).status).toBe(0);
    expect(cli("sweep", "merge", ...shards, "--out", f("merged.jsonl")).status).toBe(0);
    expect(readFileSync(f("merged.csv"), "utf8")).toBe(readFileSync(f("all.csv"), "utf8"));
    expect(readFileSync(f("merged.jsonl"), "utf8")).toBe(readFileSync(f("all.jsonl"), "utf8"));
    const missing = cli("sweep", "merge", shards[0]!, shards[1]!);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/points missing from the shards: 1, 4, 7, 10/);
    const other = cli("sweep", CONFIG, "--grid", "workload.ranks=2,4", "--shard", "0/1", "--out", f("other.jsonl"));
    expect(other.status).toBe(0);
    expect(cli("sweep", "merge", ...shards, f("other.jsonl")).stderr).toMatch(/belongs to another sweep/);
  });

  it("--seeds K reports the mean and a 95 % CI half-width per metric", () => {
    const r = cli("sweep", CONFIG, "--grid", "workload.ranks=2,4", "--seeds", "3", "--set", "workload.sizes.to=4KiB");
    expect(r.status, r.stderr).toBe(0);
    const [head, ...rows] = parseCsv(r.stdout);
    expect(rows.map((x) => x[head!.indexOf("seeds")])).toEqual(["1 2 3", "1 2 3"]);
    const t = head!.indexOf("results[algorithm=ring][size_bytes=1024].time_us");
    expect(head![t + 1]).toBe("results[algorithm=ring][size_bytes=1024].time_us.ci95");
    // the collective benchmark is deterministic: every seed gives the same time, so the CI is 0
    expect(rows.map((x) => x[t + 1])).toEqual(["0", "0"]);
  });

  it("records a failing point with its message, goes on, and exits 1", () => {
    const r = cli("sweep", CONFIG, "--grid", "workload.ranks=2,16,4", "--set", "workload.sizes.to=4KiB", "--jobs", "2", "--out", f("fail.csv"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/point 1 failed: --set workload.ranks=16 workload.ranks: expected a group size of at most 8/);
    const rows = parseCsv(readFileSync(f("fail.csv"), "utf8")).slice(1);
    expect(rows.map((x) => x[1])).toEqual(["ok", "failed", "ok"]);
    expect(rows[1]![2]).toMatch(/at most 8/);
  });

  it("bad arguments exit 2 naming the flag", () => {
    expect(cli("sweep", CONFIG, "--grid", "workload.ranks").stderr).toMatch(/--grid expects key.path=value1,value2/);
    expect(cli("sweep", CONFIG, "--zip", "a=1,2", "--zip", "b=1").status).toBe(2);
    expect(cli("sweep", CONFIG, "--shard", "3/3", "--out", f("x.jsonl")).stderr).toMatch(/--shard expects i\/n/);
    expect(cli("sweep", CONFIG, "--out", f("x.txt")).stderr).toMatch(/--out must end in .csv or .jsonl/);
    expect(cli("sweep", "nope.yaml").status).toBe(2);
  });
});

describe("ascend-sim search", () => {
  it("prints the ranked table with pruned and infeasible counts", () => {
    const r = cli("search", "configs/roce-allreduce-4servers.yaml", "--space", "configs/search-roce-allreduce-layout.yaml", "--objective", "results[algorithm=auto][size_bytes=1073741824].busbw_gb_per_s", "--constraint", "results[algorithm=auto][size_bytes=1048576].time_us<=200", "--top", "3", "--jobs", "2");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/32 points: 16 pruned by the config rules, 0 failed, \d+ infeasible, \d+ ranked/);
    expect(r.stdout).toMatch(/top 3/);
    expect(r.stdout.split("\n").filter((l) => /^│ [123] /.test(l))).toHaveLength(3);
  });

  it("--json gives the ranking as data; a missing metric is an input error", () => {
    const r = cli("search", "configs/roce-allreduce-4servers.yaml", "--space", "configs/search-roce-allreduce-layout.yaml", "--objective", "results[algorithm=ring][size_bytes=1024].time_us", "--minimize", "--json", "--jobs", "2");
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { direction: string; ranked: { objective: number; point: Record<string, unknown> }[]; counts: { ranked: number } };
    expect(j.direction).toBe("min");
    expect(j.ranked[0]!.objective).toBeLessThanOrEqual(j.ranked[1]!.objective);
    // knob values typed as --set types them: numbers are numbers, a bandwidth stays a string
    expect(Object.keys(j.ranked[0]!.point)).toEqual(["workload.ranks", "cluster.nic_bandwidth", "cluster.oversubscription", "cluster.servers", "cluster.npus_per_server"]);
    expect(j.ranked[0]!.point["workload.ranks"]).toBe(32);
    expect(typeof j.ranked[0]!.point["cluster.oversubscription"]).toBe("number");
    expect(j.ranked[0]!.point["cluster.nic_bandwidth"]).toMatch(/^[24]00Gb\/s$/);
    const bad = cli("search", "configs/roce-allreduce-4servers.yaml", "--space", "configs/search-roce-allreduce-layout.yaml", "--objective", "mfu", "--jobs", "2");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/metric "mfu" is not a number/);
  });
});

describe("ascend-sim diff", () => {
  beforeAll(() => {
    for (const [name, sets] of [["a", []], ["b", ["--set", "cluster.hccs_link_bandwidth=50GB/s"]]] as const) {
      const r = cli("run", CONFIG, ...sets, "--json", "--trace", f(`${name}.jsonl`));
      expect(r.status).toBe(0);
      writeFileSync(f(`${name}.json`), r.stdout);
    }
  });

  it("equal --json outputs: exit 0; different: metrics side by side, config first, exit 1", () => {
    const same = cli("diff", f("a.json"), f("a.json"));
    expect(same.status).toBe(0);
    expect(same.stdout).toBe("155 metrics, 0 differ\n");
    const d = cli("diff", f("a.json"), f("b.json"), "--threshold", "10%");
    expect(d.status).toBe(1);
    expect(d.stdout.indexOf("cluster.hccs_link_bandwidth")).toBeLessThan(d.stdout.indexOf("metrics"));
    expect(d.stdout).toMatch(/results\[algorithm=ring\]\[size_bytes=1073741824\]\.busbw_gb_per_s .* -10\.7\d %/);
    expect(d.stdout).not.toMatch(/size_bytes=1024\]/);
    expect(cli("diff", f("a.json"), f("b.json"), "--threshold", "20%").status).toBe(0);
  });

  it("traces: identical → exit 0; different → first divergent event and per-class deltas, exit 1", () => {
    expect(cli("diff", f("a.jsonl"), f("a.jsonl")).stdout).toBe("traces are identical: 22 events\n");
    const d = cli("diff", f("a.jsonl"), f("b.jsonl"));
    expect(d.status).toBe(1);
    expect(d.stdout).toMatch(/first divergence at event 1:\n {2}.*a\.jsonl: t=0 ns .*kind collective, where ranks0-7, what "all_reduce ring", dur 42032 ns/);
    expect(d.stdout).toMatch(/collective: all_reduce ring │ 11 +│ 11 +│ \+0/);
    expect(cli("diff", f("a.json"), f("a.jsonl")).status).toBe(2);
  });
});

describe("ascend-sim run --chrome-trace / --report", () => {
  it("writes both files next to the normal output", () => {
    const r = cli("run", CONFIG, "--chrome-trace", f("t.json"), "--report", f("r.html"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ascend-sim · hccs-allreduce/);
    const t = JSON.parse(readFileSync(f("t.json"), "utf8")) as { traceEvents: { ph: string }[] };
    expect(t.traceEvents.filter((e) => e.ph === "X")).toHaveLength(22);
    expect(readFileSync(f("r.html"), "utf8")).toMatch(/^<!doctype html>/);
  });

  it("a failed run leaves no files behind", () => {
    const r = cli("run", CONFIG, "--set", "workload.ranks=99", "--chrome-trace", f("t2.json"), "--report", f("r2.html"));
    expect(r.status).toBe(2);
    expect(existsSync(f("t2.json")) || existsSync(f("r2.html"))).toBe(false);
  });
});
