import { accessSync, closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Script } from "node:vm";
import { isMainThread } from "node:worker_threads";
import { inputError } from "../config/errors.js";
import { errnoText } from "../config/errno-text.js";
import { ChunkedWriter } from "../trace/chunked-writer.js";

/** An output file of a command: the path the user gave and what it holds (for messages: "trace", "report"). */
export interface OutputTarget {
  readonly path: string;
  /** What the file holds, e.g. "trace", "report", "output". */
  readonly what: string;
}

/** True when `path` names an existing folder (false for a file, nothing, or an unreadable path). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The file a path names — where writing it lands: symbolic links followed, also a chain of them and one whose target does not
 * exist yet (the target is created, the links stay); an existing file as its canonical path. Undefined for
 * a loop of links.
 */
function writeTarget(path: string): string | undefined {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let link: boolean;
    try {
      link = lstatSync(p).isSymbolicLink();
    } catch {
      return p; // nothing there yet: written here
    }
    if (!link) return realpathSync(p);
    p = resolve(dirname(p), readlinkSync(p));
  }
  return undefined; // a loop of links
}

/** True when `path`, or a link on the way to its target, lies in /dev or /proc (devices, /dev/stdout, /proc/self/fd/N). */
function isStreamPath(path: string): boolean {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    if (p === "/dev" || p.startsWith("/dev/") || p === "/proc" || p.startsWith("/proc/")) return true;
    try {
      if (!lstatSync(p).isSymbolicLink()) return false;
    } catch {
      return false;
    }
    p = resolve(dirname(p), readlinkSync(p));
  }
  return false;
}

/** True when `path` (links followed) exists and is not a regular file or folder. */
function existsAsNonFile(path: string): boolean {
  try {
    const st = statSync(path);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Checks, before a (possibly long) run, that every output file can be created: a non-empty name, an
 * existing writable folder, not a folder itself, no two outputs on the same path, and no output on one
 * of the command's `inputs` (the config, a space file, shard files: a typo like `--trace cfg.yaml` must
 * not overwrite the config). A bad path is an input error (exit 2) before anything runs or is written.
 */
export function checkOutputPaths(targets: readonly OutputTarget[], inputs: readonly string[] = []): void {
  const inputIds = new Map(inputs.map((p) => [writeTarget(p) ?? resolve(p), p]));
  const seen = new Map<string, string>();
  for (const t of targets) {
    if (t.path.trim() === "") inputError({ path: "", message: `cannot write the ${t.what} file: the file name is empty` });
    // /dev/stdout, /dev/fd/N, /proc/self/fd/N name open streams: with stdout redirected to a file they lead to
    // that file, and the rename into place (AtomicOutputs.commit) would replace it (the run's summary with it)
    if (isStreamPath(t.path)) inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: it is a device or an open stream, not a file; expected a file path (the ${t.what} is written whole at the end of the run: write it to a file, then read that)` });
    // the file the write lands in (through links): compared with the inputs and the other outputs, its folder checked
    const id = writeTarget(t.path);
    // the rename into place (AtomicOutputs.commit) would replace a link of the loop with a file: refuse it like the OS would
    if (id === undefined) return inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: ${errnoText({ code: "ELOOP" })}` });
    const input = inputIds.get(id);
    if (input !== undefined) inputError({ path: "", message: `the ${t.what} file ${t.path} is the input ${input}: expected a new file name, refusing to overwrite an input` });
    const other = seen.get(id);
    if (other !== undefined) inputError({ path: "", message: `the ${t.what} file and the ${other} file are the same file ${t.path}` });
    seen.set(id, t.what);
    const dir = dirname(id);
    // the folder as the user wrote it, unless a link leads elsewhere
    if (!isDirectory(dir)) inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: no such folder: ${id === resolve(t.path) ? dirname(t.path) : dir}` });
    if (isDirectory(id)) inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: it is a folder; expected a file path` });
    // what the OS says of the name itself (a name too long for the file system: ENAMETOOLONG), now rather
    // than when the file is written after the run; "nothing there yet" is what a new output should find
    try {
      lstatSync(id);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: ${errnoText(e)}` });
    }
    // a FIFO, socket or device would be replaced by AtomicOutputs.commit's rename into place (links are written through)
    if (existsAsNonFile(id)) inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: it exists and is not a regular file (a pipe, socket or device); expected a file path` });
    try {
      accessSync(dir, constants.W_OK);
    } catch (e) {
      inputError({ path: "", message: `cannot write the ${t.what} file ${t.path}: ${errnoText(e)}` });
    }
  }
}

/** Characters of the target's name kept in its temporary file's name (4 bytes each at most in UTF-8). */
const TEMP_NAME_CHARS = 48;

