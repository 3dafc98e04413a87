import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/config/errors.js";
import { loadScenario } from "../../../src/config/scenario.js";

/*
 * A leaf/spine fabric is sized from its parameters (uplink ports per leaf = downlink capacity ÷
 * oversubscription ÷ uplink speed, one spine per uplink port). Values the schema types allow can ask
 * for billions of spines; like `servers` above 16,384, that must be an input error naming the fields
 * that size the fabric — not "Map maximum size exceeded" from deep inside the builder.
 */

const BENCH = "workload: {kind: collective-bench, ops: [all_reduce], algorithms: [ring], ranks: 8, sizes: {from: 1KiB, to: 1KiB}}\n";

function issues(cluster: string): { path: string; message: string }[] {
  try {
    loadScenario("inline.yaml", { text: `cluster: ${cluster}\n${BENCH}` });
  } catch (e) {
    if (e instanceof InputError) return e.issues.map((i) => ({ path: i.path, message: i.message }));
    throw e;
  }
  return [];
}

describe("leaf/spine fabrics too large to build are input errors naming their sizing fields", () => {
  it.each([
    ["RoCE, oversubscription 1e-9", "{preset: roce-4x800t-a2, oversubscription: 1.0e-9}", /oversubscription 1e-9\b/],
    ["RoCE, npus_per_leaf 1e8", "{preset: roce-4x800t-a2, npus_per_leaf: 100000000}", /npus_per_leaf 100000000\b/],
    ["supernode RDMA plane, rdma_oversubscription 1e-9", "{preset: cloudmatrix384, rdma_oversubscription: 1.0e-9}", /rdma_oversubscription 1e-9\b/],
  ])("%s", (_, cluster, field) => {
    const found = issues(cluster);
    expect(found).toHaveLength(1);
    // the fabric as a whole is at fault (several fields size it): the issue is on `cluster`, naming them
    expect(found[0]!.path).toBe("cluster");
    // names the field and its value, what the fabric would need and the bound
    expect(found[0]!.message).toMatch(field);
    expect(found[0]!.message).toMatch(/uplink ports per leaf/);
    expect(found[0]!.message).toMatch(/at most/);
    expect(found[0]!.message).not.toMatch(/Map maximum|typed array|Invalid array length/i);
  });

  it("the presets and fabrics well past them still build (16,384 servers at 64 NPUs per leaf, 1:1)", () => {
    expect(issues("roce-768x800t-a2")).toEqual([]);
    expect(issues("{preset: roce-4x800t-a2, oversubscription: 0.25}")).toEqual([]);
    expect(issues("cloudmatrix384")).toEqual([]);
  });
});
