import type { Transfer } from "../network/network-model.js";
import {
  emptyPlan,
  sendRecvStep,
  unsupportedOp,
  type CollectiveOp,
  type CollectivePlan,
  type CollectiveRequest,
  type CollectiveStep,
} from "./plan.js";

/** Operations recursive halving-doubling implements (all-to-all uses pairwise in HCCL). */
export const HD_OPS: readonly CollectiveOp[] = ["all_reduce", "all_gather", "reduce_scatter", "broadcast", "send_recv"];

/** Largest power of two ≤ n (n ≥ 1). */
export function powerOfTwoFloor(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** Every core member exchanges `bytes` with its partner at XOR distance `d`. */
function exchange(core: readonly number[], d: number, bytes: number): CollectiveStep {
  const transfers: Transfer[] = [];
  for (let i = 0; i < core.length; i++) transfers.push({ src: core[i]!, dst: core[i ^ d]!, bytes });
  return { transfers };
}

/**
 * Blocks of the n-way split held by the aligned group of `d` core positions starting at `start`: one per
 * position, plus one more for each partner of an extra among them (the partners are core positions
 * 0 … r−1, and a partner holds its extra's block as well as its own), count.
 */
function groupBlocks(start: number, d: number, r: number): number {
  return d + Math.max(0, Math.min(r, start + d) - start);
}

/**
 * One round of an n-way split (all-gather or reduce-scatter) among the p core ranks at XOR distance `d`:
 * core position i sends the blocks of the aligned d-group of position `i` (all-gather: what it holds) or
 * of its partner `i ^ d` (reduce-scatter: the partner half's share), each block S/n. When n is a power
 * of two every group holds d blocks (d·S/p); otherwise the groups that hold partners of extras carry
 * more — the extra traffic of H-D_R.
 */
function blockExchange(core: readonly number[], d: number, r: number, blockBytes: number, ofPartner: boolean): CollectiveStep {
  const transfers: Transfer[] = [];
  for (let i = 0; i < core.length; i++) {
    const owner = ofPartner ? i ^ d : i;
    const start = owner - (owner % d);
    transfers.push({ src: core[i]!, dst: core[i ^ d]!, bytes: groupBlocks(start, d, r) * blockBytes });
  }
  return { transfers };
}

/** Every extra rank and its partner: one transfer each, in the given direction. */
function fold(pairs: readonly (readonly [number, number])[], bytes: number, toPartner: boolean): CollectiveStep {
  const transfers: Transfer[] = pairs.map(([extra, partner]) =>
    toPartner ? { src: extra, dst: partner, bytes } : { src: partner, dst: extra, bytes },
  );
  return { transfers };
}

/**
 * Recursive halving-doubling steps (HCCL `H-D_R`). With p the largest power of two ≤ n and r = n − p,
 * the odd rank of each of the first r position pairs is an "extra": it first hands its data to its
 * even partner, the p core ranks run log2 p halving and/or doubling rounds, and the partner finally
 * hands the result back — two extra rounds and extra traffic whenever n is not a power of two.
 * Core rounds: reduce-scatter by recursive halving (partner at distance p/2, p/4, …; S/2, S/4, … S/p),
 * all-gather by recursive doubling (distance 1, 2, …; S/p, 2S/p, … S/2), all-reduce = both
 * (Rabenseifner), broadcast = binomial scatter from the root + recursive-doubling all-gather.
 * All-reduce and broadcast fold the whole buffer into the core, which then splits it p ways. A
 * reduce-scatter or all-gather must end (or start) with S/n per rank, so its core rounds move whole
 * blocks of S/n: a partner holds its extra's block too, and a round carries d + (partners among the d
 * positions) blocks instead of d·S/p (see blockExchange) — e.g. n = 3: the all-gather's core round
 * sends 2S/3 (both blocks the partner holds), not S/2.
 */
export function halvingDoublingSteps(req: CollectiveRequest): CollectiveStep[] {
  const { op, group, bytes: S } = req;
  const n = group.length;
  const steps: CollectiveStep[] = [];
  if (n < 2) return steps;
  if (op === "send_recv") return [sendRecvStep(group, S)];
  const root = op === "broadcast" ? (req.root ?? 0) : 0;
  const at = (i: number): number => group[(root + i) % n]!;
  const p = powerOfTwoFloor(n);
  const r = n - p;
  const core: number[] = [];
  const pairs: [number, number][] = [];
  for (let i = 0; i < r; i++) {
    core.push(at(2 * i));
    pairs.push([at(2 * i + 1), at(2 * i)]);
  }
  for (let i = 2 * r; i < n; i++) core.push(at(i));

  const halving = (): void => {
    for (let d = p / 2, size = S / 2; d >= 1; d /= 2, size /= 2) steps.push(exchange(core, d, size));
  };
  const doubling = (): void => {
    for (let d = 1, size = S / p; d < p; d *= 2, size *= 2) steps.push(exchange(core, d, size));
  };
  switch (op) {
    case "all_reduce":
      if (r > 0) steps.push(fold(pairs, S, true));
      halving();
      doubling();
      if (r > 0) steps.push(fold(pairs, S, false));
      break;
    case "reduce_scatter":
      if (r > 0) steps.push(fold(pairs, S, true));
      for (let d = p / 2; d >= 1; d /= 2) steps.push(blockExchange(core, d, r, S / n, true));
      if (r > 0) steps.push(fold(pairs, S / n, false));
      break;
    case "all_gather":
      if (r > 0) steps.push(fold(pairs, S / n, true));
      for (let d = 1; d < p; d *= 2) steps.push(blockExchange(core, d, r, S / n, false));
      if (r > 0) steps.push(fold(pairs, (S * (n - 1)) / n, false));
      break;
    case "broadcast":
      // binomial scatter: holders (core positions that are multiples of 2d) pass half of what they hold
      for (let d = p / 2, size = S / 2; d >= 1; d /= 2, size /= 2) {
        const transfers: Transfer[] = [];
        for (let i = 0; i < p; i += 2 * d) transfers.push({ src: core[i]!, dst: core[i + d]!, bytes: size });
        steps.push({ transfers });
      }
      doubling();
      if (r > 0) steps.push(fold(pairs, S, false));
      break;
    default:
      unsupportedOp("hd", op, HD_OPS);
  }
  return steps;
}

/** Recursive halving-doubling plan (see {@link halvingDoublingSteps}). */
export function halvingDoublingPlan(req: CollectiveRequest): CollectivePlan {
  if (!HD_OPS.includes(req.op)) unsupportedOp("hd", req.op, HD_OPS);
  if (req.group.length < 2) return emptyPlan(req, "hd");
  return { op: req.op, algorithm: "hd", group: req.group, bytes: req.bytes, steps: halvingDoublingSteps(req) };
}
