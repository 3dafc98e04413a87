import { renameSync, unlinkSync, writeFileSync } from "node:fs";
import { inputError } from "../config/errors.js";

/** Writes `text` to `path` via a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string, what: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created
    }
    inputError({ path: "", message: `cannot write the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
}
