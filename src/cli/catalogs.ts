/** Registries that other parts of the simulator fill in (chips, models), as [name, description] rows. */
export const CATALOGS = {
  chips: (): [string, string][] => [],
  models: (): [string, string][] => [],
};
