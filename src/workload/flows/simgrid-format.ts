import { readFileSync } from "node:fs";
import { Document, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { issueAt, type ConfigDocument } from "../../config/document.js";
import { errnoText } from "../../config/errno-text.js";
import { InputError } from "../../config/errors.js";
import { zodToInputIssues } from "../../config/zod-issues.js";
import { scenarioTimeProblems, scenarioProblems, type FlowScenario, type ScenarioProblem } from "./flow-scenario.js";

/** A number of `unit` from `min` to `max`; the message says what it is and in which unit. */
function within(what: string, unit: string, min: number, max: number) {
  return z.number().check((ctx) => {
    if (!(ctx.value >= min && ctx.value <= max)) ctx.issues.push({ code: "custom", input: ctx.value, message: `expected ${what} of ${min} to ${max} ${unit}, got ${ctx.value}` });
  });
}

/**
 * The input format of SimGrid's reference tool (../shared/tools/simgrid_flows.py): plain numbers in
 * the units that format defines — bandwidth bytes/s, latency and start seconds, size bytes. The bounds
 * are those of the YAML form's quantities (config/quantity.ts): 1e300 bytes/s made every finish NaN.
 */
export const simgridScenarioSchema = z.strictObject({
  links: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        /** Bandwidth, bytes/s. */
        bw: within("a bandwidth", "bytes/s", 1e3, 1e15),
        /** Latency, s. */
        lat: within("a latency", "s", 0, 1e6),
      }),
    )
    .min(1),
  flows: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        route: z.array(z.string()).min(1),
        /** Size, bytes (SimGrid takes fractions). */
        bytes: within("a size", "bytes", 0, 2 ** 50),
        /** Start, s. */
        start: within("a start time", "s", 0, 1e6).default(0),
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

/** Files up to this size are re-read with positions to say the line and column of a problem. */
const MAX_LOCATED_CHARS = 16 * 1024 * 1024;

/** `text` (JSON, which is YAML) with positions when it is small enough, for issues at a line and column. */
function positioned(file: string, text: string, json: unknown): ConfigDocument {
  const lines = new LineCounter();
  const doc = text.length <= MAX_LOCATED_CHARS ? parseDocument(text, { lineCounter: lines, uniqueKeys: false }) : new Document(json);
  return { file, doc, lines, sets: new Map() };
}

/**
 * Validates parsed JSON of the tool's shape; throws an InputError naming `file` (and the line and column
 * when `text`, the file's content, is given) on any problem.
 */
export function parseSimgridScenario(json: unknown, file: string, text?: string): FlowScenario {
  const located = (): ConfigDocument => positioned(file, text ?? JSON.stringify(json), json);
  const r = simgridScenarioSchema.safeParse(json, { reportInput: true });
  if (!r.success) throw new InputError(zodToInputIssues(located(), simgridScenarioSchema, r.error.issues, []));
  let problems: ScenarioProblem[] = scenarioProblems(r.data);
  const scenario = fromSimgridScenario(r.data);
  if (problems.length === 0) problems = scenarioTimeProblems(scenario);
  if (problems.length > 0) {
    const cd = located();
    throw new InputError(problems.map((p) => issueAt(cd, p.path, p.message)));
  }
  return scenario;
}

/**
 * Reads a SimGrid-format scenario file (absolute path, or relative to the working directory). A file that
 * cannot be read is a problem of `workload.file` (the run locates it in the config); one that is not JSON,
 * or not of the format, a problem of the file itself.
 */
export function readSimgridScenario(path: string): FlowScenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError([{ path: "workload.file", message: `cannot read the flows file ${path}: ${errnoText(e)}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError([{ file: path, path: "", message: `expected JSON in the SimGrid flows format: ${(e as Error).message}` }]);
  }
  return parseSimgridScenario(json, path, text);
}
