/**
 * Binary min-heap of events ordered by (time ns, seq). The heap moves only numbers (time, seq and a
 * slot index in typed arrays); callbacks and arguments stay put in a slot pool, so sifting does no
 * pointer stores (no GC write barriers) and pushing/popping allocates nothing once grown.
 */
export type EventFn = (arg: any) => void;

/** Priority queue of pending events; equal times pop in insertion (seq) order. */
export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  /** Slot pool: callback and argument of each pending event, and a stack of free slots. */
  private fns: (EventFn | undefined)[] = new Array(1024).fill(undefined);
  private args: unknown[] = new Array(1024).fill(undefined);
  private free = new Int32Array(1024).map((_, i) => 1023 - i);
  private nFree = 1024;
  private n = 0;
  /** Callback and argument of the entry removed by the last `pop`. */
  poppedFn: EventFn | undefined = undefined;
  poppedArg: unknown = undefined;

  /** Number of pending entries (including cancelled ones not yet popped). */
  get size(): number {
    return this.n;
  }

  /** Time (ns) of the earliest entry; Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0]! : Infinity;
  }

  /** Seq of the earliest entry; -1 when empty. */
  peekSeq(): number {
    return this.n > 0 ? this.seqs[0]! : -1;
  }

  push(time: number, seq: number, fn: EventFn, arg: unknown): void {
    if (this.n === this.times.length) this.grow();
    const slot = this.free[--this.nFree]!;
    this.fns[slot] = fn;
    this.args[slot] = arg;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let i = this.n++;
    // sift up: move parents down until the new key fits
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < time || (pt === time && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      slots[i] = slots[p]!;
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** True when an entry with sequence number `seq` is pending (a linear scan: O(size)). */
  hasSeq(seq: number): boolean {
    const seqs = this.seqs;
    for (let i = 0; i < this.n; i++) if (seqs[i] === seq) return true;
    return false;
  }

  /**
   * Removes the earliest entry and leaves its callback and argument in poppedFn/poppedArg. Popping an
   * empty queue is a programming error (it would corrupt the slot pool and lose the next push).
   */
  pop(): void {
    if (this.n === 0) throw new RangeError("EventQueue.pop on an empty queue");
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const top = slots[0]!;
    this.poppedFn = this.fns[top];
    this.poppedArg = this.args[top];
    this.fns[top] = undefined;
    this.args[top] = undefined;
    this.free[this.nFree++] = top;
    const last = --this.n;
    if (last === 0) return;
    const t = times[last]!;
    const s = seqs[last]!;
    const sl = slots[last]!;
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = times[c]!;
      let cs = seqs[c]!;
      const r = c + 1;
      if (r < last) {
        const rt = times[r]!;
        if (rt < ct || (rt === ct && seqs[r]! < cs)) {
          c = r;
          ct = rt;
          cs = seqs[r]!;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      slots[i] = slots[c]!;
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = sl;
  }

  private grow(): void {
    const old = this.times.length;
    const cap = old * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    const slots = new Int32Array(cap);
    slots.set(this.slots);
    // fresh arrays rather than `length = cap`: a large length jump can turn an array into a slow dictionary
    const fns: (EventFn | undefined)[] = new Array(cap).fill(undefined);
    const args: unknown[] = new Array(cap).fill(undefined);
    for (let i = 0; i < old; i++) {
      fns[i] = this.fns[i];
      args[i] = this.args[i];
    }
    // the pool was full: every new slot old … cap−1 is free
    const free = new Int32Array(cap);
    for (let i = 0; i < old; i++) free[i] = cap - 1 - i;
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
    this.fns = fns;
    this.args = args;
    this.free = free;
    this.nFree = old;
  }
}
