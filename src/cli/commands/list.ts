import type { Argv, CommandModule } from "yargs";
import { ALGORITHMS } from "../../collectives/algorithms.js";
import { NETWORK_MODELS } from "../../network/registry.js";
import { renderTable } from "../../report/summary-table.js";
import { CLUSTER_PRESETS } from "../../topology/registry.js";
import { WORKLOADS } from "../../workload/registry.js";
import { closest } from "../../config/did-you-mean.js";
import { CATALOGS } from "../catalogs.js";
import { UsageError } from "../common-options.js";

interface ListArgs {
  what?: string;
}

/** Every listable registry: name → rows of [name, one-line description]. */
function registries(): Record<string, () => [string, string][]> {
  return {
    chips: () => CATALOGS.chips(),
    clusters: () => Object.entries(CLUSTER_PRESETS).map(([k, p]) => [k, `${p.description} (type ${p.type})`]),
    models: () => CATALOGS.models(),
    workloads: () => Object.entries(WORKLOADS).map(([k, w]) => [k, w.description]),
    networks: () => Object.entries(NETWORK_MODELS).map(([k, m]) => [k, m.description]),
    algorithms: () => Object.entries(ALGORITHMS).map(([k, a]) => [k, a.description]),
  };
}

/** `ascend-sim list [what]`: presets and registries with one-line descriptions. */
export const listCommand: CommandModule<object, ListArgs> = {
  command: "list [what]",
  describe: "list presets and registries: chips, clusters, models, workloads, networks, algorithms",
  builder: (y: Argv) =>
    y
      // checked in the handler (not by yargs `choices`) for a message with "did you mean"
      .positional("what", {
        type: "string",
        describe: "which registry: chips, clusters, models, workloads, networks or algorithms (default: all)",
      })
      .example("$0 list clusters", "cluster presets usable as `cluster: <name>`")
      .example("$0 list", "everything") as unknown as Argv<ListArgs>,
  handler: (args) => {
    const regs = registries();
    const valid = Object.keys(regs);
    if (args.what !== undefined && !Object.hasOwn(regs, args.what)) {
      const hint = closest(args.what, valid);
      throw new UsageError(`unknown list "${args.what}"${hint ? ` (did you mean "${hint}"?)` : ""}; valid: ${valid.join(", ")}`);
    }
    const names = args.what !== undefined ? [args.what] : valid;
    const out: string[] = [];
    for (const name of names) {
      const rows = regs[name]!();
      out.push(rows.length === 0 ? `${name}\n  (none yet)` : renderTable({ title: name, head: ["name", "description"], rows }));
    }
    process.stdout.write(out.join("\n\n") + "\n");
  },
};
