import { describe, expect, it } from "vitest";
import { atlasServerSchema, buildAtlasServer } from "../../../src/topology/atlas-server.js";
import { buildPreset, visited } from "./route-checks.js";

const GB = 1e9;

describe("Atlas 800T A2 server (hardware.md §1: 8 × 910B, HCCS 8P full mesh, 7 links and 392 GB/s per NPU)", () => {
  const t = buildPreset("atlas-800t-a2");
  const isHccs = (l: { from: number; to: number }) => t.nodes[l.from]!.kind === "npu" && t.nodes[l.to]!.kind === "npu";

  it("has 8 NPU ranks and one host; 8 × 7 = 56 directed HCCS links and 8 PCIe links each way", () => {
    expect(t.ranks).toBe(8);
    expect(t.nodes.map((n) => n.kind).sort()).toEqual(["cpu", ...Array<string>(8).fill("npu")]);
    expect(t.links.filter(isHccs)).toHaveLength(56);
    expect(t.links.length).toBe(56 + 2 * 8);
  });

  it("each NPU has 7 HCCS links out and 7 in, 56 GB/s each: 7 × 56 = 392 GB/s per NPU and direction", () => {
    for (let r = 0; r < 8; r++) {
      const node = t.rankNodes[r]!;
      const out = t.links.filter((l) => isHccs(l) && l.from === node);
      const inn = t.links.filter((l) => isHccs(l) && l.to === node);
      expect([out.length, inn.length]).toEqual([7, 7]);
      expect(out.reduce((s, l) => s + l.bandwidth, 0)).toBe(392 * GB);
      expect(new Set(out.map((l) => l.to)).size).toBe(7); // one link to every other NPU: a full mesh
    }
  });

  it("every route is the one direct HCCS link of the pair", () => {
    for (let a = 0; a < 8; a++) {
      for (let b = 0; b < 8; b++) {
        if (a === b) continue;
        expect(visited(t, t.route(a, b, a * 8 + b))).toEqual([`npu${a}`, `npu${b}`]);
        expect(t.routeBandwidth(t.route(a, b))).toBe(56 * GB);
        expect(t.routeLatencyNs(t.route(a, b))).toBe(1000);
      }
    }
  });

  it("refuses an unknown plane and ranks outside the server instead of returning another pair's link", () => {
    // routes are stored at src·8 + dst: (0, 8) would have been the route 1 → 0, and plane "rdma" (which a
    // server does not have) the HCCS link
    expect(() => t.route(0, 1, 0, "rdma")).toThrow(/unknown network plane "rdma".*default/);
    expect(() => t.route(0, 8)).toThrow(RangeError);
    expect(() => t.route(-1, 3)).toThrow(RangeError);
    expect(t.planes).toEqual(["default"]);
  });

  it("a smaller server (npus: 4) is a 4-NPU full mesh", () => {
    const s = buildAtlasServer(atlasServerSchema.parse({ type: "server", npus: 4 }), "s");
    expect(s.ranks).toBe(4);
    expect(s.links.filter((l) => s.nodes[l.from]!.kind === "npu" && s.nodes[l.to]!.kind === "npu")).toHaveLength(12);
  });
});
