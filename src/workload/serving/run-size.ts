import { getHeapStatistics } from "node:v8";
import { MAX_ENGINE_S } from "../../config/seconds.js";
/*
 * Sizing guards of request-level runs (serving, elastic): a request is a record plus its prefix-block ids
 * and a timeline window a row, all held in memory until the metrics are computed. These bound what one
 * run may allocate so that a mistyped rate or window (1e9 requests/s, a 1 ns window) is an input error
 * instead of minutes of work ending out of memory. They are not model constants: at ~2,600 requests/s of
 * simulation (npm run bench, Mooncake hour) the request limit is about half an hour of wall time.
 */
/** Most requests one run may generate, count. */
export const MAX_RUN_REQUESTS = 5_000_000;

/*
 * Heap a serving run needs, measured (Node v20.20.2, x64, this repository's build; see docs/serving.md "Run
 * size"): the smallest --max-old-space-size a run of configs/pd-serve-roce.yaml with `--set
 * workload.compare=[] workload.arrivals.rate_per_s=2000 workload.duration_s=100 workload.pd_ratio.dynamic=false
 * workload.arrivals.input={dist: fixed, value: 128} workload.arrivals.output={dist: fixed, value: 4}`
 * (199,874 requests) completes in lies between 160 and 180 MiB: ≤ 0.95 kB a request with the ~15 MiB the
 * process holds before the run. The live heap after a full GC at the end of the simulation is 554 B a
 * request (heap snapshot: the request record with its boxed ns times, its arrival and its prefix-id array);
 * the metrics' sample arrays and the per-request records (263 B each) come on top at the end. Rounded up.
 */

/** Heap one request of a run needs at its peak (request, arrival, metric samples), B: the ~0.95 kB above less its record. */
export const HEAP_BYTES_PER_REQUEST = 900;

/** Heap of one request's record (`run --requests FILE`), built at the end of the run, B: 263 B measured. Rounded up. */
export const HEAP_BYTES_PER_RECORD = 300;

/**
 * Heap of one request's record of the primary run, kept while the compared variants run (`workload.compare`),
 * B: 263 B measured (heap after the run above minus before, the records retained); with all five variants of
 * configs/pd-serve-roce.yaml the same 199,874 requests need between 260 and 330 MiB. Rounded up.
 */
export const HEAP_BYTES_PER_KEPT_RECORD = 500;

/**
 * Heap of one 512-token prompt block, B: its id in the request's array (8 B; 17 B measured per block
 * added, from 128- to 4,096-token prompts) and, per prefix-cache tier that may hold it (HBM, EMS
 * pool), a Map entry with a boxed key (108 B measured with an unbounded HBM cache, 30,223 requests of 8
 * blocks, 15 requests/s × 2,000 s). Rounded up: 24 B for the id, 128 B per cache tier.
 */
export const HEAP_BYTES_PER_BLOCK_ID = 24;
export const HEAP_BYTES_PER_CACHED_BLOCK = 128;

/**
 * Heap a run cannot use for its requests, B: V8's young generation (heap_size_limit is
 * --max-old-space-size + 48 MiB on Node 20 x64, measured) plus the ~15 MiB of code, config and step costs a
 * process holds before the run, plus margin.
 */
export const HEAP_RESERVE_BYTES = 128 * 2 ** 20;

/**
 * The heap this process may use, B (V8's heap_size_limit: --max-old-space-size, ~4 GiB by default here).
 * An object so that tests can put a small limit in its place; it decides only whether a run is refused,
 * never its results.
 */
export const heapLimit = { bytes: (): number => getHeapStatistics().heap_size_limit };

/**
 * The problem when a run of `requests` requests with `blocks` prompt blocks in all (`cacheTiers` prefix-cache
 * tiers that may hold them; `records`: whether it builds a record per request, default true; `keptRecords`:
 * whether the primary run's records are kept while compared variants run) needs more heap than this process
 * has, if it does; `what` says where the counts come from and `fix` which keys lower them (for the message).
 */
