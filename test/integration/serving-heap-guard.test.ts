import { afterEach, describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { HEAP_BYTES_PER_BLOCK_ID, HEAP_BYTES_PER_CACHED_BLOCK, HEAP_BYTES_PER_KEPT_RECORD, HEAP_BYTES_PER_REQUEST, HEAP_RESERVE_BYTES, heapLimit, heapTooSmall } from "../../src/workload/serving/run-size.js";
import { inputErrorOf, loadError } from "../helpers/input-error.js";

// A serving run of ~2 M requests used to die with V8's "heap out of memory" fatal error half-way through.
// The run-size guard now estimates the heap a run needs (measured bytes per request and per prompt block)
// and refuses, as an input error naming the key to lower and the NODE_OPTIONS hint, a run that does not fit
// the heap of the process. The tests put a small heap limit in place of V8's.

const PD = "configs/pd-serve-roce.yaml";
const MiB = 2 ** 20;
const realLimit = heapLimit.bytes;
afterEach(() => {
  heapLimit.bytes = realLimit;
});
/** Makes the process look as if its heap limit were `bytes`. */
const limitHeapTo = (bytes: number): void => {
  heapLimit.bytes = () => bytes;
};

describe("heapTooSmall: requests × bytes each + prompt blocks × bytes each against the heap limit less the reserve", () => {
  it("fits: nothing to report", () => {
    limitHeapTo(HEAP_RESERVE_BYTES + 1000 * HEAP_BYTES_PER_REQUEST);
    expect(heapTooSmall({ requests: 1000, blocks: 0, cacheTiers: 0, keptRecords: false }, "x", "fix")).toBeUndefined();
  });
  it("one byte short: refused, with the estimate, the heap available and a --max-old-space-size that fits", () => {
    // 100,000 requests × 1,200 B + 100,000 blocks × 24 B = 122,400,000 B ≈ 117 MiB; the limit is 1 B less plus the 128 MiB reserve
    const need = 100_000 * HEAP_BYTES_PER_REQUEST + 100_000 * HEAP_BYTES_PER_BLOCK_ID;
    limitHeapTo(HEAP_RESERVE_BYTES + need - 1);
    expect(heapTooSmall({ requests: 100_000, blocks: 100_000, cacheTiers: 0, keptRecords: false }, "rate_per_s × duration_s", "lower the rate")).toBe(
      "rate_per_s × duration_s ≈ 1.00e+5 requests × 1200 B + 1.00e+5 prompt blocks × 24 B ≈ 117 MiB of heap, more than the 117 MiB this process can give a run (heap limit 245 MiB less 128 MiB): lower the rate, or raise the heap limit: NODE_OPTIONS=--max-old-space-size=256",
    );
  });
  it("each prefix-cache tier that may hold a block, and the primary run's records kept for compared variants, add to the estimate", () => {
    const run = { requests: 100_000, blocks: 800_000, cacheTiers: 0, keptRecords: false };
    const bytes = (r: typeof run): number => r.requests * (HEAP_BYTES_PER_REQUEST + (r.keptRecords ? HEAP_BYTES_PER_KEPT_RECORD : 0)) + r.blocks * (HEAP_BYTES_PER_BLOCK_ID + r.cacheTiers * HEAP_BYTES_PER_CACHED_BLOCK);
    for (const r of [run, { ...run, cacheTiers: 2 }, { ...run, keptRecords: true }]) {
      limitHeapTo(HEAP_RESERVE_BYTES + bytes(r));
      expect(heapTooSmall(r, "x", "fix")).toBeUndefined();
      limitHeapTo(HEAP_RESERVE_BYTES + bytes(r) - 1);
      expect(heapTooSmall(r, "x", "fix")).toBeDefined();
    }
    // a heap that just holds the plain run refuses it with cached blocks or kept records
    limitHeapTo(HEAP_RESERVE_BYTES + bytes(run));
    expect(heapTooSmall({ ...run, cacheTiers: 2 }, "x", "fix")).toBeDefined();
    expect(heapTooSmall({ ...run, keptRecords: true }, "x", "fix")).toBeDefined();
  });
});

describe("serving: a synthetic load that does not fit the heap is refused before the run, at arrivals.rate_per_s", () => {
  const load = ["workload.compare=[]", "workload.pd_ratio.dynamic=false", "workload.arrivals.rate_per_s=2000", "workload.duration_s=1000", "workload.arrivals.input={dist: fixed, value: 128}", "workload.arrivals.output={dist: fixed, value: 4}"];
  it("2,000 requests/s × 1,000 s of 128-token prompts in a 1 GiB heap: an input error with the NODE_OPTIONS hint, not a crash mid-run", () => {
    limitHeapTo(1024 * MiB);
    // ≈ 2,000,000 requests × 1,200 B + 2,000,000 blocks × 24 B = 2,448,000,000 B ≈ 2,335 MiB; 896 MiB available
    expect(loadError(PD, load)).toBe(
      "--set workload.arrivals.rate_per_s=2000 workload.arrivals.rate_per_s: rate_per_s × duration_s ≈ 2.00e+6 requests × 1200 B + 2.00e+6 prompt blocks × 24 B ≈ 2,335 MiB of heap, more than the 896 MiB this process can give a run (heap limit 1,024 MiB less 128 MiB): lower the rate, workload.duration_s or the prompt lengths, or raise the heap limit: NODE_OPTIONS=--max-old-space-size=2560",
    );
  });
  it("the same load in a 4 GiB heap is accepted", () => {
    limitHeapTo(4096 * MiB);
    expect(() => loadScenario(PD, { sets: load })).not.toThrow();
  });
  it("with compared variants the primary run's records stay in memory while they run: a load that fits alone may not fit with them", () => {
    // 500,000 requests × (1,200 + 24) B = 612,000,000 B ≈ 584 MiB fits 640 MiB; × (1,700 + 24) B = 862,000,000 B ≈ 823 MiB does not
    limitHeapTo(HEAP_RESERVE_BYTES + 640 * MiB);
    const half = ["workload.arrivals.rate_per_s=500", "workload.duration_s=1000", "workload.arrivals.input={dist: fixed, value: 128}", "workload.arrivals.output={dist: fixed, value: 4}"];
    expect(() => loadScenario(PD, { sets: ["workload.compare=[]", ...half] })).not.toThrow();
    expect(loadError(PD, half)).toContain("workload.arrivals.rate_per_s: rate_per_s × duration_s ≈ 5.00e+5 requests × 1700 B + 5.00e+5 prompt blocks × 24 B ≈ 823 MiB of heap, more than the 640 MiB");
  });
});

describe("serving: a trace that does not fit the heap is refused once read, before the run, at arrivals.limit", () => {
  it("50 Mooncake arrivals with room for fewer: the run stops with an input error at arrivals.limit", () => {
    // its cache has an HBM and a pool tier: 24 + 2 × 128 = 280 B a block
    const s = loadScenario("configs/mooncake-replay.yaml", { sets: ["workload.arrivals.limit=50"] });
    limitHeapTo(HEAP_RESERVE_BYTES + 10 * HEAP_BYTES_PER_REQUEST);
    expect(inputErrorOf(() => runScenario(s))).toMatch(
      /^--set workload\.arrivals\.limit=50 workload\.arrivals\.limit: the trace's arrivals ≈ 50\.0 requests × 1200 B \+ [\d.e+]+ prompt blocks × 280 B ≈ 1 MiB of heap, more than the 1 MiB this process can give a run .*: read fewer \(arrivals\.limit, workload\.duration_s\), or raise the heap limit: NODE_OPTIONS=--max-old-space-size=256$/,
    );
  });
});

describe("elastic: a load that does not fit the heap is refused before the run, at load.phases", () => {
  const BURST = "configs/elastic-moe-burst.yaml";
  it("the burst's ~3,640 requests in a heap with 1 MiB beside the reserve: an input error with the NODE_OPTIONS hint", () => {
    limitHeapTo(HEAP_RESERVE_BYTES + MiB);
    const msg = loadError(BURST, []);
    expect(msg).toContain("workload.load.phases: the load's requests ≈ ");
    expect(msg).toContain(`requests × ${HEAP_BYTES_PER_REQUEST + HEAP_BYTES_PER_KEPT_RECORD} B`);
    expect(msg).toContain("raise the heap limit: NODE_OPTIONS=--max-old-space-size=");
  });
  it("the same load in a 4 GiB heap is accepted", () => {
    limitHeapTo(4096 * MiB);
    expect(() => loadScenario(BURST)).not.toThrow();
  });
});
