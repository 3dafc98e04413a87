// What the flows workload says about a scenario it cannot run: every problem names the flow, link or key
// (and the line of the config or of the SimGrid-format file), never a NaN result or an unnamed engine error.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { MAX_FLOWS, scenarioTimeProblems } from "../../src/workload/flows/flow-scenario.js";
import { inputErrorOf } from "../helpers/input-error.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flows-inputs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What running a config that reads `file` (written with `json` unless undefined) says. */
function fileError(json: string | undefined): string {
  if (json !== undefined) writeFileSync(join(dir, "s.json"), json);
  const config = join(dir, "c.yaml");
  writeFileSync(config, "workload:\n  kind: flows\n  file: s.json\n");
  return inputErrorOf(() => runScenario(loadScenario(config)));
}

const link = (id: string, bw = 1e9, lat = 0) => ({ id, bw, lat });
const flow = (id: string, route: string[], bytes: number, start = 0) => ({ id, route, bytes, start });

describe("a SimGrid-format flows file", () => {
  it("that is missing is a problem of workload.file in the config", () => {
    expect(fileError(undefined)).toBe(`${join(dir, "c.yaml")}:3:9 workload.file: cannot read the flows file ${join(dir, "s.json")}: no such file or folder`);
  });

  it("that is a list, or has empty lists, is told so at its line and column", () => {
    const file = join(dir, "s.json");
    expect(fileError("[]")).toBe(`${file}:1:1: expected a mapping, got a list`);
    expect(fileError('{"links": [],\n "flows": []}')).toBe(`${file}:1:11 links: expected at least 1 item, got 0 items\n${file}:2:11 flows: expected at least 1 item, got 0 items`);
  });

  it("bounds its numbers as the YAML quantities are bounded (1e300 bytes/s made every finish NaN)", () => {
    const json = JSON.stringify({ links: [link("l", 1e300, 1e300)], flows: [flow("f", ["l"], 1e300)] }, null, 1);
    const lines = fileError(json).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/:5:\d+ links\.0\.bw: expected a bandwidth of 1000 to 1000000000000000 bytes\/s, got 1e\+300$/);
    expect(lines[1]).toMatch(/:6:\d+ links\.0\.lat: expected a latency of 0 to 1000000 s, got 1e\+300$/);
    expect(lines[2]).toMatch(/:15:\d+ flows\.0\.bytes: expected a size of 0 to 1125899906842624 bytes, got 1e\+300$/);
  });

  it(`holds at most ${MAX_FLOWS} flows: a million took minutes (exact max-min is quadratic on a shared link)`, () => {
    const flows = Array.from({ length: MAX_FLOWS + 1 }, (_, i) => flow(`f${i}`, ["l"], 1000 + i));
    const message = fileError(JSON.stringify({ links: [link("l")], flows }));
    expect(message).toMatch(/s\.json(:1:\d+)? flows: expected at most 100,000 flows, got 100,001: the exact max-min model/);
    // the limit leaves room for an EP256 all-to-all written out flow by flow (256 × 255 flows)
    expect(MAX_FLOWS).toBeGreaterThanOrEqual(256 * 255);
  });
});

describe("the flows of a scenario", () => {
  it("that cannot end within the engine's clock are named, alone or by the link they share", () => {
    const links = [{ id: "slow", bandwidth: 1e3, latencyNs: 0 }];
    const one = (bytes: number, startNs = 0) => ({ id: "f", route: ["slow"], bytes, startNs });
    // 10^13 bytes at 1 kB/s: 10^10 s alone, past 2^53 ns ≈ 9.0e6 s
    expect(scenarioTimeProblems({ links, flows: [one(1e13)] })).toEqual([
      {
        path: ["flows", 0],
        message: `flow "f" would end at 1.000e+10 s even alone (start 0 s, route latency 0 s, 10000000000000 bytes at 1000 bytes/s on link "slow"), past the engine's 2^53 ns clock (about 104 days): expected a smaller size, a faster link or an earlier start`,
      },
    ]);
    // 5·10^9 bytes each fit alone (5·10^6 s), both together do not (10^7 s)
    const two = [one(5e9), { ...one(5e9), id: "g" }];
    expect(scenarioTimeProblems({ links, flows: two })).toEqual([
      {
        path: ["links", 0],
        message: `link "slow" carries 10000000000 bytes of flows at 1000 bytes/s: the last cannot end before 1.000e+7 s, past the engine's 2^53 ns clock (about 104 days); expected a faster link or fewer bytes over it`,
      },
    ]);
    expect(scenarioTimeProblems({ links, flows: [one(4e9)] })).toEqual([]);
  });

  it("written in the config are located at the flow", () => {
    const config = join(dir, "c.yaml");
    writeFileSync(config, "workload:\n  kind: flows\n  links: [{id: slow, bandwidth: 1kB/s}]\n  flows:\n    - {id: f, route: [slow], bytes: 10TB}\n");
    expect(inputErrorOf(() => loadScenario(config))).toMatch(new RegExp(`^${config}:5:7 workload\\.flows\\.0: flow "f" would end at 1\\.000e\\+10 s even alone`));
  });

  it("with one mistake repeated are listed up to 20, then counted", () => {
    const config = join(dir, "c.yaml");
    const flows = Array.from({ length: 25 }, (_, i) => `    - {id: f${i}, route: [l1], bytes: 1MB}`).join("\n");
    writeFileSync(config, `workload:\n  kind: flows\n  links: [{id: l0, bandwidth: 1GB/s}]\n  flows:\n${flows}\n`);
    const lines = inputErrorOf(() => loadScenario(config)).split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(`${config}:5:24 workload.flows.0.route.0: expected a link id, got unknown link "l1" (did you mean "l0"?)`);
    expect(lines[20]).toBe(`${config}:25:25 workload.flows.20.route.0: … and 5 more problems of the flows from here on`);
  });
});
