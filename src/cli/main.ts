import { constants } from "node:os";
import yargs, { type CommandModule } from "yargs";
import { closest } from "../config/did-you-mean.js";
import { InputError, formatIssue } from "../config/errors.js";
import { TimeLimitExceeded } from "../engine/index.js";
import { VERSION } from "../version.js";
import { ExitStatus, UsageError } from "./common-options.js";
import { Interrupted } from "./output-file.js";
import { diffCommand } from "./commands/diff.js";
import { explainCommand } from "./commands/explain.js";
import { listCommand } from "./commands/list.js";
import { runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { searchCommand } from "./commands/search.js";
import { sweepCommand, sweepMerge, sweepRun } from "./commands/sweep.js";
import { validateCommand } from "./commands/validate.js";

/** Exit codes: 0 ok, 1 a failed check (validate, diff, a failed sweep point, no feasible search point) or an internal error, 2 invalid input or usage (130: interrupted by Ctrl-C, see report). */
export const EXIT = { ok: 0, internal: 1, input: 2 } as const;

/**
 * The CLI entry point and the only place that catches errors: input and usage errors print their
 * messages and exit 2 (no stack trace), anything else is a bug: exit 1 with a "please report" hint.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const command = commandOf(argv);
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
      .epilogue("Exit codes: 0 ok, 1 a failed check (validate, diff, a failed sweep point, no feasible search point) or an internal error, 2 invalid input or usage, 130 interrupted (Ctrl-C).")
      .fail((msg, err) => {
        // yargs' own errors (YError) are usage errors too: put them in this CLI's words
        if (err !== undefined && err !== null && err.name !== "YError") throw err;
        throw usageError(msg ?? err?.message ?? "", argv, command);
      })
      .middleware((parsed) => rejectRepeatedOptions(parsed, argv, command), true)
      .parseAsync();
  } catch (e) {
    code = report(e, command);
  }
  return code;
}

/** A command's name as typed ("sweep merge" for the subcommand), its module, its usage line and what its positionals are. */
interface CommandInfo {
  readonly name: string;
  readonly module: CommandModule;
  readonly usage: string;
  /** What the command's required positional arguments are, for "missing" messages. */
  readonly needs?: string;
}

const CONFIG_NEEDED = "a config file (a scenario YAML, e.g. configs/hccs-allreduce.yaml)";

/** Every command, with the usage line of the README's CLI section. */
const COMMANDS: readonly CommandInfo[] = [
  { name: "run", module: runCommand as CommandModule, usage: "ascend-sim run <config> [--set key.path=value]… [--seed N] [--json] [--trace FILE] [--stats] [options]", needs: CONFIG_NEEDED },
  { name: "explain", module: explainCommand as CommandModule, usage: "ascend-sim explain <config> [--set key.path=value]… [--seed N] [--json]", needs: CONFIG_NEEDED },
  { name: "list", module: listCommand as CommandModule, usage: "ascend-sim list [chips|clusters|models|workloads|networks|algorithms]" },
  { name: "validate", module: validateCommand as CommandModule, usage: "ascend-sim validate [--only PREFIX] [--json] [--jobs N]" },
  { name: "sweep merge", module: sweepMerge as CommandModule, usage: "ascend-sim sweep merge <shard.jsonl…> [--out FILE] [--report FILE]", needs: "the shard files to join (the JSONL outputs of `sweep --shard i/n`)" },
  { name: "sweep", module: sweepRun as CommandModule, usage: "ascend-sim sweep <config> --grid key.path=v1,v2 … [--zip …] [--seeds K] [--jobs N] [--shard i/n] [--out FILE]", needs: CONFIG_NEEDED },
  { name: "search", module: searchCommand as CommandModule, usage: "ascend-sim search <config> --space FILE --objective METRIC [--constraint 'm<=v']… [--top N] [options]", needs: CONFIG_NEEDED },
  { name: "diff", module: diffCommand as CommandModule, usage: "ascend-sim diff <a.json|a.jsonl> <b.json|b.jsonl> [--threshold 2%] [--json]", needs: "two files to compare (two `run --json` outputs or two `run --trace` files)" },
  { name: "schema", module: schemaCommand as CommandModule, usage: "ascend-sim schema" },
];

/** The words of argv before `--` that are not options (nor, roughly, their values: what follows `--x` when it is not a flag is skipped only for the command search). */
function words(argv: readonly string[]): string[] {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).filter((a) => !a.startsWith("-"));
}

/** The command argv names (`sweep merge` for the subcommand), or undefined for none or an unknown one. */
function commandOf(argv: readonly string[]): CommandInfo | undefined {
  const [first, second] = words(argv);
  if (first === "sweep" && second === "merge") return COMMANDS.find((c) => c.name === "sweep merge");
  return COMMANDS.find((c) => c.name === first);
}

/** The long option names a command declares (as typed: `chrome-trace`), plus the global ones. */
function optionsOf(info: CommandInfo | undefined): string[] {
  const names: string[] = [];
  if (info === undefined) return ["help", "version"];
  // run the builder against a stub that records `.option(name, …)`
  const stub: unknown = new Proxy(function () {}, {
    get: (_, prop) => (prop === "option" || prop === "options" ? (name: string) => (typeof name === "string" && names.push(name), stub) : () => stub),
  });
  (info.module.builder as (y: unknown) => unknown)(stub);
  return [...names, "help", "version"];
}

