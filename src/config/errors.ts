import { escapeInvisible } from "../units/index.js";

/** One problem with the user's input, located as precisely as we can. */
export interface InputIssue {
  /** Config file path as the user gave it (absent for pure usage errors). */
  readonly file?: string;
  /** 1-based line and column in the file. */
  readonly line?: number;
  readonly col?: number;
  /** The command-line flag the value came from (`--set a.b=3`, `--seed 7`), when it came from one. */
  readonly fromSet?: string;
  /** Dotted config path, e.g. `workload.sizes.from` ("" for the whole document). */
  readonly path: string;
  /** What was expected and what was found. */
  readonly message: string;
}

/**
 * Bad input (config, trace, command line): the CLI prints each issue and exits with code 2.
 * The library throws it; only `cli/main.ts` catches it.
 */
export class InputError extends Error {
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "InputError";
  }
}

/**
 * Issues in reading order: command-line ones first (in argument order), then the file's by line and
 * column, then unlocated ones. Stable, so equal positions keep their discovery order.
 */
export function inReadingOrder(issues: readonly InputIssue[]): InputIssue[] {
  const rank = (i: InputIssue): number => (i.fromSet !== undefined ? 0 : i.line !== undefined ? 1 : 2);
  return [...issues].sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/** Throws an InputError with a single issue. */
export function inputError(issue: InputIssue): never {
  throw new InputError([issue]);
}

/**
 * `file.yaml:12:5 workload.batch: expected …` (or `--set a.b=3: …`). Invisible characters of the file
 * name, `--set` argument and path (a key typed with a U+0085 or a zero-width space) are shown escaped.
 */
export function formatIssue(i: InputIssue): string {
  let where = "";
  if (i.fromSet !== undefined) where = i.fromSet;
  else if (i.file !== undefined) where = i.line !== undefined ? `${i.file}:${i.line}:${i.col ?? 1}` : i.file;
  const path = escapeInvisible(i.path);
  const head = [escapeInvisible(where), path].filter((s) => s !== "").join(" ");
  return head === "" ? i.message : `${head}: ${i.message}`;
}
