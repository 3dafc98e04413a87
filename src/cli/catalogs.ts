import { CHIPS } from "../hw/chips.js";
import { modelCatalog } from "../model/presets.js";

/** Registries listed by `ascend-sim list` that live outside the CLI, as [name, description] rows. */
export const CATALOGS = {
  chips: (): [string, string][] => Object.entries(CHIPS).map(([k, c]) => [k, c.description]),
  models: (): [string, string][] => modelCatalog(),
};
