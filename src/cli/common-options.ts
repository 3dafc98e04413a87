import type { Argv } from "yargs";

/** Options shared by every command that loads a config: `--set` (repeatable) and `--seed`. */
export function withConfigOptions<T>(y: Argv<T>) {
  return y
    .positional("config", { type: "string", describe: "scenario YAML file", demandOption: true })
    .option("set", {
      type: "string",
      array: true,
      requiresArg: true,
      default: [] as string[],
      describe: "edit the config before validation: key.path=value (value parsed as YAML; repeatable)",
    })
    .option("seed", { type: "string", requiresArg: true, describe: "override the config's seed (integer 0 … 4294967295)" });
}

/** Parses `--seed` as an integer from 0 to 2³²−1, quoting what the user typed when it is not. */
export function seedOption(text: string | undefined): number | undefined {
  return integerOption(text, "--seed", 0, 4294967295);
}

/**
 * Parses an integer option (`--jobs`, `--seeds`, `--top`, `--context`) typed as text, so that a bad value
 * is quoted as the user typed it (`--jobs expects a positive integer, got "abc"`), not as NaN.
 */
export function integerOption(text: string | undefined, flag: string, min: 0 | 1 = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*\+?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}` : `a ${min === 1 ? "positive" : "non-negative"} integer`;
    throw new UsageError(`${flag} expects ${range}, got "${text}"`);
  }
  return n;
}

/** A command-line misuse (exit code 2); `usage` is the command's usage line, printed under the message when given. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** A command's deliberate non-zero exit after it printed its output (e.g. `validate` with a failed target). */
export class ExitStatus extends Error {
  override name = "ExitStatus";
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
