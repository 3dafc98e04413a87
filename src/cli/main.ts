import yargs from "yargs";
import { InputError, formatIssue } from "../config/errors.js";
import { TimeLimitExceeded } from "../engine/index.js";
import { VERSION } from "../version.js";
import { ExitStatus, UsageError } from "./common-options.js";
import { diffCommand } from "./commands/diff.js";
import { explainCommand } from "./commands/explain.js";
import { listCommand } from "./commands/list.js";
import { runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { searchCommand } from "./commands/search.js";
import { sweepCommand } from "./commands/sweep.js";
import { validateCommand } from "./commands/validate.js";

/** Exit codes: 0 ok, 1 a failed check (validate, diff, a failed sweep point, no feasible search point) or an internal error, 2 invalid input or usage. */
export const EXIT = { ok: 0, internal: 1, input: 2 } as const;

/**
 * The CLI entry point and the only place that catches errors: input and usage errors print their
 * messages and exit 2 (no stack trace), anything else is a bug: exit 1 with a "please report" hint.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  try {
    await yargs([...argv])
      .scriptName("ascend-sim")
      .usage("$0 <command> [options]\n\nCycle-approximate simulator of Huawei Ascend NPU clusters.")
      .command(runCommand)
      .command(explainCommand)
      .command(listCommand)
      .command(validateCommand)
      .command(sweepCommand)
      .command(searchCommand)
      .command(diffCommand)
      .command(schemaCommand)
      .demandCommand(1, "name a command: run, explain, list, validate, sweep, search, diff or schema (see --help)")
      .strict()
      .recommendCommands()
      .version(VERSION)
      .help()
      .alias("h", "help")
      .wrap(Math.min(110, process.stdout.columns || 110))
      .example("$0 run configs/hccs-allreduce.yaml", "simulate a scenario")
      .example("$0 list clusters", "show cluster presets")
      .epilogue("Exit codes: 0 ok, 1 a failed check (validate, diff, a failed sweep point, no feasible search point) or an internal error, 2 invalid input or usage.")
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .middleware(rejectRepeatedOptions, true)
      .parseAsync();
  } catch (e) {
    code = report(e);
  }
  return code;
}

/** Options that may be given several times (yargs collects them into arrays); the positional `files` of `sweep merge`. */
const REPEATABLE = new Set(["_", "$0", "--", "set", "grid", "zip", "constraint", "files"]);

/** An option given twice would reach the commands as an array: a usage error naming it (`--seed 1 --seed 2`, `--trace a --trace b`). */
function rejectRepeatedOptions(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    // yargs also stores a camelCase copy of dashed names (chrome-trace → chromeTrace): report the dashed one
    if (Array.isArray(value) && !REPEATABLE.has(key) && !/[A-Z]/.test(key)) throw new UsageError(`--${key} given more than once (${value.map((v) => JSON.stringify(v)).join(", ")}): give it once`);
  }
}

function report(e: unknown): number {
  if (e instanceof ExitStatus) return e.code;
  if (e instanceof InputError) {
    for (const issue of e.issues) process.stderr.write(`error: ${formatIssue(issue)}\n`);
    return EXIT.input;
  }
  if (e instanceof TimeLimitExceeded) {
    process.stderr.write(`error: ${e.message}; check the sizes, bandwidths and durations of the scenario\n`);
    return EXIT.input;
  }
  if (e instanceof UsageError || (e instanceof Error && e.name === "YError")) {
    process.stderr.write(`error: ${e.message}\nrun "ascend-sim --help" for usage\n`);
    return EXIT.input;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `internal error: ${msg}\nthis is a bug in ascend-sim ${VERSION}: please report it with the config and the command line ` +
      `(set ASCEND_SIM_DEBUG=1 for the stack trace)\n`,
  );
  if (process.env.ASCEND_SIM_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
  return EXIT.internal;
}
