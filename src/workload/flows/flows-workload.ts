import { resolve } from "node:path";
import type { Hooks, Simulator } from "../../engine/index.js";
import { FlowNetwork } from "../../network/flow.js";
import type { SimEvents } from "../../trace/span.js";
import { defineWorkload, type JsonValue } from "../workload.js";
import { scenarioTopology, type FlowScenario } from "./flow-scenario.js";
import { flowsWorkloadSchema, yamlScenario, type FlowsWorkloadConfig } from "./schema.js";
import { readSimgridScenario } from "./simgrid-format.js";

/** The scenario of a parsed config, in internal units (reads `file:`, relative to `baseDir`, if given). */
export function flowScenarioOf(cfg: FlowsWorkloadConfig, baseDir: string = process.cwd()): FlowScenario {
  if (cfg.file !== undefined) return readSimgridScenario(resolve(baseDir, cfg.file));
  return yamlScenario(cfg.links ?? [], cfg.flows ?? []);
}

/**
 * Runs every flow of `s` on the flow network model driven by `sim`; returns each flow's exact
 * finish time, ns (float), in scenario order. Emits one "flow" span per flow when observed.
 */
export function simulateFlows(s: FlowScenario, sim: Simulator, hooks: Hooks<SimEvents>): Float64Array {
  const net = new FlowNetwork(sim, scenarioTopology(s));
  const finish = new Float64Array(s.flows.length).fill(NaN);
  const spans = hooks.has("span");
  s.flows.forEach((f, i) => {
    const done = (endNs: number): void => {
      finish[i] = endNs;
      if (spans) {
        const start = Math.round(f.startNs);
        hooks.emit("span", {
          start,
          dur: Math.round(endNs) - start,
          kind: "flow",
          where: f.route[0]!,
          what: f.id,
          attrs: { bytes: f.bytes },
        });
      }
    };
    if (f.bytes === 0) {
      // a network model treats a zero-byte transfer as nothing to move (HCCL skips empty pairs), but a
      // flow of this scenario is a message: like SimGrid, it arrives after its route latency
      const topo = net.topology;
      const endNs = f.startNs + topo.routeLatencyNs(topo.route(2 * i, 2 * i + 1));
      sim.scheduleAt(Math.round(endNs), done, endNs);
      return;
    }
    // all flows are handed over now with their exact (possibly future) start: the model waits
    // start + latency itself, so no start is ever rounded to an engine instant
    net.runGroup([{ src: 2 * i, dst: 2 * i + 1, bytes: f.bytes }], f.startNs, done);
  });
  sim.run();
  return finish;
}

/** Workload `flows`: explicit links and flows → per-flow finish times under max-min sharing. */
export const flowsWorkload = defineWorkload({
  kind: "flows",
  usesCluster: false,
  description: "explicit links and flows → per-flow finish times under max-min fair sharing (checkable against SimGrid)",
  schema: flowsWorkloadSchema,

  run(cfg, ctx) {
    const s = flowScenarioOf(cfg, ctx.env.configDir);
    const finishNs = simulateFlows(s, ctx.sim, ctx.hooks);
    const flows: Record<string, JsonValue> = {};
    let makespanNs = 0;
    const rows: (string | number)[][] = [];
    s.flows.forEach((f, i) => {
      const end = finishNs[i]!;
      flows[f.id] = end / 1e9;
      if (end > makespanNs) makespanNs = end;
      // seconds to the ns (the engine's unit), one fixed format per column
      rows.push([f.id, f.bytes, (f.startNs / 1e9).toFixed(9), (end / 1e9).toFixed(9)]);
    });
    return {
      metrics: { flows, flow_count: s.flows.length, makespan_s: makespanNs / 1e9 },
      tables: [{ title: "Flows (max-min fair sharing)", head: ["flow", "bytes (B)", "start (s)", "finish (s)"], rows }],
      notes: ["Each flow waits its route latency, then shares every link max-min fairly (SimGrid CM02 with equal latencies)."],
    };
  },
});
