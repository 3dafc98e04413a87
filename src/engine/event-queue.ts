/**
 * Binary min-heap of events ordered by (time ns, seq). Keys live in parallel typed arrays and
 * callbacks in plain arrays, so pushing and popping allocate nothing once the arrays have grown.
 */
export type EventFn = (arg: any) => void;

/** Priority queue of pending events; equal times pop in insertion (seq) order. */
export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private fns: (EventFn | undefined)[] = new Array(1024);
  private args: unknown[] = new Array(1024);
  private n = 0;

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
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    const args = this.args;
    let i = this.n++;
    // sift up: move parents down until the slot fits
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < time || (pt === time && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      fns[i] = fns[p];
      args[i] = args[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    fns[i] = fn;
    args[i] = arg;
  }

  /** Removes the earliest entry; read its fields with peekTime/topFn/topArg before calling. */
  pop(): void {
    const times = this.times;
    const seqs = this.seqs;
    const fns = this.fns;
    const args = this.args;
    const last = --this.n;
    const t = times[last]!;
    const s = seqs[last]!;
    const f = fns[last];
    const a = args[last];
    fns[last] = undefined;
    args[last] = undefined;
    if (last === 0) return;
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
      fns[i] = fns[c];
      args[i] = args[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    fns[i] = f;
    args[i] = a;
  }

  /** Callback of the earliest entry (undefined when empty). */
  topFn(): EventFn | undefined {
    return this.fns[0];
  }

  /** Argument of the earliest entry. */
  topArg(): unknown {
    return this.args[0];
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    this.fns.length = cap;
    this.args.length = cap;
  }
}
