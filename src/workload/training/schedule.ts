/*
 * Pipeline schedules as the order in which one stage runs its forward (F) and backward (B) tasks.
 * A task is (chunk, micro-batch, F|B); stage s, chunk c is virtual stage c·pp + s (Megatron's
 * interleaved assignment).
 * - GPipe: every forward, then every backward (micro-batches in reverse).
 * - 1F1B (PipeDream-flush): pp − s − 1 warm-up forwards, then alternate F and B, then the remaining B.
 * - Interleaved 1F1B (Megatron-LM, Narayanan et al. 2021): forwards walk the chunks in groups of pp
 *   micro-batches; warm-up = 2(pp − s − 1) + (vpp − 1)·pp forward tasks, then 1F1B over virtual tasks.
 */

/** One task of a stage, in schedule order. */
export interface StageTask {
  readonly chunk: number;
  readonly mb: number;
  readonly backward: boolean;
}

function interleavedTask(k: number, pp: number, vpp: number, backward: boolean): StageTask {
  const group = Math.floor(k / (pp * vpp));
  const inGroup = k % (pp * vpp);
  const c = Math.floor(inGroup / pp);
  const chunk = backward ? vpp - 1 - c : c;
  return { chunk, mb: group * pp + (inGroup % pp), backward };
}

/** The task order of stage `s` for `m` micro-batches. */
export function stageOrder(schedule: "gpipe" | "1f1b" | "interleaved", s: number, pp: number, vpp: number, m: number): StageTask[] {
  const out: StageTask[] = [];
  if (schedule === "gpipe") {
    for (let i = 0; i < m; i++) out.push({ chunk: 0, mb: i, backward: false });
    for (let i = m - 1; i >= 0; i--) out.push({ chunk: 0, mb: i, backward: true });
    return out;
  }
  if (schedule === "1f1b" || vpp === 1) {
    const warm = Math.min(pp - s - 1, m);
    let f = 0;
    let b = 0;
    for (; f < warm; f++) out.push({ chunk: 0, mb: f, backward: false });
    while (f < m) {
      out.push({ chunk: 0, mb: f++, backward: false });
      out.push({ chunk: 0, mb: b++, backward: true });
    }
    while (b < m) out.push({ chunk: 0, mb: b++, backward: true });
    return out;
  }
  const total = vpp * m;
  const warm = Math.min((pp - s - 1) * 2 + (vpp - 1) * pp, total);
  let f = 0;
  let b = 0;
  for (; f < warm; f++) out.push(interleavedTask(f, pp, vpp, false));
  while (f < total) {
    out.push(interleavedTask(f++, pp, vpp, false));
    out.push(interleavedTask(b++, pp, vpp, true));
  }
  while (b < total) out.push(interleavedTask(b++, pp, vpp, true));
  return out;
}

/**
 * Peak of the activations a stage holds over its task order: each forward adds its chunk's stored
 * activations when it starts, each backward frees them when it ends (the weights are what
 * `bytesOfChunk` returns per chunk), B. With `overlap` (adaptive pipe overlap: two tasks of the stage
 * in flight) the task after a backward may start before that backward has freed its chunk, so each
 * backward's free is applied only after the next task has allocated.
 */
export function peakInFlight(order: readonly StageTask[], bytesOfChunk: (chunk: number) => number, overlap = false): number {
  let cur = 0;
  let peak = 0;
  let pending = 0;
  for (const t of order) {
    if (!t.backward) {
      cur += bytesOfChunk(t.chunk);
      if (cur > peak) peak = cur;
    }
    cur -= pending;
    pending = 0;
    if (t.backward) {
      if (overlap) pending = bytesOfChunk(t.chunk);
      else cur -= bytesOfChunk(t.chunk);
    }
  }
  return peak;
}
