import type { Uniform } from "../../engine/rng.js";
import type { MoeArchitecture } from "../../model/architecture.js";

/*
 * Token-level expert routing for the step simulator: per-layer expert popularity with a configurable
 * skew, per-token top-k sampling from a seeded stream, and the placement of expert replicas over the
 * routed slots of the EP group (EPLB). The result of one layer's routing is the tokens every slot
 * receives and the token copies every pair of group ranks exchanges, so dispatch imbalance and the
 * slowest rank come out of the sample, not out of an average.
 */

/** Popularity skew of the experts of a layer. */
export interface SkewSpec {
  readonly skew: "uniform" | "zipf" | "hot";
  readonly zipf_exponent: number;
  readonly hot_experts: number;
  readonly hot_factor: number;
}

/**
 * Relative weights of `experts` experts under `spec`, in popularity order (index 0 the hottest), mean 1.
 * `hot`: `hot_experts` experts at `hot_factor`× the mean weight, the rest equal (so the hot weight is
 * f(E−h)/(E−f·h) times a cold one; f·h must stay below E). `zipf`: weight ∝ 1/(rank+1)^s.
 */
export function popularityProfile(experts: number, spec: SkewSpec): Float64Array {
  const w = new Float64Array(experts);
  if (spec.skew === "uniform") return w.fill(1);
  if (spec.skew === "zipf") {
    let sum = 0;
    for (let i = 0; i < experts; i++) sum += w[i] = 1 / Math.pow(i + 1, spec.zipf_exponent);
    for (let i = 0; i < experts; i++) w[i] = (w[i]! * experts) / sum;
    return w;
  }
  const h = Math.min(spec.hot_experts, experts);
  const f = spec.hot_factor;
  if (f * h >= experts) throw new RangeError(`hot_factor × hot_experts (${f} × ${h}) must stay below the ${experts} experts (the mean includes the hot ones)`);
  // hot weight x = f × mean, mean = (h·x + (E−h)·1)/E  →  x = f(E−h)/(E−f·h); then scale to mean 1
  const x = (f * (experts - h)) / (experts - f * h);
  const mean = (h * x + experts - h) / experts;
  for (let i = 0; i < experts; i++) w[i] = (i < h ? x : 1) / mean;
  return w;
}

/** Walker alias table over `weights` (one uniform draw per sample). */
export interface AliasTable {
  readonly n: number;
  readonly prob: Float64Array;
  readonly alias: Int32Array;
  /** True when every weight is equal (sampling skips the table). */
  readonly uniform: boolean;
  /** The weights, normalised to sum 1 (for drawExcluding). */
  readonly weights: Float64Array;
  /** Running sums of `weights`: cumulative[i] = weights[0] + … + weights[i]. */
  readonly cumulative: Float64Array;
}

/** Builds the alias table of `weights` (Vose's method; deterministic). */
export function aliasTable(weights: ArrayLike<number>): AliasTable {
  const n = weights.length;
  let sum = 0;
  let uniform = true;
  for (let i = 0; i < n; i++) {
    sum += weights[i]!;
    if (weights[i] !== weights[0]) uniform = false;
  }
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i]! * n) / sum;
    (scaled[i]! < 1 ? small : large).push(i);
  }
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of large) {
    prob[i] = 1;
    alias[i] = i;
  }
  for (const i of small) {
    prob[i] = 1;
    alias[i] = i;
  }
  const normalised = new Float64Array(n);
  const cumulative = new Float64Array(n);
  for (let i = 0, run = 0; i < n; i++) cumulative[i] = run += normalised[i] = weights[i]! / sum;
  return { n, prob, alias, uniform, weights: normalised, cumulative };
}

/** Where the replicas of every expert live: routed slots numbered as in model/ops/layout.ts (routed first). */
export interface ReplicaPlacement {
  /** Expert each routed slot holds, length = routed slots. */
  readonly expertOfSlot: Int32Array;
  /** Slots of expert e: slotList[slotStart[e] … slotStart[e+1]). */
  readonly slotStart: Int32Array;
  readonly slotList: Int32Array;
}

