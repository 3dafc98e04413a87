import type { DieSpec } from "../chip-spec.js";

/*
 * Process-wide memos of operator pricing. A serving or elastic run prices the step model at many batch
 * points (each a fresh run of the inference step simulator), and every point prices the same projection,
 * expert and attention shapes with a full tiling search; a memo keyed by every input of the search prices
 * each shape once per process (per worker thread). Bounded, so a long sweep in one process cannot grow it
 * without limit.
 */

/** Every memo of the process, for clearMemos. */
const ALL_MEMOS: BoundedMemo<unknown>[] = [];

/**
 * Empties every memo of the process (results are unchanged, only recomputed): `npm run bench` times each
 * config cold, as a fresh `ascend-sim run` is. The die ids stay: a die object keeps its id, so an equal die
 * must find the same one.
 */
export function clearMemos(): void {
  for (const m of ALL_MEMOS) m.clear();
}

/** A memo of at most `max` entries; when full, the oldest entry goes first. */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  /** `clearable` false: clearMemos leaves it (a memo of identities, not of results). */
  constructor(
    readonly max: number,
    clearable = true,
  ) {
    if (clearable) ALL_MEMOS.push(this as BoundedMemo<unknown>);
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }

  /** The value of `key`, computed by `compute` (and kept) on a miss. */
  get(key: string, compute: () => V): V {
    let v = this.entries.get(key);
    if (v === undefined) {
      v = compute();
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, v);
    }
    return v;
  }

  /** Entries held, count. */
  get size(): number {
    return this.entries.size;
  }
}

/** Ids of the distinct dies seen, by all their fields (JSON); an evicted die gets a fresh id if it returns. */
const DIE_IDS = new BoundedMemo<number>(1024, false);
let nextDieId = 0;
const DIE_KEYS = new WeakMap<DieSpec, string>();

/**
 * The memo key part of a die: a short id standing for all its fields, so two die objects with the same
 * fields share it (a DieSpec is immutable data; the id is cached per die object).
 */
export function dieKey(die: DieSpec): string {
  let key = DIE_KEYS.get(die);
  if (key === undefined) DIE_KEYS.set(die, (key = `die${DIE_IDS.get(JSON.stringify(die), () => nextDieId++)}`));
  return key;
}
