import { createRequire } from "node:module";

/** The package version (from package.json), written into every JSON output. */
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;

/** The tool name written into every JSON output. */
export const TOOL = "ascend-sim";