function placementFrom(expertOfSlot: Int32Array, experts: number): ReplicaPlacement {
  const count = new Int32Array(experts + 1);
  for (const e of expertOfSlot) count[e + 1]!++;
  for (let e = 0; e < experts; e++) count[e + 1]! += count[e]!;
  const slotList = new Int32Array(expertOfSlot.length);
  const fill = count.slice(0, experts);
  expertOfSlot.forEach((e, s) => (slotList[fill[e]!++] = s));
  return { expertOfSlot, slotStart: count, slotList };
}

/** Without load information: slot s < E holds expert s, redundant slot E + i holds expert i mod E. */
export function staticPlacement(experts: number, routedSlots: number): ReplicaPlacement {
  const bySlot = new Int32Array(routedSlots);
  for (let s = 0; s < routedSlots; s++) bySlot[s] = s % experts;
  return placementFrom(bySlot, experts);
}

/**
 * EPLB from observed load (the greedy of DeepSeek's open-source EPLB, as we read it): each redundant
 * slot goes to the expert with the highest load per replica; then replicas, heaviest first, go to the
 * rank with the least load that still has a free routed slot (ties: lowest rank). `rankOfSlot` maps a
 * routed slot to its EP rank.
 */
export function observedPlacement(load: ArrayLike<number>, routedSlots: number, rankOfSlot: (slot: number) => number): ReplicaPlacement {
  const experts = load.length;
  const replicas = new Int32Array(experts).fill(1);
  for (let r = experts; r < routedSlots; r++) {
    let best = 0;
    for (let e = 1; e < experts; e++) if (load[e]! / replicas[e]! > load[best]! / replicas[best]!) best = e;
    replicas[best]!++;
  }
  const items: { e: number; w: number }[] = [];
  for (let e = 0; e < experts; e++) for (let k = 0; k < replicas[e]!; k++) items.push({ e, w: load[e]! / replicas[e]! });
  items.sort((a, b) => b.w - a.w || a.e - b.e);
  // free routed slots per rank, in slot order
  let ranks = 0;
  for (let s = 0; s < routedSlots; s++) ranks = Math.max(ranks, rankOfSlot(s) + 1);
  const free: number[][] = Array.from({ length: ranks }, () => []);
  for (let s = 0; s < routedSlots; s++) free[rankOfSlot(s)]!.push(s);
  const next = new Int32Array(ranks);
  const rankLoad = new Float64Array(ranks);
  const bySlot = new Int32Array(routedSlots);
  for (const it of items) {
    let pick = -1;
    for (let r = 0; r < ranks; r++) if (next[r]! < free[r]!.length && (pick < 0 || rankLoad[r]! < rankLoad[pick]!)) pick = r;
    bySlot[free[pick]![next[pick]!++]!] = it.e;
    rankLoad[pick]! += it.w;
  }
  return placementFrom(bySlot, experts);
}

/** Per-layer routing tables: the popularity alias tables and the replica placement. */
export interface LayerRouting {
  /** Alias table over all experts (topk / group-limited routing), or one per MoGE group. */
  readonly tables: readonly AliasTable[];
  /** Experts per table. */
  readonly expertsPerTable: number;
  /** Experts each token takes from each table, count. */
  readonly picksPerTable: number;
  readonly placement: ReplicaPlacement;
}

/** Experts one popularity profile spans: a MoGE group's, else the whole layer's, count. */
export function profileExperts(moe: MoeArchitecture): number {
  return moe.routing.kind === "moge" ? moe.routed_experts / moe.routing.groups : moe.routed_experts;
}

/**
 * Expert weights of one layer: the profile assigned to experts by a random permutation from `rng`
 * (a different set of hot experts in every layer). Under MoGE each group gets the profile of its own size.
 */
