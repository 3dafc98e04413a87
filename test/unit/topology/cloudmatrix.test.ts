import { describe, expect, it } from "vitest";
import { buildSupernode, supernodeSchema } from "../../../src/topology/cloudmatrix.js";
import { SupernodeTopology } from "../../../src/topology/supernode-topology.js";
import { buildPreset, expectPath, visited } from "./route-checks.js";

const supernode = (params: Record<string, unknown>) => buildSupernode(supernodeSchema.parse({ type: "supernode", ...params }), "t");
const cm384 = () => buildPreset("cloudmatrix384") as SupernodeTopology;
const GB = 1e9;

describe("CloudMatrix supernode", () => {
  it("cloudmatrix384 has 768 die ranks, 192 CPUs, 48 L1 stages, one L2 stage and a 768-port RDMA plane", () => {
    const t = cm384();
    expect(t).toBeInstanceOf(SupernodeTopology);
    expect(t.ranks).toBe(768);
    expect(t.cpus).toBe(192);
    expect(t.endpoints).toBe(960);
    const count = (re: RegExp) => t.nodes.filter((n) => re.test(n.name)).length;
    expect(count(/\/ub-l1$/)).toBe(48);
    expect(count(/^ub-l2$/)).toBe(1);
    expect(count(/rdma-nic$/)).toBe(768);
    expect(count(/^rdma\/leaf/)).toBe(12); // 64 die ports per leaf
    expect(count(/^rdma\/spine/)).toBe(32); // 64 × 200GE down = 32 × 400GE up
    expect(t.nodes.length).toBe(768 + 192 + 48 + 1 + 768 + 12 + 32);
    // SIO 2 per NPU; die↔L1 and CPU↔L1 both ways; L1↔L2 both ways; die↔NIC, NIC↔leaf, leaf↔spine both ways
    expect(t.links.length).toBe(384 * 2 + 768 * 2 + 192 * 2 + 48 * 2 + 768 * 2 + 768 * 2 + 12 * 32 * 2);
  });

  it("cloudmatrix-16 is 2 nodes × 8 NPUs: 32 dies and 8 CPUs", () => {
    const t = buildPreset("cloudmatrix-16") as SupernodeTopology;
    expect([t.ranks, t.cpus, t.layout.nodes]).toEqual([32, 8, 2]);
  });

  it("ranks are dies, die-major within NPU within node; CPUs follow the dies", () => {
    const t = cm384();
    expect(t.nodes[t.rankNodes[0]!]!.name).toBe("n0/npu0/die0");
    expect(t.nodes[t.rankNodes[1]!]!.name).toBe("n0/npu0/die1");
    expect(t.nodes[t.rankNodes[2]!]!.name).toBe("n0/npu1/die0");
    expect(t.nodes[t.rankNodes[16]!]!.name).toBe("n1/npu0/die0");
    expect(t.cpuEndpoint(1, 2)).toBe(768 + 4 + 2);
    expect(t.nodes[t.endpointNode(t.cpuEndpoint(1, 2))]!.name).toBe("n1/cpu2");
    expect([t.nodeOf(17), t.nodeOf(t.cpuEndpoint(47, 3)), t.npuOf(17)]).toEqual([1, 47, 8]);
    expect(() => t.cpuEndpoint(48, 0)).toThrow(RangeError);
  });

  it("die↔die on the same NPU uses the SIO link", () => {
    const t = cm384();
    const r = t.route(6, 7);
    expect(visited(t, r)).toEqual(["n0/npu3/die0", "n0/npu3/die1"]);
    expect(t.routeBandwidth(r)).toBe(210 * GB);
    expect(visited(t, t.route(7, 6))).toEqual(["n0/npu3/die1", "n0/npu3/die0"]);
  });

  it("UB routes: 2 links through the node's L1 inside a node, 4 links through L2 across nodes", () => {
    const t = cm384();
    expect(visited(t, t.route(0, 2))).toEqual(["n0/npu0/die0", "n0/ub-l1", "n0/npu1/die0"]);
    expect(visited(t, t.route(0, 767))).toEqual(["n0/npu0/die0", "n0/ub-l1", "ub-l2", "n47/ub-l1", "n47/npu7/die1"]);
  });

  it("every UB route between dies and CPUs is a connected path (cloudmatrix-16, all pairs)", () => {
    const t = buildPreset("cloudmatrix-16") as SupernodeTopology;
    for (let a = 0; a < t.endpoints; a++) {
      for (let b = 0; b < t.endpoints; b++) {
        if (a !== b) expectPath(t, t.route(a, b), t.endpointNode(a), t.endpointNode(b));
      }
    }
  });

  it("every RDMA route between dies is a connected path (cloudmatrix384, sampled pairs and flows)", () => {
    const t = cm384();
    for (let a = 0; a < 768; a += 37) {
      for (let b = 0; b < 768; b += 5) {
        if (a !== b) expectPath(t, t.route(a, b, a + b, "rdma"), t.rankNodes[a]!, t.rankNodes[b]!);
      }
    }
  });

  it("a die sends and receives all UB traffic over one 196 GB/s link each way", () => {
    const t = cm384();
    const firstLinks = new Set<number>();
    const lastLinks = new Set<number>();
    for (let e = 0; e < t.endpoints; e++) {
      if (e === 100 || e === 101) continue; // 101 is die 100's sibling: SIO
      firstLinks.add(t.route(100, e)[0]!);
      lastLinks.add(t.route(e, 100).at(-1)!);
    }
    expect(firstLinks.size).toBe(1);
    expect(lastLinks.size).toBe(1);
    expect(t.links[[...firstLinks][0]!]!.bandwidth).toBe(196 * GB);
    expect(t.links[[...lastLinks][0]!]!.bandwidth).toBe(196 * GB);
  });

  it("the L1↔L2 tier is 1:1: a node's uplink carries all its dies and CPUs at full rate", () => {
    const t = cm384();
    const r = t.route(0, 16);
    expect(t.links[r[1]!]!.bandwidth).toBe((16 * 196 + 4 * 160) * GB);
    expect(t.links[r[2]!]!.bandwidth).toBe((16 * 196 + 4 * 160) * GB);
    const half = supernode({ nodes: 4, ub_oversubscription: 2 });
    expect(half.links[half.route(0, 16)[1]!]!.bandwidth).toBe(((16 * 196 + 4 * 160) / 2) * GB);
  });

  it("CPU endpoints are reachable on UB at 160 GB/s, not on the RDMA plane", () => {
    const t = cm384();
    const cpu = t.cpuEndpoint(5, 1);
    expect(visited(t, t.route(0, cpu))).toEqual(["n0/npu0/die0", "n0/ub-l1", "ub-l2", "n5/ub-l1", "n5/cpu1"]);
    expect(t.routeBandwidth(t.route(0, cpu))).toBe(160 * GB);
    expect(t.routeBandwidth(t.route(cpu, 80))).toBe(160 * GB);
    expect(() => t.route(0, cpu, 0, "rdma")).toThrow(/not on the rdma plane/);
    expect(() => t.route(0, t.endpoints)).toThrow(RangeError);
  });

  it("RDMA plane routes never touch a UB or SIO link", () => {
    const t = cm384();
    const isRdma = (l: number) => {
      const link = t.links[l]!;
      const [from, to] = [t.nodes[link.from]!, t.nodes[link.to]!];
      return from.kind === "nic" || to.kind === "nic" || (from.name.startsWith("rdma/") && to.name.startsWith("rdma/"));
    };
    for (let a = 0; a < 768; a += 11) {
      for (const b of [a ^ 1, (a + 2) % 768, (a + 16) % 768, 767 - a]) {
        if (a === b) continue;
        const r = t.route(a, b, a, "rdma");
        expect(r.filter((l) => !isRdma(l)).map((l) => t.links[l]!.name)).toEqual([]);
        expect(t.routeBandwidth(r)).toBe(25 * GB); // 200 Gb/s per die
      }
    }
  });

  it("UB routes do not depend on the flow id; RDMA flows spread over spines", () => {
    const t = cm384();
    expect(t.route(0, 500, 1)).toEqual(t.route(0, 500, 2));
    const spines = new Set<string>();
    for (let f = 0; f < 256; f++) spines.add(visited(t, t.route(0, 500, f, "rdma"))[3]!);
    expect(spines.size).toBe(32);
  });

  it("unknown planes are rejected with the valid names", () => {
    expect(() => cm384().route(0, 1, 0, "vpc")).toThrow(/unknown network plane "vpc".*ub, rdma/);
  });

  it("a one-node supernode has no L2 stage", () => {
    const t = supernode({ nodes: 1 });
    expect(t.ranks).toBe(16);
    expect(t.nodes.some((n) => n.name === "ub-l2")).toBe(false);
    for (let b = 2; b < 16; b++) expect(t.route(0, b)).toHaveLength(2);
  });

  it("supernode size is bounded by the 48-node L2 tier and unknown keys are rejected", () => {
    expect(supernodeSchema.safeParse({ type: "supernode", nodes: 49 }).success).toBe(false);
    expect(supernodeSchema.safeParse({ type: "supernode", planes: 7 }).success).toBe(false);
    expect(supernode({ nodes: 2, npus_per_node: 8 }).ranks).toBe(32);
  });
});
