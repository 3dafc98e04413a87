import type { Transfer } from "../../network/network-model.js";

/*
 * Which die sends what to which die in an ElasticMoE P2P weight copy (zero-copy: a die in both layouts keeps
 * its weights mapped). TP is fixed, so a die's non-expert shard (attention, embeddings / TP, norms, router,
 * shared experts) is the same on every die of its TP rank; only the experts move.
 *
 * Expert placement: EP rank i of a layout holds slots [i·s, (i+1)·s) of its E + redundant slots, slot t
 * holding expert t mod E (the redundant slots that pad EP to a divisor repeat the first experts, as the
 * serving memory model counts them). A die that stays keeps the first min(s_old, s_new) experts it holds
 * (no copy); the experts no staying die keeps go to the free slots of the new layout, one die after another;
 * free slots left over get redundant copies of experts the die lacks. Each expert is sent by one of its
 * holders in the old layout — the one that has sent the least so far —, a joining die's non-expert shard
 * by the least loaded old die of its TP rank. So a scale-up DP3 → DP4 (EP6 → EP8, 128 experts) feeds each
 * joining die from all six old dies (bound by the joining die's ingress: its whole shard / 196 GB/s), and a
 * scale-down DP4 → DP3 has each removed die send its 16 experts, which no remaining die holds, spread over
 * the six remaining dies (bound by the removed die's egress: 16 experts / 196 GB/s), while the 4 redundant
 * slots of EP6 are copied from remaining dies that hold those experts.
 */

/** What the P2P plan reads of a layout's weights. */
export interface ShardLayout {
  /** Dies of the layout (= EP), count. */
  readonly dies: number;
  /** Routed experts of the model, count (0: dense). */
  readonly routedExperts: number;
  /** Routed expert slots per die (routed + redundant over EP), count. */
  readonly expertSlotsPerDie: number;
  /** Bytes of one routed expert over all MoE layers, B. */
  readonly expertBytes: number;
  /** Weights of a die other than its routed experts (identical on dies of one TP rank), B. */
  readonly nonExpertBytesPerDie: number;
}

/**
 * The transfers of an ElasticMoE P2P copy from `oldL` on `oldRanks` to `newL` on `newRanks` (position i is
 * EP rank i; a die at the same position in both keeps its weights; TP rank = position mod `tp`), one per
 * (source, destination) pair, B.
 */
export function p2pTransfers(oldL: ShardLayout, oldRanks: readonly number[], newL: ShardLayout, newRanks: readonly number[], tp: number): Transfer[] {
  const e = newL.routedExperts;
  const so = oldL.expertSlotsPerDie;
  const sn = newL.expertSlotsPerDie;
  // holders of each expert in the old layout (EP rank order)
  const holders: number[][] = Array.from({ length: e }, () => []);
  for (let i = 0; i < oldRanks.length; i++) for (let t = i * so; t < (i + 1) * so && e > 0; t++) {
    const h = holders[t % e]!;
    if (h[h.length - 1] !== i) h.push(i);
  }
  /** Whether the die at EP position `j` of the new layout is the one there in the old (it keeps its weights). */
  const stays = (j: number): boolean => j < oldRanks.length && oldRanks[j] === newRanks[j];
  // what each die of the new layout holds without a copy, and its free slots
  const has: Set<number>[] = newRanks.map(() => new Set<number>());
  const free: number[] = newRanks.map(() => sn);
  const covered = new Set<number>();
  for (let j = 0; j < newRanks.length; j++) {
    if (!stays(j) || e === 0) continue;
    for (let t = j * so; t < (j + 1) * so && has[j]!.size < sn; t++) has[j]!.add(t % e);
    free[j] = sn - has[j]!.size;
    for (const x of has[j]!) covered.add(x);
  }
  const sent = new Float64Array(oldRanks.length);
  const pair = new Map<string, Transfer>();
  const send = (i: number, j: number, bytes: number): void => {
    if (!(bytes > 0) || oldRanks[i] === newRanks[j]) return;
    sent[i]! += bytes;
    const key = `${i}:${j}`;
    const t = pair.get(key);
    pair.set(key, { src: oldRanks[i]!, dst: newRanks[j]!, bytes: (t?.bytes ?? 0) + bytes });
  };
  const leastLoaded = (cands: readonly number[]): number => {
    let best = cands[0]!;
    for (const i of cands) if (sent[i]! < sent[best]!) best = i;
    return best;
  };
  // the experts no staying die keeps, into the free slots die after die; then redundant copies
  const place = (j: number, x: number): void => {
    has[j]!.add(x);
    free[j]!--;
    send(leastLoaded(holders[x]!), j, newL.expertBytes);
  };
  const missing: number[] = [];
  for (let x = 0; x < e; x++) if (!covered.has(x)) missing.push(x);
  let j = 0;
  for (const x of missing) {
    if (newRanks.length === 0) break;
    let guard = 0;
    while (free[j]! <= 0 && guard++ < newRanks.length) j = (j + 1) % newRanks.length;
    if (free[j]! <= 0) break;
    place(j, x);
    j = (j + 1) % newRanks.length;
  }
  let next = 0;
  for (let k = 0; k < newRanks.length; k++) {
    for (let tries = 0; free[k]! > 0 && tries < e; tries++) {
      const x = next;
      next = (next + 1) % e;
      if (!has[k]!.has(x)) place(k, x);
    }
  }
  // joining dies: the non-expert shard of their TP rank, from its least loaded holder
  for (let j = 0; j < newRanks.length; j++) {
    if (stays(j)) continue;
    const peers: number[] = [];
    for (let i = j % tp; i < oldRanks.length; i += tp) peers.push(i);
    if (peers.length > 0) send(leastLoaded(peers), j, newL.nonExpertBytesPerDie);
  }
  return [...pair.values()];
}