export function layerWeights(moe: MoeArchitecture, spec: SkewSpec, rng: Uniform): Float64Array {
  const E = moe.routed_experts;
  const groups = moe.routing.kind === "moge" ? moe.routing.groups : 1;
  const per = profileExperts(moe);
  const w = new Float64Array(E);
  const profile = popularityProfile(per, spec);
  for (let g = 0; g < groups; g++) {
    const perm = Int32Array.from({ length: per }, (_, i) => i);
    for (let i = per - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    for (let i = 0; i < per; i++) w[g * per + perm[i]!] = profile[i]!;
  }
  return w;
}

/** The alias tables of one layer's weights (one per MoGE group). */
export function layerTables(moe: MoeArchitecture, weights: Float64Array): { tables: AliasTable[]; expertsPerTable: number; picksPerTable: number } {
  const groups = moe.routing.kind === "moge" ? moe.routing.groups : 1;
  const per = moe.routed_experts / groups;
  const tables: AliasTable[] = [];
  for (let g = 0; g < groups; g++) tables.push(aliasTable(weights.subarray(g * per, (g + 1) * per)));
  return { tables, expertsPerTable: per, picksPerTable: moe.top_k / groups };
}

/** Routed experts each token picks: picks per table × tables (top-k), count. */
export function picksPerToken(r: { readonly tables: readonly AliasTable[]; readonly picksPerTable: number }): number {
  return r.tables.length * r.picksPerTable;
}

/**
 * Draws the routed experts of `tokens` tokens and calls `onPick(expert, token)` for each of the top-k
 * picks: k distinct experts per token (per MoGE group), each by successive weighted draws with
 * rejection of repeats (Plackett–Luce), one uniform per draw. Group limits of DeepSeek routing
 * (top-4 of 8 groups) are not applied: they bound the nodes a token reaches, and the UB fabric is flat.
 * The picks are delivered after all draws (routeInto), so `onPick` must not draw from `rng`.
 */
export function sampleTokens(
  r: { readonly tables: readonly AliasTable[]; readonly expertsPerTable: number; readonly picksPerTable: number },
  rng: Uniform,
  tokens: number,
  onPick: (expert: number, token: number) => void,
): void {
  deliver(r, routeInto(r, rng, tokens, new Int32Array(tokens * picksPerToken(r)), undefined, undefined), tokens, onPick);
}

/** Calls `onPick(expert, token)` for the picks routeInto wrote to `out`, in draw order. */
function deliver(r: { readonly tables: readonly AliasTable[]; readonly picksPerTable: number }, out: Int32Array, tokens: number, onPick: (expert: number, token: number) => void): void {
  const K = picksPerToken(r);
  for (let t = 0; t < tokens; t++) for (let c = 0; c < K; c++) onPick(out[t * K + c]!, t);
}

/**
 * sampleTokens (`urns` undefined) or sampleSequenceTokens into a buffer: token t's picks, as expert
 * indices of the layer, at out[t·K … t·K + K), K = picksPerToken(r), in draw order; returns `out`
 * (at least tokens × K long). No callback per pick: the step simulator routes ~10⁷ picks per step.
 */
export function routeInto(
  r: { readonly tables: readonly AliasTable[]; readonly expertsPerTable: number; readonly picksPerTable: number },
  rng: Uniform,
  tokens: number,
  out: Int32Array,
  sequenceOf: ((token: number) => number) | undefined,
  urns: SequenceUrns | undefined,
): Int32Array {
  const k = r.picksPerTable;
  const K = picksPerToken(r);
  if (out.length < tokens * K) throw new RangeError(`routeInto: buffer of ${out.length} picks for ${tokens} tokens × ${K}`);
  const chosen = new Int32Array(k);
  for (let t = 0; t < tokens; t++) {
    const seq = urns === undefined ? -1 : sequenceOf!(t);
    for (let g = 0; g < r.tables.length; g++) {
      const tab = r.tables[g]!;
      const at = t * K + g * k;
      const offset = g * r.expertsPerTable;
      for (let c = 0; c < k; c++) {
        const e = seq >= 0 ? urns!.draw(tab, g, seq, rng, chosen, c) : drawDistinct(tab, rng, chosen, c);
        chosen[c] = e;
        out[at + c] = offset + e;
      }
    }
  }
  return out;
}

/** The entry of `tab` for a uniform `u01` ∈ [0, 1): one alias-table draw. */
function aliasPick(tab: AliasTable, u01: number): number {
  const u = u01 * tab.n;
  const i = u | 0;
  return tab.uniform || u - i < tab.prob[i]! ? i : tab.alias[i]!;
}

/** Whether `e` is among `chosen[0..c)`. */
function isChosen(chosen: Int32Array, c: number, e: number): boolean {
  for (let q = 0; q < c; q++) if (chosen[q] === e) return true;
  return false;
}

/**
 * Consecutive rejected draws of one pick after which it is drawn exactly from the weights of the entries not
 * yet chosen (drawExcluding): the same law, in one uniform. Rejection is cheaper while repeats are rare; a
 * profile whose chosen entries hold nearly all the weight (a `hot` skew near its limit) would otherwise take
 * ~10⁵ draws per pick. A simulation setting, not a model parameter: at the skews the configs use (a 30× hot
 * expert is drawn ~1 time in 10) 16 repeats in a row do not occur.
 */
const DRAW_REJECTIONS_MAX = 16;

/**
 * The entry of `tab` for a uniform `u01`, drawn from the weights of the entries not among `chosen[0..c)`:
 * the first entry whose running sum without the chosen ones exceeds u01 × their total (binary search;
 * chosen entries add nothing to that sum, so they are never the first).
 */
function drawExcluding(tab: AliasTable, u01: number, chosen: Int32Array, c: number): number {
  const { weights, cumulative } = tab;
  let removed = 0;
  for (let q = 0; q < c; q++) removed += weights[chosen[q]!]!;
  const target = u01 * (cumulative[tab.n - 1]! - removed);
  const without = (i: number): number => {
    let v = cumulative[i]!;
    for (let q = 0; q < c; q++) if (chosen[q]! <= i) v -= weights[chosen[q]!]!;
    return v;
  };
  let lo = 0;
  let hi = tab.n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (without(mid) > target) hi = mid;
    else lo = mid + 1;
  }
  if (!isChosen(chosen, c, lo)) return lo;
  // rounding left the target at or above the last sum: the last entry not chosen
  for (let i = tab.n - 1; i >= 0; i--) if (!isChosen(chosen, c, i)) return i;
  throw new RangeError(`drawExcluding: all ${tab.n} entries are chosen`);
}

