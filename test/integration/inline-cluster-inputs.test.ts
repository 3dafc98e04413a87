// Mistakes in an inline cluster (cluster: {type: inline, …}) are reported at the key that holds them —
// the file's line and column, or the --set that wrote it — not at `cluster:` as a whole.
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { loadError } from "../helpers/input-error.js";

const TEXT = `cluster:
  type: inline
  nodes:
    - {name: npu0, kind: npu}
    - {name: npu1, kind: npu}
    - {name: sw, kind: switch}
  links:
    - {from: npu0, to: sw, bandwidth: 10GB/s}
    - {from: npu1, to: sw, bandwidth: 10GB/s}
  ranks: [npu0, npu1]
workload: {kind: collective-bench, algorithms: [ring], sizes: {from: 1KiB, to: 1KiB}}
`;

const load = (sets: string[], text = TEXT): string => loadError("inline.yaml", sets, { text });

describe("an inline cluster's mistakes", () => {
  it("are located at the link or route entry that holds them (the links as a whole for ranks they leave unjoined)", () => {
    const typo = TEXT.replace("{from: npu1, to: sw", "{from: npu1, to: sww");
    expect(load([], typo)).toBe('inline.yaml:9:24 cluster.links.1.to: unknown node "sww" (did you mean "sw"?) (valid values are: npu0, npu1, sw)');
    const oneWay = TEXT.replace("{from: npu1, to: sw, bandwidth: 10GB/s}", "{from: npu1, to: sw, bandwidth: 10GB/s, duplex: false}");
    expect(load([], oneWay)).toMatch(/^inline\.yaml:8:5 cluster\.links: no path from rank "npu0" to rank "npu1"/);
    const loop = TEXT.replace("  ranks: [npu0, npu1]", "  ranks: [npu0, npu1]\n  routes: [{src: npu0, dst: npu1, via: [sw, npu0, sw]}]");
    expect(load([], loop)).toBe('inline.yaml:11:45 cluster.routes.0.via.1: the route visits "npu0" twice: expected a path without loops');
  });

  it("name the --set that introduced them", () => {
    expect(load(["cluster.links[0].to=npu0"])).toBe('--set cluster.links[0].to=npu0 cluster.links.0.to: a link from "npu0" to itself: expected another node');
  });
});

describe("an inline cluster's chip", () => {
  const moe = (chip: string | undefined): string =>
    TEXT.replace("  type: inline\n", `  type: inline\n${chip === undefined ? "" : `  chip: ${chip}\n`}`).replace(
      "workload: {kind: collective-bench, algorithms: [ring], sizes: {from: 1KiB, to: 1KiB}}",
      "workload: {kind: collective-bench, ops: [dispatch], ep: [2], experts: 2, top_k: 1, tokens_per_rank: 4, aiv_cores: 48}",
    );
  it("is the die the workloads price on: 48 AIV cores fit a 910B1 die, not the default 910B3's 40", () => {
    expect(load([], moe(undefined))).toMatch(/workload\.aiv_cores: expected at most 40 AIV cores \(a 910B3 die\), got 48$/);
    expect(() => loadScenario("inline.yaml", { text: moe("910B1") })).not.toThrow();
  });
  it("is a chip preset: a typo is refused with the valid names", () => {
    expect(load([], moe("910B9"))).toMatch(/cluster\.chip: unknown chip "910B9" \(did you mean "910B\d"\?\)/);
  });
});
