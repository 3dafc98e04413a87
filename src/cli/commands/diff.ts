import { readFileSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { inputError } from "../../config/errors.js";
import { diffJsonOutputs, parseJsonOutput, type ValueDelta } from "../../diff/metrics-diff.js";
import { parseThreshold } from "../../diff/threshold.js";
import { diffTraces } from "../../diff/trace-diff.js";
import { renderTable } from "../../report/summary-table.js";
import type { Cell } from "../../sweep/flatten-metrics.js";
import { ExitStatus, UsageError, integerOption } from "../common-options.js";
import { errnoText } from "../../config/errno-text.js";

interface DiffArgs {
  a: string;
  b: string;
  threshold?: string;
  context?: string;
  json?: boolean;
}

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    return inputError({ file, path: "", message: `cannot read the file: ${errnoText(e)}` });
  }
}

/** What a file given to `diff` holds, judged from its content. */
type FileKind = { readonly kind: "json" | "trace" } | { readonly kind: "other"; readonly what: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A `run --json` output (one object with `metrics`), a `run --trace` JSONL file (judged by its first
 * event; an empty file is an empty trace), or something else — described for the message.
 */
function fileKind(text: string): FileKind {
  try {
    const v = JSON.parse(text) as unknown;
    if (isRecord(v) && "metrics" in v) return { kind: "json" };
    if (!isRecord(v) || !("t" in v && "kind" in v)) {
      const names = isRecord(v) ? Object.keys(v) : [];
      const keys = !isRecord(v) ? "JSON but not an object" : names.length === 0 ? "an empty JSON object (no `metrics`)" : `a JSON object with keys ${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""} but no \`metrics\``;
      return { kind: "other", what: keys };
    }
  } catch {
    // not one JSON document: maybe JSONL
  }
  const first = text.split("\n").find((l) => l.trim() !== "");
  if (first === undefined) return { kind: "trace" };
  let v: unknown;
  try {
    v = JSON.parse(first);
  } catch {
    return { kind: "other", what: "its first line is not JSON" };
  }
  if (isRecord(v) && "t" in v && "dur" in v && "kind" in v) return { kind: "trace" };
  if (isRecord(v) && "index" in v && "sweep" in v && "point" in v) return { kind: "other", what: "it is a sweep output (`sweep --out FILE.jsonl`)" };
  return { kind: "other", what: "its first line is not a trace event" };
}

function cell(v: Cell | undefined): string {
  if (v === undefined) return "—";
  if (typeof v === "number") return String(Number(v.toPrecision(10)));
  return String(v);
}

function relText(d: ValueDelta): string {
  if (d.rel === undefined) return d.changed ? "changed" : "";
  if (!Number.isFinite(d.rel)) return d.rel > 0 ? "+∞ %" : "−∞ %";
  return `${d.rel >= 0 ? "+" : ""}${(d.rel * 100).toFixed(2)} %`;
}

function absText(d: ValueDelta): string {
  return d.abs === undefined ? "" : `${d.abs >= 0 ? "+" : ""}${cell(d.abs)}`;
}

function ns(x: number): string {
  return `${(x / 1e3).toFixed(3)} µs`;
}

/** `ascend-sim diff a b`: compare two traces (JSONL) or two `--json` outputs. */
export const diffCommand: CommandModule<object, DiffArgs> = {
  command: "diff <a> <b>",
  describe: "compare two traces (first divergent event, per-kind deltas) or two --json outputs (metrics side by side); exit 1 if they differ",
  builder: (y: Argv) =>
    y
      .positional("a", { type: "string", describe: "first file: a --trace JSONL or a --json output", demandOption: true })
      .positional("b", { type: "string", describe: "second file, of the same kind", demandOption: true })
      .option("threshold", { type: "string", requiresArg: true, describe: "metrics: show and count only relative changes above this, e.g. 2% (default: any change)" })
      .option("context", { type: "string", requiresArg: true, describe: "traces: lines of context around the first divergence, an integer ≥ 0 (default: 2)" })
      .option("json", { type: "boolean", describe: "print the comparison as one JSON object" })
      .example("$0 diff a.jsonl b.jsonl", "where two traces diverge")
      .example("$0 diff base.json new.json --threshold 2%", "metrics that moved by more than 2 % (exit 1 if any)") as unknown as Argv<DiffArgs>,
  handler: (args) => {
    const ta = read(args.a);
    const tb = read(args.b);
    const kindA = fileKind(ta);
    const kindB = fileKind(tb);
    for (const [file, k] of [[args.a, kindA], [args.b, kindB]] as const) {
      if (k.kind === "other") throw new UsageError(`${file} is not an \`ascend-sim run --json\` output or a \`--trace\` file: ${k.what}`);
    }
    const jsonA = kindA.kind === "json";
    const jsonB = kindB.kind === "json";
    if (jsonA !== jsonB) {
      throw new UsageError(`cannot compare a --json output with a trace: ${args.a} is ${jsonA ? "a --json output" : "a trace"}, ${args.b} is ${jsonB ? "a --json output" : "a trace"}`);
    }
    if (jsonA) {
      if (args.context !== undefined) throw new UsageError("--context applies to traces, not to --json outputs");
      const threshold = args.threshold !== undefined ? parseThreshold(args.threshold) : 0;
      const d = diffJsonOutputs(parseJsonOutput(ta, args.a), parseJsonOutput(tb, args.b), threshold);
      if (args.json) {
        process.stdout.write(JSON.stringify({ a: args.a, b: args.b, threshold, changed: d.changed, header: d.header, config: d.config, metrics: d.metrics.filter((m) => args.threshold === undefined || m.changed) }, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2) + "\n");
      } else {
        const out: string[] = [];
        for (const h of d.header) out.push(`${h.name}: ${cell(h.a)} → ${cell(h.b)}`);
        // when no metric differs, a table of equal rows says nothing: only what differs and the summary line
        if (d.config.length > 0) out.push(renderTable({ title: `config: ${d.config.length} difference${d.config.length === 1 ? "" : "s"}`, head: ["path", args.a, args.b], rows: d.config.map((c) => [c.name, cell(c.a), cell(c.b)]) }));
        else if (d.changed > 0) out.push("config: identical");
        // without --threshold every row is shown, the changed ones among the others
        const shown = d.changed === 0 ? [] : args.threshold === undefined ? d.metrics : d.metrics.filter((m) => m.changed);
        if (shown.length > 0) {
          out.push(renderTable({ title: "metrics", head: ["metric", args.a, args.b, "Δ", "Δ %"], rows: shown.map((m) => [m.name, cell(m.a), cell(m.b), absText(m), relText(m)]) }));
        }
        const th = args.threshold !== undefined ? ` by more than ${(threshold * 100).toPrecision(3).replace(/\.?0+$/, "")} %` : "";
        out.push(`${d.metrics.length} metrics, ${d.changed} differ${th}`);
        process.stdout.write(out.join("\n\n") + "\n");
      }
      if (d.changed > 0) throw new ExitStatus(1);
      return;
    }
    if (args.threshold !== undefined) throw new UsageError("--threshold applies to --json outputs, not to traces");
    const context = integerOption(args.context, "--context", 0) ?? 2;
    const d = diffTraces(ta, tb, [args.a, args.b], context);
    if (args.json) {
      process.stdout.write(JSON.stringify({ a: args.a, b: args.b, ...d }, null, 2) + "\n");
    } else if (d.identical) {
      process.stdout.write(`traces are identical: ${d.linesA} events\n`);
    } else {
      const out: string[] = [`traces differ: ${args.a} has ${d.linesA} events, ${args.b} has ${d.linesB}`];
      const f = d.first!;
      const desc = (s: typeof f.a) => (s ? `t=${s.start} ns (${ns(s.start)}), kind ${s.kind}, where ${s.where}, what "${s.what}", dur ${s.dur} ns` : "(no event: the trace ended)");
      out.push(`first divergence at event ${f.line}:\n  ${args.a}: ${desc(f.a)}\n  ${args.b}: ${desc(f.b)}`);
      const ctx = d.context.map(([n, x, y]) => (x === y ? `  ${String(n).padStart(6)}   ${x}` : `${x !== undefined ? `- ${String(n).padStart(6)}   ${x}\n` : ""}${y !== undefined ? `+ ${String(n).padStart(6)}   ${y}` : ""}`.replace(/\n$/, "")));
      out.push(`context (- ${args.a}, + ${args.b}):\n${ctx.join("\n")}`);
      if (d.classes.length > 0) {
        out.push(
          renderTable({
            title: "per event class (kind: what, digits as #)",
            head: ["class", "count a", "count b", "Δ count", "total a", "total b", "Δ total"],
            rows: d.classes.map((c) => [c.cls, c.countA, c.countB, `${c.countB - c.countA >= 0 ? "+" : ""}${c.countB - c.countA}`, ns(c.durA), ns(c.durB), `${c.durB - c.durA >= 0 ? "+" : ""}${ns(c.durB - c.durA)}`]),
          }),
        );
      } else out.push("every event class has the same count and total time (the events differ in order or attributes)");
      process.stdout.write(out.join("\n\n") + "\n");
    }
    if (!d.identical) throw new ExitStatus(1);
  },
};
