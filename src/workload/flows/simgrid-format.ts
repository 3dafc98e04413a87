import { readFileSync } from "node:fs";
import { z } from "zod";
import { InputError, type InputIssue } from "../../config/errors.js";
import { scenarioProblems, type FlowScenario } from "./flow-scenario.js";

/**
 * The input format of SimGrid's reference tool (../shared/tools/simgrid_flows.py): plain numbers in
 * the units that format defines — bandwidth bytes/s, latency and start seconds, size bytes.
 */
export const simgridScenarioSchema = z.strictObject({
  links: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        /** Bandwidth, bytes/s. */
        bw: z.number().positive().finite(),
        /** Latency, s. */
        lat: z.number().min(0).finite(),
      }),
    )
    .min(1),
  flows: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        route: z.array(z.string()).min(1),
        /** Size, bytes. */
        bytes: z.number().min(0).finite(),
        /** Start, s. */
        start: z.number().min(0).finite().default(0),
      }),
    )
    .min(1),
});

/** A scenario in SimGrid's reference-tool shape (seconds, bytes/s, bytes). */
export type SimgridScenario = z.output<typeof simgridScenarioSchema>;

/** Converts the tool's units to internal ones (s → ns). */
export function fromSimgridScenario(s: SimgridScenario): FlowScenario {
  return {
    links: s.links.map((l) => ({ id: l.id, bandwidth: l.bw, latencyNs: l.lat * 1e9 })),
    flows: s.flows.map((f) => ({ id: f.id, route: f.route, bytes: f.bytes, startNs: f.start * 1e9 })),
  };
}

/** Validates parsed JSON of the tool's shape; throws an InputError naming `file` on any problem. */
export function parseSimgridScenario(json: unknown, file: string): FlowScenario {
  const r = simgridScenarioSchema.safeParse(json);
  const issues: InputIssue[] = [];
  if (!r.success) {
    for (const i of r.error.issues) issues.push({ file, path: i.path.join("."), message: i.message });
    throw new InputError(issues);
  }
  for (const p of scenarioProblems(r.data)) issues.push({ file, path: p.path.join("."), message: p.message });
  if (issues.length > 0) throw new InputError(issues);
  return fromSimgridScenario(r.data);
}

/** Reads a SimGrid-format scenario file (absolute path, or relative to the working directory). */
export function readSimgridScenario(path: string): FlowScenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError([{ file: path, path: "", message: `cannot read the flows file: ${(e as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError([{ file: path, path: "", message: `expected JSON in the SimGrid flows format: ${(e as Error).message}` }]);
  }
  return parseSimgridScenario(json, path);
}
