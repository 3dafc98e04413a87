/**
 * Search-space files with odd content, and search options that do not fit the space: each is an input
 * error naming the space file, its line and column and the knob or generator — in a search space's own
 * words — before anything runs; nothing is silently ignored, repeated or ranked by an arbitrary row.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSearch } from "../../src/search/search.js";
import { loadSpace, spacePoints, valueText } from "../../src/search/space.js";
import { inputErrorOf } from "../helpers/input-error.js";

const CONFIG = "configs/hccs-allreduce.yaml";
const SMALL = ["workload.sizes.to=4KiB"];
const dir = mkdtempSync(join(tmpdir(), "ascend-sim-space-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function spaceFile(yaml: string): string {
  const f = join(dir, `space-${n++}.yaml`);
  writeFileSync(f, yaml);
  return f;
}

/** The message of the input error that loading (or searching) a space with this content gives. */
const spaceError = (yaml: string) => {
  const f = spaceFile(yaml);
  return { f, message: inputErrorOf(() => loadSpace(f)) };
};

async function searchError(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    return inputErrorOf(() => {
      throw e;
    });
  }
  throw new Error("expected an input error, the search succeeded");
}

describe("space files that are not a space", () => {
  it("empty, or only comments: the search space is empty (not 'the config is empty')", () => {
    for (const yaml of ["", "# knobs: later\n"]) {
      const { f, message } = spaceError(yaml);
      expect(message).toBe(`${f}: the search space is empty: expected a mapping with \`knobs:\` and/or \`generators:\``);
    }
  });

  it("a list or a scalar at the top level, located", () => {
    const { f, message } = spaceError("\n[1, 2]\n");
    expect(message).toBe(`${f}:2:1: expected a mapping with \`knobs:\` and/or \`generators:\` at the top level of the search space`);
  });

  it("a scenario given as --space says so and where it belongs", () => {
    const { message } = spaceError("cluster: atlas-800t-a2\nworkload:\n  kind: collective-bench\n");
    expect(message).toMatch(/: this is a scenario \(it has workload: or cluster:\), not a search space: give it as the <config> argument/);
  });
});

describe("knobs and generators", () => {
  it("an empty or malformed knob name is named as such (zod said 'Invalid key in record')", () => {
    const { f, message } = spaceError('knobs:\n  workload.ranks: [2]\n  "": [1]\n');
    expect(message).toBe(`${f}:3:3 knobs: expected a knob: a config path such as workload.ranks, got ""`);
    expect(spaceError("knobs:\n  workload..ranks: [2]\n").message).toMatch(/:2:3 knobs: expected a knob: .*got "workload\.\.ranks"$/);
    expect(spaceError("generators:\n  - factorize: {product: 4, into: [cluster.npus, '']}\n").message).toMatch(/:2:50 generators\.0\.factorize\.into\.1: expected a knob: .*got ""$/);
  });

  it("the same value twice on one axis would run and rank the point twice: refused at the second", () => {
    const { f, message } = spaceError("knobs:\n  workload.ranks: [2, 4, 2]\n");
    expect(message).toBe(`${f}:2:26 knobs.workload.ranks.2: values 0 and 2 are the same (2): each point would run twice`);
    expect(spaceError("knobs:\n  workload.ranks: [null, ~]\n").message).toMatch(/values 0 and 1 are the same \(null\)/);
    expect(spaceError("generators:\n  - choose: [{parallel.pp: 2, parallel.vpp: 1}, {parallel.pp: 2, parallel.vpp: 1}]\n").message).toMatch(
      /:2:49 generators\.0\.choose\.1: alternatives 0 and 1 are the same \(parallel\.pp=2 parallel\.vpp=1\)/,
    );
  });

  it("a knob spelled two ways (a[0].b and a.0.b) is one knob, claimed twice", () => {
    expect(spaceError("knobs:\n  workload.instances[0].count: [1]\n  workload.instances.0.count: [2]\n").message).toMatch(/:3:3 workload\.instances\.0\.count: this knob appears twice/);
  });

  it("an alternative that sets no knob", () => {
    expect(spaceError("generators:\n  - choose: [{}, {}]\n").message).toMatch(/:2:14 generators\.0\.choose\.0: an alternative sets no knob/);
  });

  it("a factorize cap on a knob the generator does not set is refused, not ignored", () => {
    const { f, message } = spaceError("generators:\n  - factorize: {product: 8, into: [cluster.npus], max: {workload.ranks: 2}}\n");
    expect(message).toBe(`${f}:2:57 generators.0.factorize.max.workload.ranks: caps a knob that is not in \`into\` (cluster.npus): a cap applies to one of the factorised knobs`);
  });

  it("factorize and choose problems carry the generator's line", () => {
    expect(spaceError("knobs:\n  a.b: [1]\ngenerators:\n  - factorize: {product: 7, into: [x.a, x.b], powers_of_two: true}\n").message).toMatch(/:4:16 generators\.0\.factorize: no factorisation of 7/);
    expect(spaceError("generators:\n  - choose: [{a.b: 1}, {a.c: 2}]\n").message).toMatch(/:2:24 generators\.0\.choose\.1: every alternative must set the same knobs/);
  });

  it("infinite and NaN values keep YAML's spelling as --set text (String() gave the string \"Infinity\")", () => {
    expect([valueText(Infinity), valueText(-Infinity), valueText(NaN)]).toEqual([".inf", "-.inf", ".nan"]);
    expect(spacePoints(loadSpace(spaceFile("knobs:\n  a.b: [.inf, 1]\n"))).map((p) => p.values[0]![1])).toEqual([".inf", "1"]);
  });
});

