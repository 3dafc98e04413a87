import type { Hooks } from "../engine/index.js";
import { spanToJsonLine } from "./jsonl.js";
import type { SimEvents, Span } from "./span.js";

/**
 * Collects spans in emission order and renders them as JSONL, in memory: `runScenario({ trace: true })`
 * for library callers and workers. One string holds at most V8's string length (~512 MiB, about 900k
 * serving requests); the CLI streams its trace files instead (TraceFiles in cli/trace-files.ts).
 */
export class TraceCollector {
  private readonly lines: string[] = [];

  constructor(hooks: Hooks<SimEvents>) {
    hooks.on("span", (s: Span) => {
      this.lines.push(spanToJsonLine(s));
    });
  }

  /** Number of spans recorded. */
  get count(): number {
    return this.lines.length;
  }

  /** The whole trace, one span per line, newline-terminated. */
  toJsonl(): string {
    return this.lines.length === 0 ? "" : this.lines.join("\n") + "\n";
  }
}
