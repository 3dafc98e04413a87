#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm ci` through the `prepare` script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("ascend-sim is not built: run `npm ci` (or `npm run build`) in the repository first\n");
  process.exit(1);
}
// a reader that stops early (`ascend-sim schema | head`) is not an error: stop quietly, as other tools do
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// let stdout drain before exiting with the code
process.exitCode = code;