/**
 * A temporary file beside `target`, created empty and exclusively (never an existing file): a hidden name
 * from the first TEMP_NAME_CHARS characters of the target's, the process id and a counter. Bounded so
 * that any name the file system takes for the target fits (`<target>.tmp-<pid>` was 10 bytes longer:
 * a 250-byte name failed with ENAMETOOLONG after the run), exclusive so that a file already called so
 * is neither overwritten nor, on cleanup, removed. Returns its path.
 */
function createTemp(target: string, index: number | string): string {
  const stem = Array.from(basename(target)).slice(0, TEMP_NAME_CHARS).join("");
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dirname(target), `.${stem}.tmp-${process.pid}-${index}${attempt > 0 ? `-${attempt}` : ""}`);
    try {
      writeFileSync(tmp, "", { flag: "wx" });
      return tmp;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 99) throw e;
    }
  }
}

/** Whether process `pid` runs on this machine (signal 0 probes it; EPERM: it runs under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files (createTemp's names) that a killed run left beside `target`: those of a
 * process that no longer runs on this machine. A run is synchronous, so a signal ends it before any
 * cleanup; with streamed traces such leftovers can be hundreds of MB. Files of this process and of live
 * ones stay; failures are ignored (the file may be gone already, or the folder unreadable).
 */
