import { z } from "zod";
import { bandwidth, bytes, duration } from "../../config/quantity.js";
import { scenarioProblems, scenarioTimeProblems, type FlowScenario } from "./flow-scenario.js";

/** One explicit link. */
export const flowsLinkSchema = z.strictObject({
  id: z.string().min(1),
  /** Capacity shared by the flows crossing the link, e.g. "1GB/s". */
  bandwidth: bandwidth(),
  /** Latency a flow waits on this hop before it shares bandwidth, e.g. "1us". */
  latency: duration().prefault("0s"),
});

/** One explicit flow. */
export const flowsFlowSchema = z.strictObject({
  id: z.string().min(1),
  /** Link ids the flow crosses, in order. */
  route: z.array(z.string().min(1)).min(1),
  /** Payload, e.g. "1GB". */
  bytes: bytes(),
  /** Start time, e.g. "0.5s". */
  start: duration().prefault("0s"),
});

/**
 * The `workload:` section of `flows`: explicit links and flows → per-flow finish times. Either
 * `links:` + `flows:` with units, or `file:` naming a JSON scenario in SimGrid's reference-tool
 * format (../shared/tools/README.md). `file` is taken as given: the config loader resolves a relative
 * path against the config file's folder before the workload runs.
 */
export const flowsWorkloadSchema = z
  .strictObject({
    kind: z.literal("flows"),
    links: z.array(flowsLinkSchema).min(1).optional(),
    flows: z.array(flowsFlowSchema).min(1).optional(),
    /** Path of a SimGrid-format scenario JSON (bytes/s, seconds, bytes as plain numbers). */
    file: z.string().min(1).optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.file !== undefined) {
      if (cfg.links !== undefined || cfg.flows !== undefined) {
        ctx.addIssue({ code: "custom", path: ["file"], message: "expected either file: or links: and flows:, got both" });
      }
      return;
    }
    if (cfg.links === undefined || cfg.flows === undefined) {
      const missing = cfg.links === undefined ? "links" : "flows";
      ctx.addIssue({ code: "custom", path: [missing], message: `expected ${missing}: (a list), or file: (a SimGrid-format JSON scenario)` });
      return;
    }
    let problems = scenarioProblems({ links: cfg.links, flows: cfg.flows });
    if (problems.length === 0) problems = scenarioTimeProblems(yamlScenario(cfg.links, cfg.flows));
    for (const p of problems) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  });

/** The links and flows of the YAML form in internal units. */
export function yamlScenario(links: readonly z.output<typeof flowsLinkSchema>[], flows: readonly z.output<typeof flowsFlowSchema>[]): FlowScenario {
  return {
    links: links.map((l) => ({ id: l.id, bandwidth: l.bandwidth.value, latencyNs: l.latency.value })),
    flows: flows.map((f) => ({ id: f.id, route: f.route, bytes: f.bytes.value, startNs: f.start.value })),
  };
}

/** A parsed `flows` section. */
export type FlowsWorkloadConfig = z.output<typeof flowsWorkloadSchema>;
