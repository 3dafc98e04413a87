// The `flows` workload: explicit links and flows in, per-flow finish times out, on the engine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Hooks, Simulator } from "../../src/engine/index.js";
import type { SimEvents, Span } from "../../src/trace/span.js";
import { flowsWorkload as def } from "../../src/workload/flows/flows-workload.js";
import { WORKLOADS } from "../../src/workload/registry.js";
import type { RunContext } from "../../src/workload/workload.js";

const ROOT = join(import.meta.dirname, "..", "..");

function ctx(): RunContext & { spans: Span[] } {
  const hooks = new Hooks<SimEvents>();
  const spans: Span[] = [];
  hooks.on("span", (s) => spans.push(s));
  return { sim: new Simulator(1), hooks, env: { configDir: process.cwd() } as never, wantRecords: false, spans };
}

/** The README example of SimGrid's tool, as written in configs/flows-simgrid-example.yaml. */
function exampleWorkload(): unknown {
  const doc = parse(readFileSync(join(ROOT, "configs", "flows-simgrid-example.yaml"), "utf8")) as { workload: unknown };
  return doc.workload;
}

describe("flows workload", () => {
  it("is registered as `flows`", () => {
    expect(WORKLOADS.flows).toBe(def);
  });

  it("reproduces the SimGrid README example (configs/flows-simgrid-example.yaml)", () => {
    // a, b share l0 at 0.5 GB/s; c joins l1 at 0.5 s + 1 µs and takes its remaining 1.5 GB/s:
    // c = 0.500001 + 1/1.5 s; a, b then finish 1 − 0.5·(c − 1e-6) GB at 0.5 GB/s
    const c = ctx();
    const r = def.run(def.schema.parse(exampleWorkload()), c);
    const flows = r.metrics.flows as Record<string, number>;
    const cEnd = 0.500001 + 1 / 1.5;
    expect(flows.c).toBeCloseTo(cEnd, 12);
    expect(flows.a).toBeCloseTo(2.000001, 12);
    expect(flows.b).toBeCloseTo(2.000001, 12);
    expect(r.metrics.flow_count).toBe(3);
    expect(r.metrics.makespan_s).toBe(Math.max(flows.a!, flows.b!, flows.c!));
  });

  it("gives the same times from the SimGrid-format JSON file as from the YAML form", () => {
    const yaml = def.run(def.schema.parse(exampleWorkload()), ctx()).metrics.flows;
    const file = join(ROOT, "test", "fixtures", "simgrid", "readme-example.json");
    const json = def.run(def.schema.parse({ kind: "flows", file }), ctx()).metrics.flows as Record<string, number>;
    for (const [id, t] of Object.entries(yaml as Record<string, number>)) expect(json[id]).toBeCloseTo(t, 12);
  });

  it("emits one flow span per flow (rounded ns) and a summary row per flow", () => {
    const c = ctx();
    const r = def.run(def.schema.parse(exampleWorkload()), c);
    expect(c.spans.map((s) => s.what).sort()).toEqual(["a", "b", "c"]);
    const sc = c.spans.find((s) => s.what === "c")!;
    const cEnd = (r.metrics.flows as Record<string, number>).c! * 1e9;
    expect(sc).toMatchObject({ kind: "flow", where: "pc", start: 500_000_000, attrs: { bytes: 1e9 } });
    expect(sc.start + sc.dur).toBe(Math.round(cEnd));
    expect(r.tables[0]!.rows.map((row) => row[0])).toEqual(["a", "b", "c"]);
    // driven by the engine: its clock ends at the last finish
    expect(c.sim.now).toBe(Math.round((r.metrics.makespan_s as number) * 1e9));
  });

  it("accepts units and rejects bare numbers", () => {
    const base = { kind: "flows", links: [{ id: "l", bandwidth: "8Gb/s" }], flows: [{ id: "f", route: ["l"], bytes: "1GiB" }] };
    const r = def.run(def.schema.parse(base), ctx());
    // 1 GiB at 1 GB/s, no latency
    expect((r.metrics.flows as Record<string, number>).f).toBeCloseTo(1024 ** 3 / 1e9, 12);
    const bare = def.schema.safeParse({ ...base, links: [{ id: "l", bandwidth: 1e9 }] });
    expect(bare.success).toBe(false);
    expect(JSON.stringify(bare.error?.issues)).toContain("bare number");
  });

  it("rejects unknown and repeated links in a route, duplicate ids, and mixing file: with links:", () => {
    const links = [{ id: "up", bandwidth: "1GB/s" }];
    const check = (w: Record<string, unknown>) => {
      const r = def.schema.safeParse({ kind: "flows", ...w });
      expect(r.success).toBe(false);
      return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(check({ links, flows: [{ id: "f", route: ["upp"], bytes: "1MB" }] })).toEqual([
      'flows.0.route.0: expected a link id, got unknown link "upp" (did you mean "up"?)',
    ]);
    expect(check({ links, flows: [{ id: "f", route: ["up", "up"], bytes: "1MB" }] })[0]).toContain("appears twice");
    expect(check({ links, flows: [{ id: "f", route: ["up"], bytes: "1MB" }, { id: "f", route: ["up"], bytes: "1MB" }] })[0]).toContain(
      'duplicate flow id "f"',
    );
    expect(check({ links, flows: [{ id: "f", route: ["up"], bytes: "1MB" }], file: "x.json" })[0]).toContain("got both");
    expect(check({ links })[0]).toMatch(/^flows: expected flows:/);
  });

  it("reports an unreadable scenario file as a problem of workload.file, naming the file", () => {
    const cfg = def.schema.parse({ kind: "flows", file: join(ROOT, "test", "fixtures", "simgrid", "missing.json") });
    expect(() => def.run(cfg, ctx())).toThrow(/^workload\.file: cannot read the flows file .*missing\.json: no such file or folder$/);
  });
});