export function removeStaleTemps(target: string): void {
  const prefix = `.${Array.from(basename(target)).slice(0, TEMP_NAME_CHARS).join("")}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    removeQuietly(join(dirname(target), name));
  }
}

/** A write to an output file failed (disk full, I/O error): the message names the file; the caller discards the outputs. */
export class OutputWriteError extends Error {
  constructor(readonly target: OutputTarget, cause: unknown) {
    super(`cannot write the ${target.what} file ${target.path}: ${errnoText(cause)}`);
    this.name = "OutputWriteError";
  }
}

/**
 * Runs `op`, which writes `target`'s file: a system error (disk full, I/O; an errno `code`) becomes an
 * OutputWriteError naming the file; anything else (an OutputWriteError already, a bad record) propagates.
 */
export function writingTo(target: OutputTarget, op: () => void): void {
  try {
    op();
  } catch (e) {
    throw writeErrorOf(target, e);
  }
}

/** What to throw for error `e` while writing `target` (writingTo, for callers on a hot path without a closure). */
export function writeErrorOf(target: OutputTarget, e: unknown): unknown {
  return typeof (e as NodeJS.ErrnoException).code === "string" && !(e instanceof OutputWriteError) ? new OutputWriteError(target, e) : e;
}

/**
 * A set of output files written all or nothing, possibly while a run goes: each output gets a temporary
 * file beside its target (created exclusively, see createTemp) at `open`, and `scratch` makes further
 * temporary files beside it (e.g. sort runs). `commit` renames every output into place and removes the
 * scratch files; `discard` removes every temporary file and touches no target. Failures creating a
 * temporary file throw OutputWriteError.
 */
export class AtomicOutputs {
  private readonly outputs: { target: OutputTarget; real: string; tmp: string; fd: number | undefined }[] = [];
  private readonly scratchFiles: string[] = [];

  /** Creates the output's temporary file and returns it open for writing (a file descriptor). */
  open(target: OutputTarget): number {
    // a symbolic link is written through: its target is replaced, the link stays
    const real = writeTarget(target.path) ?? resolve(target.path);
    const entry = { target, real, tmp: "", fd: undefined as number | undefined };
    removeStaleTemps(real);
    try {
      entry.tmp = createTemp(real, this.outputs.length);
      this.outputs.push(entry);
      entry.fd = openSync(entry.tmp, "w");
      return entry.fd;
    } catch (e) {
      throw new OutputWriteError(target, e);
    }
  }

  /** Writes a whole output's text to its temporary file (open, then write). */
  writeText(f: OutputTarget & { readonly text: string }): void {
    const fd = this.open(f);
    writingTo(f, () => writeFileSync(fd, f.text));
  }

  /**
   * Writes an output's lines to its temporary file as they come, in chunks (ChunkedWriter): the whole text
   * is never one string, which V8 caps at ~512 MiB (`--requests` of ~1.6 M requests). An error thrown by
   * `lines` propagates as it is; a write failure is an OutputWriteError. `chunkChars`: characters per write
   * (ChunkedWriter's default when undefined).
   */
  writeLines(target: OutputTarget, lines: Iterable<string>, chunkChars?: number): void {
    const out = new ChunkedWriter(this.open(target), chunkChars);
    writingTo(target, () => {
      for (const line of lines) out.write(line);
      out.flush();
    });
  }

  /**
   * Runs `write` (which fills this set's temporary files), then renames them all into place; on any error
   * the temporary files are removed and no target is touched. A write error is an input error naming the
   * file (exit 2); any other error is rethrown.
   */
  allOrNothing(write: () => void): void {
    // a Ctrl-C while the files are renamed or removed waits (a listener defers SIGINT): no half-set is left
    process.on("SIGINT", deferSignal);
    let interrupted = false;
    try {
      breakingOnSigint(write);
      this.commit();
    } catch (e) {
      this.discard();
      if (e instanceof OutputWriteError) inputError({ path: "", message: e.message });
      interrupted = (e as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
      if (interrupted) throw new Interrupted("SIGINT");
      throw e;
    } finally {
      // once interrupted the command is ending: a further Ctrl-C must not kill it before it reports (exit 130).
      // (Node re-attaches SIGINT listeners only after the broken script has unwound: a Ctrl-C in that moment
      // still kills the process, and the next run writing the same output removes the temporary files.)
      if (!interrupted) process.off("SIGINT", deferSignal);
    }
  }

  /** A new empty temporary file beside `target` (`tag` tells it apart), removed at commit or discard. Its path. */
  scratch(target: OutputTarget, tag: string): string {
    const real = writeTarget(target.path) ?? resolve(target.path);
    try {
      const tmp = createTemp(real, tag);
      this.scratchFiles.push(tmp);
      return tmp;
    } catch (e) {
      throw new OutputWriteError(target, e);
    }
  }

  /** Removes a scratch file now (it was consumed). */
  dropScratch(path: string): void {
    const i = this.scratchFiles.indexOf(path);
    if (i >= 0) this.scratchFiles.splice(i, 1);
    removeQuietly(path);
  }

  /** Closes the files and renames every output into place; on a failure, discards all and throws OutputWriteError. */
  commit(): void {
    for (const o of this.outputs) {
      try {
        this.close(o);
      } catch (e) {
        this.discard();
        throw new OutputWriteError(o.target, e);
      }
    }
    for (const o of this.outputs) {
      try {
        renameSync(o.tmp, o.real);
      } catch (e) {
        this.discard();
        throw new OutputWriteError(o.target, e);
      }
    }
    for (const f of this.scratchFiles.splice(0)) removeQuietly(f);
  }

  /** Removes every temporary file (outputs and scratch); no target is created or changed. */
  discard(): void {
    for (const o of this.outputs) {
      try {
        this.close(o);
      } catch {
        // closing is best effort here: the file goes anyway
      }
      removeQuietly(o.tmp);
    }
    for (const f of this.scratchFiles.splice(0)) removeQuietly(f);
  }

  private close(o: { fd: number | undefined }): void {
    const fd = o.fd;
    o.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}

/** The command was stopped by a signal (Ctrl-C: SIGINT); its temporary files are removed. main prints one line and exits 128 + the signal's number. */
export class Interrupted extends Error {
  constructor(readonly signal: "SIGINT") {
    super(`interrupted (${signal}): no output written`);
    this.name = "Interrupted";
  }
}

function deferSignal(): void {
  // while outputs are renamed or removed: the command ends right after (a pending SIGINT is dropped with this listener)
}

/** The script allOrNothing runs `write` through: a global slot, since only a whole script can be interrupted. */
const INTERRUPTIBLE = Symbol.for("ascend-sim.interruptible");
const callInterruptible = new Script(`globalThis[Symbol.for("ascend-sim.interruptible")]()`);

/**
 * Runs `f` so that a SIGINT stops it at once, throwing ERR_SCRIPT_EXECUTION_INTERRUPTED (Node's
 * `breakOnSigint`, as its REPL does). A run is synchronous: a `process.on("SIGINT")` handler would only be
 * called after it, and without one the signal kills the process before the temporary files can be removed.
 * The `finally` blocks inside `f` are skipped. On a worker thread (tests) `f` just runs: the watchdog would
 * take over the whole process's SIGINT.
 */
function breakingOnSigint(f: () => void): void {
  const g = globalThis as unknown as Record<symbol, (() => void) | undefined>;
  if (!isMainThread || g[INTERRUPTIBLE] !== undefined) return f();
  g[INTERRUPTIBLE] = f;
  try {
    callInterruptible.runInThisContext({ breakOnSigint: true });
  } finally {
    g[INTERRUPTIBLE] = undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already renamed or never created
  }
}

/**
 * Writes several files all or nothing: every text goes to a temporary file beside its target first,
 * and only when all of them are written are they renamed into place. On an error the temporary files
 * are removed and no target is created or changed, so a reader never sees half a file or half a set
 * (only a rename failing after others succeeded — a file-system fault, not a bad path — leaves the
 * earlier targets replaced). Callers check the paths with checkOutputPaths before their run.
 */
export function writeFilesAtomic(files: readonly (OutputTarget & { readonly text: string })[]): void {
  const outputs = new AtomicOutputs();
  outputs.allOrNothing(() => {
    for (const f of files) outputs.writeText(f);
  });
}
