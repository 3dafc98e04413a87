import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/errors.js";
import { loadScenario } from "../../src/config/scenario.js";
import { expandPoints, pointSets, sweepDimensions } from "../../src/sweep/grid.js";
import { ROOT } from "../helpers/cli.js";

// docs/sweep.md shows sweeps to copy into a Slurm array job or a Kubernetes Job. A point that fails makes
// its shard exit 1 (and an `afterok` merge never run), so every point of every documented sweep must load.

/** The `sweep configs/… --grid …/--zip …/--set …` command lines of a Markdown page, continuation lines joined. */
function sweepCommands(markdown: string): { config: string; grid: string[]; zip: string[]; sets: string[] }[] {
  const text = markdown.replace(/\\\n\s*/g, " ").replace(/\n {6,}(?=--)/g, " ");
  const out: { config: string; grid: string[]; zip: string[]; sets: string[] }[] = [];
  for (const m of text.matchAll(/ascend-sim sweep (configs\/\S+\.yaml)([^\n]*)/g)) {
    const flags = [...m[2]!.matchAll(/--(grid|zip|set) (\S+)/g)];
    const pick = (name: string) => flags.filter((f) => f[1] === name).map((f) => f[2]!);
    out.push({ config: m[1]!, grid: pick("grid"), zip: pick("zip"), sets: pick("set") });
  }
  return out;
}

describe("docs/sweep.md", () => {
  const commands = sweepCommands(readFileSync(join(ROOT, "docs", "sweep.md"), "utf8"));

  it("shows sweeps (the local one, the Slurm array job and the Kubernetes Job)", () => {
    expect(commands.length).toBeGreaterThanOrEqual(3);
  });

  it.each(commands.map((c) => [`${c.config} ${[...c.grid, ...c.zip].join(" ")}`, c] as const))("every point of `sweep %s` loads", (_, c) => {
    const points = expandPoints(sweepDimensions(c.grid, c.zip));
    expect(points.length).toBeGreaterThan(1);
    const failed: string[] = [];
    for (const p of points) {
      try {
        loadScenario(join(ROOT, c.config), { sets: [...c.sets, ...pointSets(p)] });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        failed.push(`${pointSets(p).join(" ")}: ${e.message}`);
      }
    }
    expect(failed).toEqual([]);
  });
});
