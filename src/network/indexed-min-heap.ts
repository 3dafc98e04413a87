/**
 * Binary min-heap over integer ids 0..capacity-1, each present at most once with a float key.
 * Keys can be raised or lowered in place (the id's heap position is tracked), which a lazy heap
 * cannot do without piling up stale entries. Equal keys pop by id, so order never depends on
 * insertion history. Typed arrays only: no allocation once grown.
 */
export class IndexedMinHeap {
  private heap: Int32Array;
  private pos: Int32Array;
  private keys: Float64Array;
  private n = 0;

  constructor(capacity = 64) {
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.keys = new Float64Array(capacity);
  }

  /** Number of ids in the heap. */
  get size(): number {
    return this.n;
  }

  /** Makes ids up to `capacity - 1` usable. */
  grow(capacity: number): void {
    if (capacity <= this.pos.length) return;
    const heap = new Int32Array(capacity);
    heap.set(this.heap);
    const pos = new Int32Array(capacity).fill(-1);
    pos.set(this.pos);
    const keys = new Float64Array(capacity);
    keys.set(this.keys);
    this.heap = heap;
    this.pos = pos;
    this.keys = keys;
  }

  /** True when `id` is in the heap. */
  has(id: number): boolean {
    return this.pos[id]! >= 0;
  }

  /** Key of `id` (meaningful only while it is in the heap). */
  keyOf(id: number): number {
    return this.keys[id]!;
  }

  /** Id with the smallest key, or -1 when empty. */
  peek(): number {
    return this.n > 0 ? this.heap[0]! : -1;
  }

  /** Smallest key; Infinity when empty. */
  peekKey(): number {
    return this.n > 0 ? this.keys[this.heap[0]!]! : Infinity;
  }

  /** Inserts `id` with `key`, or moves it to `key` if already present. */
  set(id: number, key: number): void {
    const p = this.pos[id]!;
    if (p < 0) {
      this.keys[id] = key;
      const i = this.n++;
      this.heap[i] = id;
      this.pos[id] = i;
      this.up(i);
      return;
    }
    const old = this.keys[id]!;
    this.keys[id] = key;
    if (key < old) this.up(p);
    else if (key > old) this.down(p);
  }

  /** Removes and returns the id with the smallest key (-1 when empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const top = this.heap[0]!;
    this.removeAt(0);
    return top;
  }

  /** Removes `id` if present. */
  remove(id: number): void {
    const p = this.pos[id]!;
    if (p >= 0) this.removeAt(p);
  }

  private removeAt(p: number): void {
    const heap = this.heap;
    const id = heap[p]!;
    const last = --this.n;
    this.pos[id] = -1;
    if (p === last) return;
    const moved = heap[last]!;
    heap[p] = moved;
    this.pos[moved] = p;
    this.up(p);
    this.down(this.pos[moved]!);
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private up(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const id = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pid = heap[p]!;
      if (!this.less(id, pid)) break;
      heap[i] = pid;
      pos[pid] = i;
      i = p;
    }
    heap[i] = id;
    pos[id] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const n = this.n;
    const id = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && this.less(heap[r]!, heap[c]!)) c = r;
      const cid = heap[c]!;
      if (!this.less(cid, id)) break;
      heap[i] = cid;
      pos[cid] = i;
      i = c;
    }
    heap[i] = id;
    pos[id] = i;
  }
}
