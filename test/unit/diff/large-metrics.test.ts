import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main.js";
import { diffJsonOutputs } from "../../../src/diff/metrics-diff.js";
import { flattenMetrics } from "../../../src/sweep/flatten-metrics.js";
import type { JsonValue } from "../../../src/workload/workload.js";

/*
 * `diff` compares files the user hands it, so their size and shape are arbitrary: hundreds of thousands
 * of metrics, or metrics nested thousands of levels deep (JSON.parse accepts both). Either gives a result
 * under the diff contract — exit 0 when nothing differs, 1 when something does — never an internal error.
 */

const DEPTH = 5000;
const dir = mkdtempSync(join(tmpdir(), "diff-large-"));

function write(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** `{"x":{"x":…leaf…}}`, `depth` levels deep (built as text: JSON.stringify itself recurses). */
function nested(depth: number, leaf: string): string {
  return `${'{"x":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}

/** Runs the CLI in-process; returns the exit code and what it printed. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout: out.join(""), stderr: err.join("") };
}

beforeEach(() => vi.restoreAllMocks());
afterEach(() => vi.restoreAllMocks());

describe("flattenMetrics on deep documents", () => {
  it(`flattens metrics nested ${DEPTH} levels deep into one dotted column`, () => {
    const flat = flattenMetrics(JSON.parse(nested(DEPTH, "7")) as JsonValue);
    expect([...flat.entries()]).toEqual([[Array(DEPTH).fill("x").join("."), 7]]);
  });

  it(`flattens lists nested ${DEPTH} levels deep by index`, () => {
    const flat = flattenMetrics({ m: JSON.parse(`${"[".repeat(DEPTH)}1, 2${"]".repeat(DEPTH)}`) as JsonValue });
    expect([...flat.keys()]).toEqual([`m${"[0]".repeat(DEPTH - 1)}[0]`, `m${"[0]".repeat(DEPTH - 1)}[1]`]);
  });

  it("keeps document order: keys depth-first, scalar lists by index, rows by their key fields", () => {
    const flat = flattenMetrics({
      a: { z: 1, b: [{ op: "x", v: 1, w: { q: 2 } }, { op: "y", v: 3, w: { q: 4 } }] },
      c: [[1, 2], [3]],
      d: [1, 2],
      e: { f: { g: "s" } },
    });
    expect([...flat.keys()]).toEqual(["a.z", "a.b[op=x].v", "a.b[op=x].w.q", "a.b[op=y].v", "a.b[op=y].w.q", "c[0][0]", "c[0][1]", "c[1][0]", "d[0]", "d[1]", "e.f.g"]);
  });
});

describe("diff of --json outputs with deep values", () => {
  it("compares an object-valued top-level field by its content, at any depth", () => {
    const deep = JSON.parse(nested(DEPTH, "1")) as JsonValue;
    expect(diffJsonOutputs({ metrics: {}, extra: deep }, { metrics: {}, extra: JSON.parse(nested(DEPTH, "1")) as JsonValue }).header).toEqual([]);
    const d = diffJsonOutputs({ metrics: {}, extra: deep }, { metrics: {}, extra: JSON.parse(nested(DEPTH, "2")) as JsonValue });
    expect(d.header.map((h) => h.name)).toEqual(["extra"]);
  });

  it(`ascend-sim diff: metrics ${DEPTH} levels deep are one differing metric (exit 1), also with --json`, async () => {
    const a = write("deep-a.json", `{"metrics":${nested(DEPTH, "1")},"extra":${nested(DEPTH, "0")}}`);
    const b = write("deep-b.json", `{"metrics":${nested(DEPTH, "2")},"extra":${nested(DEPTH, "0")}}`);
    const text = await cli("diff", a, b);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/\n1 metrics, 1 differ\n$/);
    const json = await cli("diff", a, b, "--json");
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { changed: number; header: unknown[]; metrics: { name: string; a: number; b: number }[] };
    expect(parsed.changed).toBe(1);
    expect(parsed.header).toEqual([]);
    expect(parsed.metrics).toMatchObject([{ name: Array(DEPTH).fill("x").join("."), a: 1, b: 2 }]);
    expect((await cli("diff", a, a)).code).toBe(0);
  });
});

describe("diff of --json outputs with 200,000 metrics", () => {
  const N = 200_000;
  const metrics = (bump: (i: number) => number) => JSON.stringify({ tool: "ascend-sim", metrics: Object.fromEntries(Array.from({ length: N }, (_, i) => [`m${i}`, i + bump(i)])) });
  const a = write("wide-a.json", metrics(() => 0));
  const b = write("wide-b.json", metrics((i) => (i % 1000 === 0 ? 1 : 0)));

  it("prints every metric in one table, in order, and exits 1 when some differ", { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await cli("diff", a, b);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const lines = stdout.split("\n");
    const rows = lines.filter((l) => /^│ m\d/.test(l));
    expect(rows.length).toBe(N);
    expect(rows[0]).toMatch(/^│ m0 +│ 0 +│ 1 +│ \+1 +│ \+∞ % +│$/);
    expect(rows[1]).toMatch(/^│ m1 +│ 1 +│ 1 +│ \+0 +│ \+0\.00 % +│$/);
    expect(rows[N - 1]).toMatch(/^│ m199999 +│ 199999 +│ 199999 +│/);
    expect(new Set(lines.filter((l) => l.startsWith("│")).map((l) => l.length)).size).toBe(1); // aligned columns
    expect(stdout.endsWith(`\n${N} metrics, ${N / 1000} differ\n`)).toBe(true);
  });

  it("exits 0 for two equal files, and --threshold shows only the differing rows", { timeout: 60_000 }, async () => {
    expect((await cli("diff", a, a)).code).toBe(0);
    const { code, stdout } = await cli("diff", a, b, "--threshold", "1%");
    expect(code).toBe(1);
    // m0 (0 → 1: +∞ %) and m1000 (+0.1 %)… only m0 moves by more than 1 %
    expect(stdout.split("\n").filter((l) => /^│ m\d/.test(l))).toHaveLength(1);
    expect(stdout.endsWith(`\n${N} metrics, 1 differ by more than 1 %\n`)).toBe(true);
  });
});
