/*
 * A block-level prefix cache with LRU eviction: keys are the prompt's 512-token block hashes
 * (`hash_ids`), capacity is in blocks (Infinity = unbounded). A Map keeps insertion order, so
 * touching a block is delete + set and the least recently used block is the first key. The blocks of
 * one prompt are used together but are not equal: a block's KV is useless without every block before
 * it (a lookup stops at the first miss), so a prompt's blocks are touched tail first (`touchPrefix`) and
 * of blocks last used together the tail is evicted first, never the head that the rest hangs on (as
 * vLLM frees a finished request's blocks in reverse order, and radix-tree caches evict leaves).
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

  /**
   * Marks a prompt's blocks `ids` most recently used, inserting absent ones: tail first, so that the
   * leading block ends most recent and an eviction takes the prompt's tail before its head.
   */
  touchPrefix(ids: readonly number[]): void {
    for (let j = ids.length - 1; j >= 0; j--) this.touch(ids[j]!);
  }

  /** Leading blocks of `ids` that are cached, count (stops at the first miss: a block's KV needs its whole prefix). */
  leadingHits(ids: readonly number[]): number {
    let n = 0;
    while (n < ids.length && this.blocks.has(ids[n]!)) n++;
    return n;
  }
}
