import { describe, expect, it } from "vitest";
import { buildInlineCluster, inlineClusterSchema } from "../../../src/topology/inline-cluster.js";
import { visited } from "./route-checks.js";

const inline = (doc: Record<string, unknown>) => buildInlineCluster(inlineClusterSchema.parse({ type: "inline", ...doc }), "t");
const nodes = (...names: string[]) => names.map((name) => ({ name, kind: name.startsWith("s") ? "switch" : "npu" }));
const link = (from: string, to: string, extra: Record<string, unknown> = {}) => ({ from, to, bandwidth: "100GB/s", latency: "1us", ...extra });

describe("inline cluster", () => {
  it("routes by the fewest hops", () => {
    const t = inline({
      nodes: nodes("a", "b", "s1", "s2", "s3"),
      // the long way is declared first, so only hop counting can prefer s1
      links: [link("a", "s2"), link("s2", "s3"), link("s3", "b"), link("a", "s1"), link("s1", "b")],
      ranks: ["a", "b"],
    });
    expect(visited(t, t.route(0, 1))).toEqual(["a", "s1", "b"]);
    expect(visited(t, t.route(1, 0))).toEqual(["b", "s1", "a"]);
    expect(t.routeLatencyNs(t.route(0, 1))).toBe(2000);
    expect(t.routeBandwidth(t.route(0, 1))).toBe(100e9);
  });

  it("breaks ties between equal-length paths by link declaration order", () => {
    const doc = (first: string, second: string) => ({
      nodes: nodes("a", "b", "sx", "sy"),
      links: [link("a", first), link("a", second), link("sx", "b"), link("sy", "b")],
      ranks: ["a", "b"],
    });
    const t1 = inline(doc("sx", "sy"));
    const t2 = inline(doc("sy", "sx"));
    expect(visited(t1, t1.route(0, 1))).toEqual(["a", "sx", "b"]);
    expect(visited(t2, t2.route(0, 1))).toEqual(["a", "sy", "b"]);
  });

  it("uses an explicit route for its direction only", () => {
    const t = inline({
      nodes: nodes("a", "b", "s1", "s2", "s3"),
      links: [link("a", "s1"), link("s1", "b"), link("a", "s2"), link("s2", "s3"), link("s3", "b")],
      ranks: ["a", "b"],
      routes: [{ src: "a", dst: "b", via: ["s2", "s3"] }],
    });
    expect(visited(t, t.route(0, 1))).toEqual(["a", "s2", "s3", "b"]);
    expect(visited(t, t.route(1, 0))).toEqual(["b", "s1", "a"]);
  });

  it("a simplex link carries one direction only", () => {
    const doc = {
      nodes: nodes("a", "b", "s1"),
      links: [link("a", "b", { duplex: false }), link("b", "s1"), link("s1", "a")],
      ranks: ["a", "b"],
    };
    const t = inline(doc);
    expect(visited(t, t.route(0, 1))).toEqual(["a", "b"]);
    expect(visited(t, t.route(1, 0))).toEqual(["b", "s1", "a"]);
    expect(t.links).toHaveLength(5);
  });

  it("names the field of an unknown node", () => {
    const base = { nodes: nodes("a", "b"), links: [link("a", "b")], ranks: ["a", "b"] };
    expect(() => inline({ ...base, links: [link("a", "b"), link("b", "c")] })).toThrow(/^links\[1\]\.to: unknown node "c" \(valid values are: a, b\)/);
    expect(() => inline({ ...base, ranks: ["a", "z"] })).toThrow(/^ranks\[1\]: unknown node "z"/);
    expect(() => inline({ ...base, routes: [{ src: "a", dst: "b", via: ["q"] }] })).toThrow(/^routes\[0\]\.via\[0\]: unknown node "q"/);
  });

  it("rejects routes over missing links, duplicate names and unreachable ranks", () => {
    const three = nodes("a", "b", "c");
    expect(() =>
      inline({ nodes: three, links: [link("a", "b")], ranks: ["a", "b"], routes: [{ src: "a", dst: "b", via: ["c"] }] }),
    ).toThrow(/^routes\[0\]\.via: no link from "a" to "c"/);
    expect(() => inline({ nodes: [...three, { name: "a", kind: "npu" }], links: [], ranks: ["a"] })).toThrow(/^nodes\[3\]\.name: duplicate node "a"/);
    expect(() => inline({ nodes: three, links: [link("a", "b")], ranks: ["a", "c"] })).toThrow(/no path from rank "a" to rank "c"/);
    expect(() => inline({ nodes: three, links: [link("a", "b")], ranks: ["a", "a"] })).toThrow(/^ranks\[1\]/);
  });

  it("needs units on link quantities and knows one plane", () => {
    expect(inlineClusterSchema.safeParse({ type: "inline", nodes: nodes("a"), links: [{ from: "a", to: "a", bandwidth: 100 }], ranks: ["a"] }).success).toBe(false);
    const t = inline({ nodes: nodes("a", "b"), links: [{ from: "a", to: "b", bandwidth: "1GB/s" }], ranks: ["a", "b"] });
    expect(t.routeLatencyNs(t.route(0, 1))).toBe(0);
    expect(() => t.route(0, 1, 0, "rdma")).toThrow(/unknown network plane "rdma"/);
  });
});