/** A yargs usage message in the words of this CLI: what is wrong, the closest valid name, the valid ones. */
function usageError(msg: string, argv: readonly string[], command: CommandInfo | undefined): UsageError {
  const first = words(argv)[0];
  if (command === undefined && first !== undefined) {
    const names = [...new Set(COMMANDS.map((c) => c.name.split(" ")[0]!))];
    const hint = closest(first, names);
    return new UsageError(`unknown command "${first}"${hint ? ` (did you mean "${hint}"?)` : ""}; commands: ${names.join(", ")}`);
  }
  const options = optionsOf(command);
  const where = command !== undefined ? `${command.name} ` : "";
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  if (unknown) {
    // yargs names an unknown option as typed, camel-cased (`chrome-trce, chromeTrce`) and without `no-`:
    // map each spelling back to the option as typed
    const typed = new Map<string, string>();
    for (const a of argv) {
      if (a === "--") break;
      if (!a.startsWith("-")) continue;
      const name = a.replace(/^-+/, "").split("=")[0]!;
      const bare = name.startsWith("no-") ? name.slice(3) : name;
      for (const n of [name, bare]) for (const alias of [n, n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())]) if (!typed.has(alias)) typed.set(alias, name);
    }
    const reported = unknown[1]!.split(", ");
    const extra = reported.filter((name) => !typed.has(name));
    const names = [...new Set(reported.filter((name) => typed.has(name)).map((name) => typed.get(name)!))];
    // a word too many (`run a.yaml b.yaml`): the usage line says what the command takes
    if (extra.length > 0) return new UsageError(`unexpected argument${extra.length > 1 ? "s" : ""} ${extra.map((n) => `"${n}"`).join(", ")}`, command?.usage);
    const problems = names.map((name) => {
      const negated = name.startsWith("no-") && !options.includes(name);
      const hint = closest(negated ? name.slice(3) : name, options);
      return `unknown option --${name}${hint ? ` (did you mean --${negated ? "no-" : ""}${hint}?)` : ""}`;
    });
    return new UsageError(`${problems.join("; ")}; ${where}options: ${options.map((o) => `--${o}`).join(", ")}`);
  }
  const few = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(msg);
  if (few && command?.needs !== undefined) return new UsageError(`${command.name} needs ${command.needs}; got ${few[1] === "0" ? "none" : few[1]}`, command.usage);
  const valueless = /^Not enough arguments following: (.+)$/.exec(msg);
  if (valueless) return new UsageError(`--${valueless[1]} expects a value`, command?.usage);
  const missing = /^Missing required arguments?: (.+)$/.exec(msg);
  if (missing) return new UsageError(`${where}needs ${missing[1]!.split(", ").map((o) => `--${o}`).join(" and ")}`, command?.usage);
  return new UsageError(msg, command?.usage);
}

/** Options that may be given several times (yargs collects them into arrays); the positional `files` of `sweep merge`. */
const REPEATABLE = new Set(["_", "$0", "--", "set", "grid", "zip", "constraint", "files"]);

/**
 * An option given twice would reach the commands as an array: a usage error naming it (`--seed 1 --seed 2`,
 * `--trace a --trace b`). yargs folds a repeated flag (`--json --json`, `--stats --no-stats`) into one value,
 * so flags are counted in the command line as typed (before `--`).
 */
function rejectRepeatedOptions(parsed: Record<string, unknown>, argv: readonly string[], command: CommandInfo | undefined): void {
  for (const [key, value] of Object.entries(parsed)) {
    // yargs also stores a camelCase copy of dashed names (chrome-trace → chromeTrace): report the dashed one
    if (Array.isArray(value) && !REPEATABLE.has(key) && !/[A-Z]/.test(key)) throw new UsageError(`--${key} given more than once (${value.map((v) => JSON.stringify(v)).join(", ")}): give it once`);
  }
  const known = new Set(optionsOf(command));
  const end = argv.indexOf("--");
  const seen = new Map<string, string>();
  for (const arg of end < 0 ? argv : argv.slice(0, end)) {
    if (!arg.startsWith("--")) continue;
    let name = arg.slice(2).split("=")[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (!known.has(name) && name.startsWith("no-") && known.has(name.slice(3))) name = name.slice(3);
    if (!known.has(name) || REPEATABLE.has(name)) continue;
    const before = seen.get(name);
    if (before !== undefined) throw new UsageError(`--${name} given more than once (${before} and ${arg}): give it once`);
    seen.set(name, arg);
  }
}

function report(e: unknown, command: CommandInfo | undefined): number {
  if (e instanceof ExitStatus) return e.code;
  if (e instanceof Interrupted) {
    // the run's progress line (a terminal only) was not cleared: the interruption skipped its `finally`
    process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[K" : ""}ascend-sim: ${e.message}\n`);
    // the shell's convention for a command ended by a signal: 128 + its number (SIGINT 2: 130)
    return 128 + constants.signals[e.signal];
  }
  if (e instanceof InputError) {
    for (const issue of e.issues) process.stderr.write(`error: ${formatIssue(issue)}\n`);
    return EXIT.input;
  }
  if (e instanceof TimeLimitExceeded) {
    process.stderr.write(`error: ${e.message}; check the sizes, bandwidths and durations of the scenario\n`);
    return EXIT.input;
  }
  if (e instanceof UsageError || (e instanceof Error && e.name === "YError")) {
    const usage = e instanceof UsageError && e.usage !== undefined ? `usage: ${e.usage}\n` : "";
    // the help of the command at hand, not the list of commands
    process.stderr.write(`error: ${e.message}\n${usage}run "ascend-sim ${command !== undefined ? `${command.name} ` : ""}--help" for usage\n`);
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
