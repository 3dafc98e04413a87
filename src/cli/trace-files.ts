import { ChromeTraceStream } from "../trace/chrome-trace-stream.js";
import { ChunkedWriter } from "../trace/chunked-writer.js";
import { spanToJsonLine } from "../trace/jsonl.js";
import type { Span } from "../trace/span.js";
import { writeErrorOf, writingTo, type AtomicOutputs, type OutputTarget } from "./output-file.js";

/** Options of TraceFiles: the trace outputs wanted, and sizes (defaults for the CLI; tests make them small). */
export interface TraceFileOptions {
  /** The JSONL trace (`--trace`). */
  readonly trace?: OutputTarget;
  /** The Chrome trace (`--chrome-trace`) and the scenario name its otherData carries. */
  readonly chromeTrace?: OutputTarget;
  readonly scenario?: string;
  /** Characters buffered before a write (ChunkedWriter). */
  readonly chunkChars?: number;
  /** Spans held in memory per sort run of the Chrome trace (ChromeTraceStream). */
  readonly maxInMemory?: number;
}

/**
 * The trace files of a run, written while it goes: each span is appended to the JSONL trace's temporary
 * file in chunks and fed to the Chrome trace's external sort, so no whole trace is ever one string (the
 * V8 limit, ~512 MiB, is about 900k serving requests). `finish` writes the Chrome trace; the files take
 * their place only when the caller commits `outputs`, and a failure (here or in the run) leaves only
 * temporary files, which the caller's `outputs.discard()` removes.
 */
export class TraceFiles {
  private readonly jsonl?: ChunkedWriter;
  private readonly chrome?: { readonly target: OutputTarget; readonly stream: ChromeTraceStream };

  constructor(
    private readonly outputs: AtomicOutputs,
    private readonly opts: TraceFileOptions,
  ) {
    if (opts.trace !== undefined) this.jsonl = new ChunkedWriter(outputs.open(opts.trace), opts.chunkChars);
    const target = opts.chromeTrace;
    if (target !== undefined) {
      let runs = 0;
      const files = { newRunFile: () => outputs.scratch(target, `sort${runs++}`), doneWithRunFile: (p: string) => outputs.dropScratch(p) };
      this.chrome = { target, stream: new ChromeTraceStream(files, opts.maxInMemory) };
    }
  }

  /** Characters of the JSONL trace buffered in memory (at most one chunk). */
  get bufferedChars(): number {
    return this.jsonl?.bufferedChars ?? 0;
  }

  /** One span of the run (a `span` hook). */
  add(s: Span): void {
    // once per span: try/catch instead of a closure per write
    const line = spanToJsonLine(s);
    if (this.jsonl !== undefined) {
      try {
        this.jsonl.write(line + "\n");
      } catch (e) {
        throw writeErrorOf(this.opts.trace!, e);
      }
    }
    if (this.chrome !== undefined) {
      try {
        this.chrome.stream.add(s, line);
      } catch (e) {
        throw writeErrorOf(this.chrome.target, e);
      }
    }
  }

  /** After the run: the JSONL trace flushed, the Chrome trace written. */
  finish(): void {
    if (this.jsonl !== undefined) writingTo(this.opts.trace!, () => this.jsonl!.flush());
    const chrome = this.chrome;
    if (chrome !== undefined) {
      const fd = this.outputs.open(chrome.target);
      writingTo(chrome.target, () => {
        const out = new ChunkedWriter(fd, this.opts.chunkChars);
        chrome.stream.writeTo(out, this.opts.scenario);
        out.flush();
      });
    }
  }
}