export function heapTooSmall(run: { requests: number; blocks: number; cacheTiers: number; records?: boolean; keptRecords: boolean }, what: string, fix: string): string | undefined {
  const records = run.records ?? true;
  const perRequest = HEAP_BYTES_PER_REQUEST + (records ? HEAP_BYTES_PER_RECORD : 0) + (records && run.keptRecords ? HEAP_BYTES_PER_KEPT_RECORD : 0);
  const perBlock = HEAP_BYTES_PER_BLOCK_ID + run.cacheTiers * HEAP_BYTES_PER_CACHED_BLOCK;
  const need = run.requests * perRequest + run.blocks * perBlock;
  const limit = heapLimit.bytes();
  if (need <= limit - HEAP_RESERVE_BYTES) return undefined;
  const mib = (b: number): string => Math.ceil(b / 2 ** 20).toLocaleString("en-US");
  // the heap to ask for, in whole 256 MiB steps: --max-old-space-size excludes the young generation (48 MiB)
  const ask = Math.ceil((need + HEAP_RESERVE_BYTES) / 2 ** 28) * 256;
  const blocks = run.blocks > 0 ? ` + ${run.blocks.toPrecision(3)} prompt blocks × ${perBlock} B` : "";
  return (
    `${what} ≈ ${run.requests.toPrecision(3)} requests × ${perRequest} B${blocks} ≈ ${mib(need)} MiB of heap, more than the ` +
    `${mib(limit - HEAP_RESERVE_BYTES)} MiB this process can give a run (heap limit ${mib(limit)} MiB less ${mib(HEAP_RESERVE_BYTES)} MiB): ` +
    `${fix}, or raise the heap limit: NODE_OPTIONS=--max-old-space-size=${ask}`
  );
}

/** Most timeline windows one run may record, count. */
export const MAX_TIMELINE_WINDOWS = 1_000_000;

/**
 * Most ticks of one periodic decision one run may make (the P/D-ratio controller, the elastic SLO
 * coordinator), count: each tick is an event and, for the coordinator, a `decisions` row in the JSON, so a
 * 1 ns period over a minute would be 6e10 events. The same bound as the timeline windows.
 */
export const MAX_RUN_TICKS = MAX_TIMELINE_WINDOWS;

/** The message when `what` (a count) exceeds `limit`. */
export function tooLarge(what: string, count: number, limit: number, fix: string, verb = "hold"): string {
  return `${what} ≈ ${count.toPrecision(3)}, more than the ${limit.toLocaleString("en-US")} one run may ${verb}: ${fix}`;
}

/**
 * The problem with a periodic decision every `periodS` seconds (the key `key`) over a run of `spanS`
 * seconds (`span` says what it is, for the message), if it would tick more than MAX_RUN_TICKS times.
 */
export function ticksTooMany(spanS: number, periodS: number, span: string, key: string): string | undefined {
  const ticks = spanS / periodS;
  return ticks > MAX_RUN_TICKS ? tooLarge(`(${span}) ÷ ${key} decisions`, ticks, MAX_RUN_TICKS, `use a longer ${key} (the run lasts about ${Number(spanS.toPrecision(3))} s)`, "make") : undefined;
}

/**
 * The problem when the run's time span (the sum of `span`, each a key and its seconds) plus the longest of
 * the periodic `ticks` (a tick is scheduled a period past the last event) goes past the engine clock, if it
 * does, at the key of the largest term (the one to shorten).
 */
export function pastEngineClock(span: readonly [string, number][], ticks: readonly [string, number][]): { key: string; message: string } | undefined {
  const tick = ticks.reduce<[string, number] | undefined>((a, t) => (a === undefined || t[1] > a[1] ? t : a), undefined);
  const terms = tick === undefined ? [...span] : [...span, tick];
  const total = terms.reduce((a, t) => a + t[1], 0);
  if (total <= MAX_ENGINE_S) return undefined;
  const largest = terms.reduce((a, t) => (t[1] > a[1] ? t : a));
  const sum = terms.map((t) => `${t[0]} ${Number(t[1].toPrecision(12))} s`).join(" + ");
  return { key: largest[0], message: `${sum} = ${Number(total.toPrecision(12))} s, past the ${MAX_ENGINE_S} s the engine's 2^53 ns clock can reach: shorten ${largest[0]}` };
}

/**
 * The problem with a timeline of `spanS` seconds cut into `windowS`-second windows, if it has too many;
 * `span` says what the span is (for the message), e.g. "duration_s + drain_s".
 */
export function timelineTooLong(spanS: number, windowS: number, span: string): string | undefined {
  const windows = spanS / windowS;
  return windows > MAX_TIMELINE_WINDOWS ? tooLarge(`(${span}) ÷ timeline_window_s timeline windows`, windows, MAX_TIMELINE_WINDOWS, "use a longer timeline window") : undefined;
}