describe("search options against the space", () => {
  it("a knob that does not exist, from the space file, is named at its line there (not as a --set the user never typed)", async () => {
    const space = spaceFile("knobs:\n  workload.ranks: [2]\n  workload.rankz: [2, 4]\n");
    const message = await searchError(() => runSearch({ config: CONFIG, sets: SMALL, space, objective: "ranks" }));
    expect(message).toMatch(new RegExp(`^${space.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:3 workload\\.rankz: unknown key "rankz" \\(did you mean "ranks"\\?\\)`));
    expect(message).not.toMatch(/--set/);
  });

  it("a mistake in the user's own --set still names that --set", async () => {
    const space = spaceFile("knobs:\n  workload.ranks: [2, 4]\n");
    expect(await searchError(() => runSearch({ config: CONFIG, sets: [...SMALL, "workload.rankz=2"], space, objective: "ranks" }))).toMatch(/^--set workload\.rankz=2 workload\.rankz: unknown key/);
  });

  it("--seed with a `seed` knob is refused: every point would run with --seed", async () => {
    const space = spaceFile("knobs:\n  seed: [1, 2]\n");
    expect(await searchError(() => runSearch({ config: CONFIG, sets: SMALL, space, objective: "ranks", seed: 3 }))).toBe(`${space}:2:3 seed: --seed 3 gives every point that seed, in place of this knob's values: drop --seed or the knob`);
  });

  it("an objective or constraint selector that leaves several rows is refused, not ranked by the first row", async () => {
    const space = spaceFile("knobs:\n  workload.ranks: [2, 4]\n");
    const objective = await searchError(() => runSearch({ config: CONFIG, sets: SMALL, space, objective: "results[algorithm=ring].time_us" }));
    expect(objective).toMatch(/^metric "results\[algorithm=ring\]\.time_us" selects 2 values in the first point's output, one per row it leaves: add a \[field=value\] filter .*\(e\.g\. "results\[algorithm=ring\]\[size_bytes=1024\]\.time_us"\)$/);
    const constraint = await searchError(() => runSearch({ config: CONFIG, sets: SMALL, space, objective: "ranks", constraints: ["results.time_us<=100"] }));
    expect(constraint).toMatch(/^metric "results\.time_us" selects 4 values/);
    const ok = await runSearch({ config: CONFIG, sets: SMALL, space, objective: "results[algorithm=ring][size_bytes=1024].time_us", minimize: true });
    expect(ok.ranked.map((e) => e.point.values[0]![1])).toEqual(["2", "4"]);
  });
});
