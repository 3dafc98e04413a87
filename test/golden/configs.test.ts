import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { Piscina } from "piscina";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { isScenarioFile } from "../../src/config/scenario-files.js";
import { jsonOutputText } from "../../src/report/json-output.js";
import { runScenario } from "../../src/run.js";

/**
 * Golden outputs: every configs/*.yaml has its `--json` output and trace committed under
 * traces/golden/. Update them deliberately with `npx vitest run test/golden -u` and review the diff.
 * Traces over 1 MiB are stored as a digest (sha256 + line count) to keep the repository small.
 */
const CONFIG_DIR = resolve("configs");
const configs = readdirSync(CONFIG_DIR).filter(isScenarioFile).sort();
const WORKER = resolve("dist/worker/run-worker.js");
const MAX_INLINE_TRACE = 1024 * 1024;

function traceGolden(trace: string): string {
  if (trace.length <= MAX_INLINE_TRACE) return trace;
  const lines = trace.split("\n").length - 1;
  return `sha256 ${createHash("sha256").update(trace).digest("hex")}\nlines ${lines}\n`;
}

const pool = existsSync(WORKER) ? new Piscina({ filename: WORKER, maxThreads: 2 }) : undefined;
afterAll(async () => {
  await pool?.destroy();
});

/** The trace a config replays (`workload.arrivals.path`, relative to the config) when that file is missing. */
function missingTrace(path: string): string | undefined {
  const doc = parse(readFileSync(path, "utf8")) as { workload?: { arrivals?: { path?: unknown } } } | null;
  const p = doc?.workload?.arrivals?.path;
  if (typeof p !== "string") return undefined;
  const full = resolve(dirname(path), p);
  return existsSync(full) ? undefined : full;
}

describe.each(configs)("configs/%s", (file) => {
  const path = `configs/${file}`;
  const missing = missingTrace(path);
  if (missing !== undefined) {
    console.log(`skipping configs/${file}: its trace ${missing} is absent (../shared/traces/ is not beside the repository)`);
    it.skip(`needs the trace ${missing}`, () => {});
    return;
  }
  const base = file.replace(/\.yaml$/, "");
  const run = () => {
    const r = runScenario(loadScenario(path), { trace: true });
    return { json: jsonOutputText(r), trace: r.trace ?? "" };
  };
  const first = run();

  it("matches its golden JSON and trace", async () => {
    await expect(first.json).toMatchFileSnapshot(`../../traces/golden/${base}.json`);
    await expect(traceGolden(first.trace)).toMatchFileSnapshot(`../../traces/golden/${base}.trace.jsonl`);
  });

  it("is byte-identical when run again in the same process", () => {
    const again = run();
    expect(again.json).toBe(first.json);
    expect(again.trace).toBe(first.trace);
  });

  it.runIf(pool !== undefined)("is byte-identical when run in a piscina worker thread", async () => {
    const r = (await pool!.run({ file: path, trace: true })) as { json: string; trace?: string };
    expect(r.json).toBe(first.json);
    expect(r.trace ?? "").toBe(first.trace);
  });
});
