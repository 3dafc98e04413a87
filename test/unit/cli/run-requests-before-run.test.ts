import { describe, expect, it, vi } from "vitest";

/*
 * `run --requests FILE` only makes sense for a workload that returns per-request records (serving).
 * Like a bad output path, asking for them from any other workload is known before the simulation
 * starts, so it must fail then — not after a run that can take minutes.
 */

const simulated = vi.hoisted(() => ({ runs: 0 }));
vi.mock("../../../src/run.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/run.js")>();
  return {
    ...real,
    runScenario: (...args: Parameters<typeof real.runScenario>) => {
      simulated.runs++;
      return real.runScenario(...args);
    },
  };
});

const { runCommand } = await import("../../../src/cli/commands/run.js");
const { UsageError } = await import("../../../src/cli/common-options.js");

describe("run --requests on a workload without request records", () => {
  it("is a usage error raised before anything is simulated", async () => {
    simulated.runs = 0;
    const handler = runCommand.handler as (args: Record<string, unknown>) => unknown;
    let thrown: unknown;
    try {
      await handler({ config: "configs/hccs-allreduce.yaml", set: ["workload.sizes.to=4KiB"], requests: "/tmp/never-written.jsonl", _: [], $0: "" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(String((thrown as Error).message)).toMatch(/--requests .*collective-bench workload has no request records/);
    expect(simulated.runs).toBe(0);
  });
});
