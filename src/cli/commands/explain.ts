import type { Argv, CommandModule } from "yargs";
import { stringify } from "yaml";
import { loadScenario } from "../../config/scenario.js";
import { seedOption, withConfigOptions } from "../common-options.js";

interface ExplainArgs {
  config: string;
  set: string[];
  seed?: string;
  json?: boolean;
}

/** `ascend-sim explain <config>`: print the resolved scenario (presets expanded, defaults filled, units normalised). */
export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: "explain <config>",
  describe: "print the resolved scenario: presets expanded, defaults filled, units normalised",
  builder: (y: Argv) =>
    withConfigOptions(y)
      .option("json", { type: "boolean", describe: "print JSON instead of YAML" })
      .example("$0 explain configs/hccs-allreduce.yaml", "show every default the run will use")
      .example("$0 explain configs/hccs-allreduce.yaml --set cluster.hccs_link_bandwidth=50GB/s", "see the effect of an override") as unknown as Argv<ExplainArgs>,
  handler: (args) => {
    const s = loadScenario(args.config, { sets: args.set, seed: seedOption(args.seed) });
    process.stdout.write(args.json ? JSON.stringify(s.resolved, null, 2) + "\n" : stringify(s.resolved, { lineWidth: 0 }));
  },
};