/** Draws from `tab` until the entry is not among `chosen[0..c)` (one uniform per draw; see DRAW_REJECTIONS_MAX). */
function drawDistinct(tab: AliasTable, rng: Uniform, chosen: Int32Array, c: number): number {
  for (let tries = 0; tries < DRAW_REJECTIONS_MAX; tries++) {
    const e = aliasPick(tab, rng());
    if (!isChosen(chosen, c, e)) return e;
  }
  return drawExcluding(tab, rng(), chosen, c);
}

/**
 * Consecutive rejected draws of one pick, from its sequence's urn, after which the pick's copies come from
 * the layer's popularity instead: a guard against a sequence whose urn holds fewer distinct experts than a
 * token needs (a simulation setting, not a model parameter; the popularity table holds every expert).
 */
const URN_REJECTIONS_MAX = 64;

/**
 * Per-sequence expert preferences as Pólya urns: tokens of one sequence route alike (DeepSeek-V3 §4.5.3:
 * batch-wise balancing leaves "load imbalance within certain sequences or small batches"; its Fig. 9 shows
 * experts specialising by domain). A sequence's routing distribution is Dirichlet(κ·w) around the layer's
 * popularity w (mean-1 weights): expert e's preference has mean w_e / E and a coefficient of variation of
 * ≈ 1/√(κ·w_e). Drawing it token by token is the urn of Blackwell–MacQueen: the sequence's n-th draw is a
 * fresh draw from w with probability A/(A+n), A = κ·E, else a copy of one of its n earlier draws. Picks of
 * one token stay distinct by rejection (as sampleTokens), and the urn records every draw, the rejected
 * repeats too: given the sequence's distribution p the draws are i.i.d. from p and a token's picks are its
 * first k distinct draws, so the urn of all draws is exactly Dirichlet(κ·w). (An urn of the accepted picks
 * alone under-counts the experts a token draws repeatedly — the popular ones — and drifts away from them
 * along the sequence: the 30× hot expert fell from 0.57 picks per token in a prompt's first 64 tokens to
 * 0.34 after 1,024.) Reset per layer: a sequence's preferences in different layers are independent.
 */
