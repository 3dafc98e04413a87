/**
 * The HTML reports in a real browser: headless Chromium (Debian package `chromium`) loads each report
 * from a file; the test requires no console message (errors, CSP violations, failed fetches all log
 * there), the charts in the DOM, and the report's inline script to have run (it sets data-charts).
 * A screenshot of each report is kept under the OS temp dir as an artifact. Skips when
 * /usr/bin/chromium is absent (install: apt-get install -y chromium).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

/** The scenario whose report is checked (one constant, so it can follow the flagship config). */
const REPORT_CONFIG = "configs/cloudmatrix-dsr1.yaml";
/** A fast scenario with a numeric knob for the sweep report. */
const SWEEP_CONFIG = "configs/hccs-allreduce.yaml";
const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the browser test of the HTML report: ${CHROMIUM} not found (apt-get install -y chromium)`);

function cli(...args: string[]): void {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(0);
}

/** Loads a page headless; returns the DOM after scripts ran and the console lines Chromium logged. */
function browse(file: string, screenshot?: string): { dom: string; console: string[] } {
  const common = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--window-size=1200,2000"];
  const url = pathToFileURL(file).href;
  const r = spawnSync(CHROMIUM, [...common, "--dump-dom", url], { encoding: "utf8", timeout: 90_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (screenshot !== undefined) spawnSync(CHROMIUM, [...common, `--screenshot=${screenshot}`, url], { encoding: "utf8", timeout: 90_000 });
  return { dom: r.stdout, console: r.stderr.split("\n").filter((l) => /:CONSOLE[:(]/.test(l)) };
}

describe.skipIf(!haveChromium)("HTML report in headless Chromium", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ascend-sim-report-"));
  });

  it("the console check catches a broken page (so a clean report means something)", () => {
    const bad = join(dir, "bad.html");
    writeFileSync(bad, '<!doctype html><html><body><script>nope();</script></body></html>');
    expect(browse(bad).console.join("\n")).toMatch(/Uncaught ReferenceError/);
  });

  it(`run --report of ${REPORT_CONFIG} opens without console messages and shows its charts`, () => {
    const file = join(dir, "run-report.html");
    cli("run", REPORT_CONFIG, "--report", file);
    const shot = join(dir, "run-report.png");
    const { dom, console } = browse(file, shot);
    expect(console).toEqual([]);
    const charts = Number(/data-charts="(\d+)"/.exec(dom)?.[1] ?? 0);
    expect(charts).toBeGreaterThanOrEqual(3);
    expect(dom.match(/<svg [^>]*class="chart"/g)?.length).toBe(charts);
    expect(dom).toContain('data-kind="timeline"');
    expect(existsSync(shot)).toBe(true);
    process.stdout.write(`report screenshot: ${shot}\n`);
  });

  it("sweep --report opens without console messages and plots metrics against the knobs", () => {
    const file = join(dir, "sweep-report.html");
    cli("sweep", SWEEP_CONFIG, "--grid", "workload.ranks=2,4,8", "--grid", "network.model=analytical,flow", "--jobs", "2", "--out", join(dir, "s.csv"), "--report", file);
    const { dom, console } = browse(file, join(dir, "sweep-report.png"));
    expect(console).toEqual([]);
    expect(Number(/data-charts="(\d+)"/.exec(dom)?.[1] ?? 0)).toBeGreaterThan(10);
    expect(dom).toContain("vs workload.ranks");
    expect(dom).toContain("vs network.model");
  });
});
