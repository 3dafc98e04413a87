/**
 * The seeds a sweep runs with: `--seed` and `--seeds K` override the config's seed at every point, so a
 * combination that would be ignored or fail at every point is an input error before anything runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planSweep } from "../../../src/sweep/sweep.js";
import { inputErrorOf } from "../../helpers/input-error.js";

const CONFIG = "configs/hccs-allreduce.yaml";
const dir = mkdtempSync(join(tmpdir(), "ascend-sim-seed-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** hccs-allreduce.yaml with its `seed:` line (line 4) replaced. */
function withSeedLine(name: string, line: string): string {
  const text = readFileSync(CONFIG, "utf8");
  expect(text.split("\n")[3]).toMatch(/^seed: 1\b/);
  const file = join(dir, name);
  writeFileSync(file, text.replace(/^seed: .*$/m, line));
  return file;
}

describe("sweep seeds", () => {
  it("start at --seed, else at the config's seed, and count up", () => {
    expect(planSweep({ config: CONFIG, seeds: 3 }).seeds).toEqual([1, 2, 3]);
    expect(planSweep({ config: CONFIG, seeds: 2, seed: 7 }).seeds).toEqual([7, 8]);
    expect(planSweep({ config: withSeedLine("s42.yaml", "seed: 42"), seeds: 2 }).seeds).toEqual([42, 43]);
  });

  it("--seed with a swept `seed` is refused: every point would run with --seed while the output lists the swept value", () => {
    expect(inputErrorOf(() => planSweep({ config: CONFIG, grid: ["seed=1,2"], seed: 5 }))).toBe("seed: --seed 5 gives every point that seed, in place of the swept `seed`: drop --seed, or sweep the seed with --seeds K instead");
    expect(planSweep({ config: CONFIG, grid: ["seed=1,2"] }).points).toHaveLength(2);
  });

  it("seeds past 4294967295 are refused before any point runs (each point used to fail on its own)", () => {
    expect(inputErrorOf(() => planSweep({ config: CONFIG, seeds: 3, seed: 4294967295 }))).toBe(
      "--seeds 3 from --seed 4294967295 needs seeds up to 4294967297, past the largest seed 4294967295: start from a seed of at most 4294967293 (--seed)",
    );
    expect(inputErrorOf(() => planSweep({ config: withSeedLine("max.yaml", "seed: 4294967295"), seeds: 2 }))).toMatch(/^--seeds 2 from the config's seed 4294967295 needs seeds up to 4294967296/);
    expect(planSweep({ config: CONFIG, seeds: 3, seed: 4294967293 }).seeds).toEqual([4294967293, 4294967294, 4294967295]);
  });

  it("an invalid config seed is an error at its line, not silently replaced by seed 1 under --seeds", () => {
    const file = withSeedLine("abc.yaml", "seed: abc");
    expect(inputErrorOf(() => planSweep({ config: file, seeds: 2 }))).toBe(`${file}:4:7 seed: expected an integer from 0 to 4294967295 (the first of the --seeds 2 seeds), got "abc"`);
    expect(inputErrorOf(() => planSweep({ config: CONFIG, seeds: 2, sets: ["seed=-3"] }))).toBe('--set seed=-3 seed: expected an integer from 0 to 4294967295 (the first of the --seeds 2 seeds), got -3');
  });
});
