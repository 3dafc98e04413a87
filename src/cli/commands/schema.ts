import type { Argv, CommandModule } from "yargs";
import { configJsonSchemaText } from "../../config/json-schema.js";

/** `ascend-sim schema`: print the JSON Schema of a scenario config (the text of configs/schema.json). */
export const schemaCommand: CommandModule<object, object> = {
  command: "schema",
  describe: "print the JSON Schema (draft 2020-12) of a scenario config, for editors and validators (configs/schema.json)",
  builder: (y: Argv) =>
    y
      .example("$0 schema > configs/schema.json", "regenerate the committed schema (npm run schema)")
      .example("# yaml-language-server: $schema=./schema.json", "first line of a config in configs/: editor completion and checks"),
  handler: () => {
    process.stdout.write(configJsonSchemaText());
  },
};
