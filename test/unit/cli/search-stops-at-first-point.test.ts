import { describe, expect, it, vi } from "vitest";

/*
 * `search --objective mfu_typo` (or a constraint on a metric the workload does not report) cannot rank
 * anything: the first point's output shows it, so the search stops there instead of running every point
 * and saying so at the end. Tests run from sources, so the points run in this thread and can be counted.
 */

const counted = vi.hoisted(() => ({ runs: 0 }));
vi.mock("../../../src/worker/run-worker.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/worker/run-worker.js")>();
  return {
    ...real,
    default: (...args: Parameters<typeof real.default>) => {
      counted.runs++;
      return real.default(...args);
    },
  };
});

const { runSearch } = await import("../../../src/search/search.js");
const { InputError } = await import("../../../src/config/errors.js");

const SEARCH = { config: "configs/roce-allreduce-4servers.yaml", space: "configs/search-roce-allreduce-layout.yaml", jobs: 1 };

describe("search with a metric name no point reports", () => {
  it("stops after the first point, naming the metric", async () => {
    counted.runs = 0;
    const search = runSearch({ ...SEARCH, objective: "mfu_typo" });
    await expect(search).rejects.toBeInstanceOf(InputError);
    await expect(search).rejects.toThrow(/metric "mfu_typo" is not a number in the first point's output/);
    expect(counted.runs).toBe(1);
  });

  it("also for a constraint's metric", async () => {
    counted.runs = 0;
    await expect(runSearch({ ...SEARCH, objective: "ranks", constraints: ["time_us_typo<=200"] })).rejects.toThrow(/metric "time_us_typo"/);
    expect(counted.runs).toBe(1);
  });

  it("a malformed constraint is refused before any point runs", async () => {
    counted.runs = 0;
    await expect(runSearch({ ...SEARCH, objective: "ranks", constraints: ["ranks=<8"] })).rejects.toThrow(/did you mean 'ranks<=8'/);
    expect(counted.runs).toBe(0);
  });
});

describe("search with a selector whose row only some points produce", () => {
  // sizes up to 16 MiB report a 16 MiB row, sizes up to 1 MiB do not: that point is infeasible, whichever
  // finishes first (a regression of the first-point check, which once stopped the search on it)
  it.each([["16MiB, 1MiB"], ["1MiB, 16MiB"]])("ranks the point that has the row and marks the other infeasible (sizes.to [%s])", async (order) => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const space = join(mkdtempSync(join(tmpdir(), "search-rows-")), "space.yaml");
    writeFileSync(space, `knobs:\n  workload.sizes.to: [${order}]\n`);
    const r = await runSearch({ ...SEARCH, space, objective: "results[algorithm=auto][size_bytes=16777216].busbw_gb_per_s" });
    expect(r.entries.filter((e) => e.status === "ranked")).toHaveLength(1);
    expect(r.entries.filter((e) => e.status === "infeasible")).toHaveLength(1);
  });
});
