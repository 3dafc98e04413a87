import { writeSync } from "node:fs";

/**
 * Text appended to a file descriptor in large chunks: pieces are buffered until they reach `chunkChars`
 * (UTF-16 code units, ≈ bytes for ASCII text such as a trace; default 1 Mi) and then written with one
 * writeSync, so a long trace costs a few thousand system calls and at most one chunk of memory.
 * Write errors propagate (the caller discards its output files).
 */
export class ChunkedWriter {
  private parts: string[] = [];
  private chars = 0;

  constructor(
    private readonly fd: number,
    private readonly chunkChars = 1 << 20,
  ) {}

  /** Characters (UTF-16 code units) held in memory, not yet written: below chunkChars after every write. */
  get bufferedChars(): number {
    return this.chars;
  }

  write(text: string): void {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= this.chunkChars) this.flush();
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this.chars === 0) return;
    const bytes = Buffer.from(this.parts.join(""), "utf8");
    this.parts = [];
    this.chars = 0;
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }
}
