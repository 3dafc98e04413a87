/*
 * A block-level prefix cache with LRU eviction: keys are the prompt's 512-token block hashes
 * (`hash_ids`), capacity is in blocks (Infinity = unbounded). A Map keeps insertion order, so
 * touching a block is delete + set and the least recently used block is the first key.
 */

/** LRU set of cached prefix blocks. */
export class PrefixCache {
  private readonly blocks = new Map<number, true>();
  /** Blocks evicted so far, count. */
  evictions = 0;

  constructor(
    /** Capacity, blocks (Infinity = unbounded; 0 = disabled). */
    readonly capacityBlocks: number,
  ) {}

  /** Whether `id` is cached (does not touch it). */
  has(id: number): boolean {
    return this.blocks.has(id);
  }

  /** Blocks cached now, count. */
  get size(): number {
    return this.blocks.size;
  }

  /** Marks `id` most recently used, inserting it (and evicting the LRU blocks) if absent. */
  touch(id: number): void {
    if (this.capacityBlocks <= 0) return;
    if (this.blocks.delete(id)) {
      this.blocks.set(id, true);
      return;
    }
    this.blocks.set(id, true);
    while (this.blocks.size > this.capacityBlocks) {
      const first = this.blocks.keys().next().value as number;
      this.blocks.delete(first);
      this.evictions++;
    }
  }

  /** Leading blocks of `ids` that are cached, count (stops at the first miss: a block's KV needs its whole prefix). */
  leadingHits(ids: readonly number[]): number {
    let n = 0;
    while (n < ids.length && this.blocks.has(ids[n]!)) n++;
    return n;
  }
}
