import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadScenario } from "../../src/config/scenario.js";
import { runScenario } from "../../src/run.js";
import { HEAP_BYTES_PER_BLOCK_ID, HEAP_BYTES_PER_CACHED_BLOCK, HEAP_BYTES_PER_KEPT_RECORD, HEAP_BYTES_PER_RECORD, HEAP_BYTES_PER_REQUEST, HEAP_RESERVE_BYTES, heapLimit, heapTooSmall } from "../../src/workload/serving/run-size.js";
import { readTrace } from "../../src/workload/serving/trace-reader.js";
import { inputErrorOf, loadError } from "../helpers/input-error.js";

// A serving run of ~2 M requests used to die with V8's "heap out of memory" fatal error half-way through.
// The run-size guard now estimates the heap a run needs (measured bytes per request and per prompt block)
// and refuses, as an input error naming the key to lower and the NODE_OPTIONS hint, a run that does not fit
// the heap of the process. The tests put a small heap limit in place of V8's.

const PD = "configs/pd-serve-roce.yaml";
const MiB = 2 ** 20;
/** Heap of a request with its record (a run that builds records, the default), B. */
const WITH_RECORD = HEAP_BYTES_PER_REQUEST + HEAP_BYTES_PER_RECORD;
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
    limitHeapTo(HEAP_RESERVE_BYTES + 1000 * WITH_RECORD);
    expect(heapTooSmall({ requests: 1000, blocks: 0, cacheTiers: 0, keptRecords: false }, "x", "fix")).toBeUndefined();
  });
  it("one byte short: refused, with the estimate, the heap available and a --max-old-space-size that fits", () => {
    // 100,000 requests × 1,200 B + 100,000 blocks × 24 B = 122,400,000 B ≈ 117 MiB; the limit is 1 B less plus the 128 MiB reserve
    const need = 100_000 * WITH_RECORD + 100_000 * HEAP_BYTES_PER_BLOCK_ID;
    limitHeapTo(HEAP_RESERVE_BYTES + need - 1);
    expect(heapTooSmall({ requests: 100_000, blocks: 100_000, cacheTiers: 0, keptRecords: false }, "rate_per_s × duration_s", "lower the rate")).toBe(
      "rate_per_s × duration_s ≈ 1.00e+5 requests × 1200 B + 1.00e+5 prompt blocks × 24 B ≈ 117 MiB of heap, more than the 117 MiB this process can give a run (heap limit 245 MiB less 128 MiB): lower the rate, or raise the heap limit: NODE_OPTIONS=--max-old-space-size=256",
    );
  });
  it("each prefix-cache tier that may hold a block, the records and the primary run's records kept for compared variants add to the estimate", () => {
    const run = { requests: 100_000, blocks: 800_000, cacheTiers: 0, records: true, keptRecords: false };
    const perRequest = (r: typeof run): number => HEAP_BYTES_PER_REQUEST + (r.records ? HEAP_BYTES_PER_RECORD : 0) + (r.keptRecords ? HEAP_BYTES_PER_KEPT_RECORD : 0);
    const bytes = (r: typeof run): number => r.requests * perRequest(r) + r.blocks * (HEAP_BYTES_PER_BLOCK_ID + r.cacheTiers * HEAP_BYTES_PER_CACHED_BLOCK);
    for (const r of [run, { ...run, cacheTiers: 2 }, { ...run, keptRecords: true }, { ...run, records: false }]) {
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
  it("a run without records needs less: a heap one byte short of the run with its records holds it without them", () => {
    const run = { requests: 100_000, blocks: 0, cacheTiers: 0, keptRecords: false };
    limitHeapTo(HEAP_RESERVE_BYTES + 100_000 * WITH_RECORD - 1);
    expect(heapTooSmall(run, "x", "fix")).toBeDefined(); // records counted by default
    expect(heapTooSmall({ ...run, records: true }, "x", "fix")).toBeDefined();
    expect(heapTooSmall({ ...run, records: false }, "x", "fix")).toBeUndefined();
    // no records, none kept for the compared variants either
    expect(heapTooSmall({ ...run, records: false, keptRecords: true }, "x", "fix")).toBeUndefined();
  });
});

describe("serving: a synthetic load that does not fit the heap is refused before the run, at arrivals.rate_per_s", () => {
  const load = ["workload.compare=[]", "workload.pd_ratio.dynamic=false", "workload.arrivals.rate_per_s=2000", "workload.duration_s=1000", "workload.arrivals.input={dist: fixed, value: 128}", "workload.arrivals.output={dist: fixed, value: 4}"];
  it("2,000 requests/s × 1,000 s of 128-token prompts in a 1 GiB heap: an input error with the NODE_OPTIONS hint, not a crash mid-run", () => {
    limitHeapTo(1024 * MiB);
    // at load time a run without records: ≈ 2,000,000 requests × 900 B + 2,000,000 blocks × 24 B = 1,848,000,000 B ≈ 1,763 MiB; 896 MiB available
    expect(loadError(PD, load)).toBe(
      "--set workload.arrivals.rate_per_s=2000 workload.arrivals.rate_per_s: rate_per_s × duration_s ≈ 2.00e+6 requests × 900 B + 2.00e+6 prompt blocks × 24 B ≈ 1,763 MiB of heap, more than the 896 MiB this process can give a run (heap limit 1,024 MiB less 128 MiB): lower the rate, workload.duration_s or the prompt lengths, or raise the heap limit: NODE_OPTIONS=--max-old-space-size=2048",
    );
  });
  it("a load that fits without records is refused when the run builds them, before it starts: 1,200 B a request", () => {
    // 100,000 requests × 924 B ≈ 88 MiB fits 100 MiB; × 1,224 B ≈ 117 MiB does not
    limitHeapTo(HEAP_RESERVE_BYTES + 100 * MiB);
    const s = loadScenario(PD, { sets: [...load, "workload.arrivals.rate_per_s=100"] });
    expect(inputErrorOf(() => runScenario(s))).toContain("workload.arrivals.rate_per_s: rate_per_s × duration_s ≈ 1.00e+5 requests × 1200 B + 1.00e+5 prompt blocks × 24 B ≈ 117 MiB of heap, more than the 100 MiB");
  });
  it("the same load in a 4 GiB heap is accepted", () => {
    limitHeapTo(4096 * MiB);
    expect(() => loadScenario(PD, { sets: load })).not.toThrow();
  });
  it("with compared variants the primary run's records stay in memory while they run: a run that builds them needs 500 B more a request", () => {
    // 500,000 requests × (1,200 + 500 + 24) B = 862,000,000 B ≈ 823 MiB does not fit 640 MiB; without records, 924 B, it does (at load time too)
    limitHeapTo(HEAP_RESERVE_BYTES + 640 * MiB);
    const half = ["workload.arrivals.rate_per_s=500", "workload.duration_s=1000", "workload.arrivals.input={dist: fixed, value: 128}", "workload.arrivals.output={dist: fixed, value: 4}"];
    const s = loadScenario(PD, { sets: half });
    expect(inputErrorOf(() => runScenario(s))).toContain("workload.arrivals.rate_per_s: rate_per_s × duration_s ≈ 5.00e+5 requests × 1700 B + 5.00e+5 prompt blocks × 24 B ≈ 823 MiB of heap, more than the 640 MiB");
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
  it("a run without records needs less: 20 Mooncake arrivals in a heap that holds them without their records run, with them they are refused", () => {
    const s = loadScenario("configs/mooncake-replay.yaml", { sets: ["workload.arrivals.limit=20"] });
    const trace = readTrace(resolve("configs", "../../shared/traces/mooncake-conversation.jsonl"), { shownPath: "", format: "mooncake", rateScale: 1, limit: 20, skip: false, untilNs: null });
    const blocks = trace.arrivals.reduce((n, a) => n + a.hashIds.length, 0);
    // between the two estimates: requests × 900 B + blocks × 280 B fits, requests × 1,200 B + blocks × 280 B does not
    limitHeapTo(HEAP_RESERVE_BYTES + 20 * HEAP_BYTES_PER_REQUEST + blocks * 280);
    expect(inputErrorOf(() => runScenario(s))).toMatch(/the trace's arrivals ≈ 20\.0 requests × 1200 B/);
    const r = runScenario(s, { records: false });
    expect(r.metrics.requests_arrived).toBe(20);
    expect(r.records).toBeUndefined();
  });
});

describe("elastic: a load that does not fit the heap is refused before the run, at load.phases", () => {
  const BURST = "configs/elastic-moe-burst.yaml";
  it("the burst's ~3,640 requests in a heap with 1 MiB beside the reserve: an input error with the NODE_OPTIONS hint", () => {
    limitHeapTo(HEAP_RESERVE_BYTES + MiB);
    const msg = loadError(BURST, []);
    expect(msg).toContain("workload.load.phases: the load's requests ≈ ");
    expect(msg).toContain(`requests × ${WITH_RECORD + HEAP_BYTES_PER_KEPT_RECORD} B`);
    expect(msg).toContain("raise the heap limit: NODE_OPTIONS=--max-old-space-size=");
  });
  it("the same load in a 4 GiB heap is accepted", () => {
    limitHeapTo(4096 * MiB);
    expect(() => loadScenario(BURST)).not.toThrow();
  });
});
