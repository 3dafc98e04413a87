import { InputError } from "../../src/config/errors.js";
import { loadScenario, type LoadOptions } from "../../src/config/scenario.js";

/** What an input error says, one issue per line (as the CLI prints it before exiting with code 2); throws if `f` succeeds or throws anything else. */
export function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error("expected an InputError, the call succeeded");
}

/** What loading `file` with `sets` (or `opts`) says: inputErrorOf(loadScenario). */
export function loadError(file: string, sets: string[], opts: LoadOptions = {}): string {
  return inputErrorOf(() => loadScenario(file, { ...opts, sets }));
}
