import { describe, expect, it } from "vitest";
import { ecmpHash } from "../../../src/topology/ecmp-hash.js";
import { buildRoceCluster, roceClusterSchema } from "../../../src/topology/roce-cluster.js";
import { buildPreset, expectPath, visited } from "./route-checks.js";

const roce = (params: Record<string, unknown>) => buildRoceCluster(roceClusterSchema.parse({ type: "roce", ...params }), "t");
const GB = 1e9;

describe("RoCE cluster of Atlas A2 servers", () => {
  it("roce-4x800t-a2 has 32 NPUs, 4 hosts, 32 NICs, 8 rail leaves and 2 spines", () => {
    const t = buildPreset("roce-4x800t-a2");
    expect(t.ranks).toBe(32);
    const count = (kind: string) => t.nodes.filter((n) => n.kind === kind).length;
    expect([count("npu"), count("cpu"), count("nic"), count("switch")]).toEqual([32, 4, 32, 10]);
    // per server 56 HCCS + 16 PCIe; per NPU npu↔nic and nic↔leaf; per leaf 2 spines × 2 directions
    expect(t.links.length).toBe(4 * (56 + 16) + 32 * 2 + 32 * 2 + 8 * 2 * 2);
  });

  it("roce-768x800t-a2 has 6,144 NPUs on 96 leaves and 32 spines", () => {
    const t = buildPreset("roce-768x800t-a2");
    expect(t.ranks).toBe(6144);
    expect(t.nodes.filter((n) => n.name.startsWith("leaf")).length).toBe(96);
    expect(t.nodes.filter((n) => n.name.startsWith("spine")).length).toBe(32);
    expect(t.links.length).toBe(768 * (56 + 16) + 6144 * 4 + 96 * 32 * 2);
  });

  it("ranks are NPUs in server-major order", () => {
    const t = buildPreset("roce-4x800t-a2");
    expect(t.nodes[t.rankNodes[0]!]!.name).toBe("s0/npu0");
    expect(t.nodes[t.rankNodes[11]!]!.name).toBe("s1/npu3");
  });

  it("routes inside a server take the direct HCCS link", () => {
    const t = buildPreset("roce-4x800t-a2");
    for (let a = 8; a < 16; a++) {
      for (let b = 8; b < 16; b++) {
        if (a === b) continue;
        const r = t.route(a, b, 7);
        expect(visited(t, r)).toEqual([`s1/npu${a - 8}`, `s1/npu${b - 8}`]);
        expect(t.routeBandwidth(r)).toBe(56 * GB);
      }
    }
  });

  it("routes between servers go NIC → leaf (→ spine → leaf) → NIC", () => {
    const t = buildPreset("roce-4x800t-a2");
    expect(visited(t, t.route(0, 8))).toEqual(["s0/npu0", "s0/nic0", "leaf0", "s1/nic0", "s1/npu0"]);
    const cross = visited(t, t.route(0, 9));
    expect(cross).toHaveLength(7);
    expect(cross.slice(0, 3)).toEqual(["s0/npu0", "s0/nic0", "leaf0"]);
    expect(cross[3]).toMatch(/^spine\d$/);
    expect(cross.slice(4)).toEqual(["leaf1", "s1/nic1", "s1/npu1"]);
    expect(t.routeBandwidth(t.route(0, 9))).toBe(25 * GB);
  });

  it("every route (both planes, several flows) is a connected path from src to dst", () => {
    const t = buildPreset("roce-4x800t-a2");
    for (const plane of ["default", "rdma"]) {
      for (let a = 0; a < t.ranks; a++) {
        for (let b = 0; b < t.ranks; b++) {
          if (a === b) continue;
          for (const flow of [0, 1, 99]) expectPath(t, t.route(a, b, flow, plane), t.rankNodes[a]!, t.rankNodes[b]!);
        }
      }
    }
  });

  it("rail_optimized puts NPU i of every server on leaf i", () => {
    const t = buildPreset("roce-4x800t-a2");
    for (let s = 0; s < 4; s++) {
      for (let i = 0; i < 8; i++) {
        const leaf = visited(t, t.route(s * 8 + i, ((s + 1) % 4) * 8 + i))[2];
        expect(leaf, `server ${s} NPU ${i}`).toBe(`leaf${i}`);
      }
    }
  });

  it("without rail optimization NPUs fill leaves in rank order", () => {
    const t = roce({ servers: 4, npus_per_leaf: 16 });
    expect(visited(t, t.route(0, 8))[2]).toBe("leaf0"); // servers 0 and 1 share leaf 0
    expect(visited(t, t.route(0, 16))[2]).toBe("leaf0");
    expect(visited(t, t.route(16, 0))[2]).toBe("leaf1");
    expect(t.route(0, 8)).toHaveLength(4); // same leaf: no spine
  });

  it("the rdma plane goes through the NICs even inside a server", () => {
    const t = buildPreset("roce-4x800t-a2");
    const r = visited(t, t.route(0, 1, 0, "rdma"));
    expect(r[1]).toBe("s0/nic0");
    expect(r.at(-2)).toBe("s0/nic1");
    expect(() => t.route(0, 1, 0, "ub")).toThrow(/unknown network plane "ub".*default, rdma/);
  });

  it("ECMP hashes (src, dst, flowId) with MurmurHash3 x86_32, seed 0, of the three 32-bit little-endian words", () => {
    // expected values from an independent byte-wise MurmurHash3_x86_32 (Python, checked against the
    // published vectors "" → 0, "test" → 0xba6bd213, "Hello, world!" → 0xc0363e43), of the 12 bytes
    // 01 00 00 00 02 00 00 00 03 00 00 00 and their reverse order
    expect(ecmpHash(1, 2, 3)).toBe(3_923_217_110);
    expect(ecmpHash(3, 2, 1)).toBe(681_227_602);
  });

  it("ECMP is deterministic: a flow takes spine MurmurHash3(src, dst, flowId) mod 32, the same in an independently built cluster", () => {
    const a = buildPreset("roce-768x800t-a2"); // 32 spines; a rank's NIC is fabric port `rank`
    const b = buildPreset("roce-768x800t-a2");
    // (src, dst, flowId) → MurmurHash3 of the three words (same reference) mod 32; the two ranks of each
    // pair sit on different rail leaves, so the route crosses a spine
    const flows = [[0, 9, 0, 3_169_195_607 % 32], [5, 6000, 3, 889_504_929 % 32], [77, 4001, 12345, 1_551_603_933 % 32]] as const;
    for (const [s, d, f, spine] of flows) {
      expect(visited(a, a.route(s, d, f))[3]).toBe(`spine${spine}`);
      expect(a.route(s, d, f)).toEqual(b.route(s, d, f));
    }
  });

  it("ECMP spreads flows evenly over the spines", () => {
    const t = buildPreset("roce-768x800t-a2"); // 32 spines
    const perSpine = new Map<string, number>();
    const flows = 32 * 200;
    for (let f = 0; f < flows; f++) {
      // one pair, many flows — and many pairs, one flow each
      for (const [s, d] of [[0, 1000 + (f % 5000)], [3, 4000]] as const) {
        const spine = visited(t, t.route(s, d, f))[3]!;
        perSpine.set(spine, (perSpine.get(spine) ?? 0) + 1);
      }
    }
    expect(perSpine.size).toBe(32);
    const mean = (2 * flows) / 32;
    for (const n of perSpine.values()) expect(Math.abs(n - mean) / mean).toBeLessThan(0.15);
  });

  it("oversubscription divides a leaf's uplink capacity", () => {
    const uplink = (oversubscription: number) => {
      const t = roce({ servers: 8, npus_per_leaf: 32, oversubscription });
      const leaf0 = t.nodes.find((n) => n.name === "leaf0")!.id;
      const ups = t.links.filter((l) => l.from === leaf0 && t.nodes[l.to]!.name.startsWith("spine"));
      return { spines: ups.length, capacity: ups.reduce((s, l) => s + l.bandwidth, 0) };
    };
    // 32 × 200GE down = 800 GB/s; 400GE uplinks
    expect(uplink(1)).toEqual({ spines: 16, capacity: 800 * GB });
    expect(uplink(2)).toEqual({ spines: 8, capacity: 400 * GB });
    expect(uplink(4)).toEqual({ spines: 4, capacity: 200 * GB });
  });

  it("a leaf's uplink capacity is its downlink capacity ÷ oversubscription even below whole 400GE ports (4 × 25 GB/s at 4:1 → 25 GB/s)", () => {
    // roce-4x800t-a2's rail leaves: 4 × 200GE = 100 GB/s down; one 400GE port (50 GB/s) is already 2:1, so
    // 3:1 and 4:1 must run the single uplink below its port speed rather than stay at 2:1
    const uplink = (oversubscription: number) => {
      const t = roce({ servers: 4, rail_optimized: true, npus_per_leaf: 4, oversubscription });
      const leaf0 = t.nodes.find((n) => n.name === "leaf0")!.id;
      const ups = t.links.filter((l) => l.from === leaf0 && t.nodes[l.to]!.name.startsWith("spine"));
      const downs = t.links.filter((l) => l.to === leaf0 && t.nodes[l.from]!.name.startsWith("spine"));
      const sum = (ls: typeof ups) => ls.reduce((s, l) => s + l.bandwidth, 0);
      return { spines: ups.length, up: sum(ups), down: sum(downs) };
    };
    expect(uplink(1)).toEqual({ spines: 2, up: 100 * GB, down: 100 * GB });
    expect(uplink(2)).toEqual({ spines: 1, up: 50 * GB, down: 50 * GB });
    const four = uplink(4);
    expect(four.spines).toBe(1);
    expect(four.up).toBeCloseTo(25 * GB, -3);
    expect(four.down).toBeCloseTo(25 * GB, -3);
    expect(uplink(3).up).toBeCloseTo((100 / 3) * GB, -3);
    // cross-rail traffic of all 4 NPUs on a leaf at once: 4 × 25 GB/s through the leaf's uplink
    expect(uplink(4).up).toBeLessThan(uplink(2).up);
  });

  it("route latency counts the two NICs and each switch crossed", () => {
    const t = roce({ servers: 4, npus_per_leaf: 16, nic_latency: "1us", switch_latency: "0.5us" });
    expect(t.routeLatencyNs(t.route(0, 8))).toBe(2 * 1000 + 500); // one leaf
    expect(t.routeLatencyNs(t.route(0, 16))).toBe(2 * 1000 + 3 * 500); // leaf, spine, leaf
  });

  it("rejects unknown keys and bare numbers", () => {
    expect(roceClusterSchema.safeParse({ type: "roce", spine_count: 3 }).success).toBe(false);
    expect(roceClusterSchema.safeParse({ type: "roce", nic_bandwidth: 200 }).success).toBe(false);
  });
});
