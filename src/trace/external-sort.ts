import { closeSync, openSync, readSync } from "node:fs";
import { ChunkedWriter } from "./chunked-writer.js";

/** A record to sort: a numeric key compared element by element, and a text (no newline) carried along. */
export interface SortRecord {
  readonly key: readonly number[];
  readonly text: string;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Lines of a file, read in chunks of `chunkBytes` bytes (UTF-8 split on newline bytes, never inside a character). */
function* fileLines(path: string, chunkBytes = 1 << 16): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(chunkBytes);
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n === 0) break;
      const data = rest.length > 0 ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      const last = data.lastIndexOf(0x0a);
      if (last < 0) {
        rest = Buffer.from(data);
        continue;
      }
      const lines = data.toString("utf8", 0, last).split("\n");
      rest = Buffer.from(data.subarray(last + 1));
      yield* lines;
    }
    if (rest.length > 0) yield rest.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function parseLine(line: string): SortRecord {
  const tab = line.indexOf("\t");
  return { key: line.slice(0, tab).split(",").map(Number), text: line.slice(tab + 1) };
}

/**
 * Sorts more records than fit in memory: records are buffered up to `maxInMemory` (count), then sorted and
 * written to a run file (one `key,key,…<TAB>text` line each; numbers in their shortest round-trip form, so
 * they read back exactly); `sorted()` merges the runs. Memory: one buffer of records plus one read chunk
 * per run. Keys must be distinct (add a sequence number) for the order to be total. `newRunFile` creates
 * an empty file and returns its path; `doneWithRunFile` removes one.
 */
export class ExternalSorter {
  private buffer: SortRecord[] = [];
  private readonly runs: string[] = [];

  constructor(
    private readonly newRunFile: () => string,
    private readonly doneWithRunFile: (path: string) => void,
    private readonly maxInMemory = 200_000,
  ) {}

  /** Run files written so far (for tests: 0 while everything fits in memory). */
  get runCount(): number {
    return this.runs.length;
  }

  add(key: readonly number[], text: string): void {
    this.buffer.push({ key, text });
    if (this.buffer.length >= this.maxInMemory) this.spill();
  }

  private spill(): void {
    this.buffer.sort((a, b) => compareKeys(a.key, b.key));
    const path = this.newRunFile();
    const fd = openSync(path, "w");
    try {
      const out = new ChunkedWriter(fd);
      for (const r of this.buffer) out.write(`${r.key.join(",")}\t${r.text}\n`);
      out.flush();
    } finally {
      closeSync(fd);
    }
    this.runs.push(path);
    this.buffer = [];
  }

  /** Every record added, in key order; run files are removed once read. Call once. */
  *sorted(): Generator<SortRecord> {
    if (this.runs.length === 0) {
      const all = this.buffer.sort((a, b) => compareKeys(a.key, b.key));
      this.buffer = [];
      yield* all;
      return;
    }
    if (this.buffer.length > 0) this.spill();
    const readers = this.runs.map((p) => fileLines(p));
    const heads: (SortRecord | undefined)[] = readers.map((r) => next(r));
    for (;;) {
      // a linear scan over the run heads: runs are few (records / maxInMemory)
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== undefined && (best < 0 || compareKeys(h.key, heads[best]!.key) < 0)) best = i;
      }
      if (best < 0) break;
      yield heads[best]!;
      heads[best] = next(readers[best]!);
    }
    for (const p of this.runs.splice(0)) this.doneWithRunFile(p);
  }
}

function next(lines: Generator<string>): SortRecord | undefined {
  for (;;) {
    const r = lines.next();
    if (r.done === true) return undefined;
    if (r.value !== "") return parseLine(r.value);
  }
}