export class SequenceUrns {
  /** Draws of every (sequence, table) urn, grown on demand (a rejected repeat adds a draw). */
  private readonly draws: Int32Array[];
  /** Draws held per (sequence, table) urn. */
  private readonly held: Int32Array;
  /** Initial draws per (sequence, table) urn: tokens per sequence × picks per table. */
  private readonly capacity: number;
  /** A = κ × experts per table: the urn's weight of a fresh draw. */
  private readonly fresh: number;

  /**
   * `sequences` urns per table for sequences of `tokensPerSequence` tokens; `concentration` is κ
   * (dimensionless, > 0).
   */
  constructor(
    readonly sequences: number,
    private readonly tablesPerToken: number,
    tokensPerSequence: number,
    picksPerTable: number,
    expertsPerTable: number,
    concentration: number,
  ) {
    if (!(concentration > 0)) throw new RangeError(`sequence concentration must be > 0, got ${concentration}`);
    this.capacity = Math.max(1, tokensPerSequence * picksPerTable);
    this.draws = Array.from({ length: sequences * tablesPerToken }, () => new Int32Array(0));
    this.held = new Int32Array(sequences * tablesPerToken);
    this.fresh = concentration * expertsPerTable;
  }

  /** Empties every urn (a new layer). */
  reset(): void {
    this.held.fill(0);
  }

  /** Appends draw `e` to urn `urn`. */
  private record(urn: number, e: number): void {
    const n = this.held[urn]!;
    let d = this.draws[urn]!;
    if (n === d.length) {
      const grown = new Int32Array(Math.max(this.capacity, 2 * d.length));
      grown.set(d);
      d = this.draws[urn] = grown;
    }
    d[n] = e;
    this.held[urn] = n + 1;
  }

  /**
   * Draws one expert of `table` for a token of `sequence`, distinct from the token's `chosen[0..c)`, and
   * records the draws in the sequence's urn. One uniform per draw: its position in [0, A + n) decides fresh
   * (below A, reused as the table draw) or which earlier draw to copy.
   */
  draw(tab: AliasTable, table: number, sequence: number, rng: Uniform, chosen: Int32Array, c: number): number {
    const urn = sequence * this.tablesPerToken + table;
    const A = this.fresh;
    for (let tries = 0; ; tries++) {
      const held = this.held[urn]!;
      const x = rng() * (A + held);
      if (x < A) {
        const e = aliasPick(tab, x / A);
        this.record(urn, e);
        if (!isChosen(chosen, c, e)) return e;
      } else if (tries >= URN_REJECTIONS_MAX) {
        // the guard: a draw from the popularity, not the urn's law, so only the pick it yields is recorded
        const e = tries >= URN_REJECTIONS_MAX + DRAW_REJECTIONS_MAX ? drawExcluding(tab, rng(), chosen, c) : aliasPick(tab, rng());
        if (!isChosen(chosen, c, e)) {
          this.record(urn, e);
          return e;
        }
      } else {
        // (min: x − A may round up to `held`)
        const e = this.draws[urn]![Math.min(held - 1, Math.floor(x - A))]!;
        this.record(urn, e);
        if (!isChosen(chosen, c, e)) return e;
      }
    }
  }
}

/**
 * sampleTokens with per-sequence preferences: token t belongs to sequence `sequenceOf(t)` (−1: a padding
 * token, routed from the popularity alone).
 */
export function sampleSequenceTokens(
  r: { readonly tables: readonly AliasTable[]; readonly expertsPerTable: number; readonly picksPerTable: number },
  rng: Uniform,
  tokens: number,
  sequenceOf: (token: number) => number,
  urns: SequenceUrns,
  onPick: (expert: number, token: number) => void,
): void {
  deliver(r, routeInto(r, rng, tokens, new Int32Array(tokens * picksPerToken(r)), sequenceOf, urns), tokens, onPick);
}
