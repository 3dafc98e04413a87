import { describe, expect, it } from "vitest";
import { buildInlineCluster, inlineClusterSchema } from "../../../src/topology/inline-cluster.js";
import { visited } from "./route-checks.js";

const inline = (doc: Record<string, unknown>) => buildInlineCluster(inlineClusterSchema.parse({ type: "inline", ...doc }), "t");
/** What the schema says about `doc`, one "path: message" per issue (path as the config shows it below `cluster.`). */
const problemsOf = (doc: Record<string, unknown>): string[] => {
  const r = inlineClusterSchema.safeParse({ type: "inline", ...doc });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};
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

  it("names the field of an unknown node, with the closest name", () => {
    const base = { nodes: nodes("npu0", "npu1"), links: [link("npu0", "npu1")], ranks: ["npu0", "npu1"] };
    const valid = "(valid values are: npu0, npu1)";
    expect(problemsOf({ ...base, links: [link("npu0", "npu1"), link("npu1", "nup0")] })).toEqual([`links.1.to: unknown node "nup0" (did you mean "npu0"?) ${valid}`]);
    expect(problemsOf({ ...base, ranks: ["npu0", "host"] })).toEqual([`ranks.1: unknown node "host" ${valid}`]);
    expect(problemsOf({ ...base, routes: [{ src: "npu0", dst: "npu1", via: ["switch"] }] })).toEqual([`routes.0.via.0: unknown node "switch" ${valid}`]);
  });

  it("rejects routes over missing links, duplicate names, self-loops and unreachable ranks, each at its key", () => {
    const three = nodes("a", "b", "c");
    expect(problemsOf({ nodes: three, links: [link("a", "b")], ranks: ["a", "b"], routes: [{ src: "a", dst: "b", via: ["c"] }] })).toEqual([
      'routes.0.via.0: no link from "a" to "c" (links:)',
    ]);
    expect(problemsOf({ nodes: [...three, { name: "a", kind: "npu" }], links: [], ranks: ["a"] })).toEqual(['nodes.3.name: duplicate node "a" (also nodes[0])']);
    expect(problemsOf({ nodes: three, links: [link("a", "b"), link("c", "c")], ranks: ["a", "b"] })).toEqual(['links.1.to: a link from "c" to itself: expected another node']);
    expect(problemsOf({ nodes: three, links: [link("a", "b")], ranks: ["a", "c"] })).toEqual([
      'links: no path from rank "a" to rank "c": expected links that join every pair of ranks (in each direction; a link with duplex: false carries one)',
    ]);
    expect(problemsOf({ nodes: three, links: [link("a", "b")], ranks: ["a", "a"] })).toEqual(['ranks.1: node "a" is already rank 0']);
  });

  it("refuses an explicit route with a loop: it would cross a link twice", () => {
    const doc = { nodes: nodes("a", "b", "s1"), links: [link("a", "s1"), link("s1", "b")], ranks: ["a", "b"] };
    expect(problemsOf({ ...doc, routes: [{ src: "a", dst: "b", via: ["s1", "a", "s1"] }] })).toEqual(['routes.0.via.1: the route visits "a" twice: expected a path without loops']);
    expect(problemsOf({ ...doc, routes: [{ src: "a", dst: "b", via: ["s1", "b"] }] })).toEqual(['routes.0.dst: the route visits "b" twice: expected a path without loops']);
  });

  it("needs an explicit route only where the links leave a pair unjoined", () => {
    // b → a has no path over the simplex links; an explicit route can only use links that exist
    const doc = { nodes: nodes("a", "b", "s1"), links: [link("a", "s1", { duplex: false }), link("s1", "b", { duplex: false })], ranks: ["a", "b"] };
    expect(problemsOf(doc)).toEqual([expect.stringMatching(/^links: no path from rank "b" to rank "a"/)]);
    expect(problemsOf({ ...doc, links: [...doc.links, link("b", "a", { duplex: false })] })).toEqual([]);
  });

  it("refuses a second link in one direction: routes use the first, so its bandwidth would be lost", () => {
    const two = nodes("a", "b");
    expect(problemsOf({ nodes: two, links: [link("a", "b"), link("a", "b")], ranks: ["a", "b"] })).toEqual([
      'links.1: a second link from "a" to "b" (links[0] is the first): routes use one link per direction, so it would carry nothing; expected one link with the total bandwidth (duplex: false on both for different directions)',
    ]);
    // a duplex cable plus a one-way link back: the way back is doubled
    expect(problemsOf({ nodes: two, links: [link("a", "b"), link("b", "a", { duplex: false, bandwidth: "5GB/s" })], ranks: ["a", "b"] })[0]).toMatch(/^links\.1: a second link from "b" to "a"/);
    // asymmetric directions as two one-way links
    const t = inline({ nodes: two, links: [link("a", "b", { duplex: false }), link("b", "a", { duplex: false, bandwidth: "5GB/s" })], ranks: ["a", "b"] });
    expect(t.routeBandwidth(t.route(0, 1))).toBe(100e9);
    expect(t.routeBandwidth(t.route(1, 0))).toBe(5e9);
  });

  it("lists at most 20 problems of a scripted graph that repeats a mistake", () => {
    const many = Array.from({ length: 30 }, (_, i) => link("a", `x${i}`));
    const found = problemsOf({ nodes: nodes("a", "b"), links: [link("a", "b"), ...many], ranks: ["a", "b"] });
    expect(found).toHaveLength(21);
    expect(found[20]).toBe("links.21.to: … and 10 more problems of the inline cluster from here on");
  });

  it("builds a cluster of 20,000 ranks without routing every pair up front", () => {
    // all pairs would be 4·10⁸ routes: minutes and gigabytes (a 16,000-rank star ran out of memory)
    const n = 20_000;
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const t = inline({ nodes: nodes(...names, "s"), links: names.map((a) => link(a, "s")), ranks: names });
    expect(t.ranks).toBe(n);
    expect(visited(t, t.route(0, n - 1))).toEqual(["n0", "s", `n${n - 1}`]);
    expect(visited(t, t.route(n - 1, 0))).toEqual([`n${n - 1}`, "s", "n0"]);
  });

  it("needs units on link quantities and knows one plane", () => {
    expect(inlineClusterSchema.safeParse({ type: "inline", nodes: nodes("a"), links: [{ from: "a", to: "a", bandwidth: 100 }], ranks: ["a"] }).success).toBe(false);
    const t = inline({ nodes: nodes("a", "b"), links: [{ from: "a", to: "b", bandwidth: "1GB/s" }], ranks: ["a", "b"] });
    expect(t.routeLatencyNs(t.route(0, 1))).toBe(0);
    expect(() => t.route(0, 1, 0, "rdma")).toThrow(/unknown network plane "rdma"/);
  });
});
