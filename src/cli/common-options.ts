import type { Argv } from "yargs";

/** Options shared by every command that loads a config: `--set` (repeatable) and `--seed`. */
export function withConfigOptions<T>(y: Argv<T>) {
  return y
    .positional("config", { type: "string", describe: "scenario YAML file", demandOption: true })
    .option("set", {
      type: "string",
      array: true,
      default: [] as string[],
      describe: "edit the config before validation: key.path=value (value parsed as YAML; repeatable)",
    })
    .option("seed", { type: "number", describe: "override the config's seed (integer)" });
}

/** Validates `--seed` as a non-negative integer. */
export function seedOption(seed: number | undefined): number | undefined {
  if (seed === undefined) return undefined;
  if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    throw new UsageError(`--seed expects an integer from 0 to 4294967295, got ${seed}`);
  }
  return seed;
}

/** A command-line misuse (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}
