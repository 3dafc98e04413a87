import { quoted } from "../units/index.js";

/**
 * Edit distance between two strings: insertions, deletions, substitutions and swaps of two adjacent
 * characters (optimal string alignment), so the commonest typo, "rnaks" for "ranks", is one edit.
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let before = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** The words of a key (`hccs_link_bandwidth` → hccs, link, bandwidth), lower case. */
function words(s: string): string[] {
  return s.toLowerCase().split(/[\s_.\-/]+/).filter((w) => w !== "");
}

/** Edits allowed in a typo of a name of `length` characters. */
function typoLimit(length: number): number {
  return Math.max(1, Math.floor(Math.max(length, 3) / 3));
}

/**
 * The candidate whose words hold every word of `name` (a word matches a word of the candidate exactly, or
 * within a typo when it has more than 3 letters): `hccs_bandwidth` → `hccs_link_bandwidth`, which edit
 * distance alone ranks below `pcie_bandwidth`. A one-word name must be a whole word of exactly one
 * candidate (`capacity` → `hbm_capacity`). Ties go to the fewest extra words, then the fewest edits.
 */
function closestByWords(name: string, candidates: readonly string[]): string | undefined {
  const mine = words(name);
  if (mine.length === 0) return undefined;
  if (mine.length === 1) {
    if (mine[0]!.length < 4) return undefined;
    const holders = candidates.filter((c) => words(c).length > 1 && words(c).includes(mine[0]!));
    return holders.length === 1 ? holders[0] : undefined;
  }
  let best: string | undefined;
  let bestScore: [number, number] = [Infinity, Infinity];
  for (const c of candidates) {
    const theirs = words(c);
    const used = new Set<number>();
    let edits = 0;
    let all = true;
    for (const w of mine) {
      let bi = -1;
      let bd = Infinity;
      theirs.forEach((t, i) => {
        if (used.has(i)) return;
        const d = w === t ? 0 : w.length > 3 ? editDistance(w, t) : Infinity;
        if (d < bd) {
          bd = d;
          bi = i;
        }
      });
      if (bi < 0 || bd > typoLimit(w.length)) {
        all = false;
        break;
      }
      used.add(bi);
      edits += bd;
    }
    if (!all) continue;
    const score: [number, number] = [theirs.length - mine.length, edits];
    if (score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/**
 * The closest candidate to `name` if it is a plausible typo (case-insensitive), else undefined: a name one
 * edit away; else a candidate holding every word of the name (a word left out, or words swapped); else the
 * fewest edits within a third of the name's length.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (bestD <= 1) return best;
  const byWords = closestByWords(name, candidates);
  if (byWords !== undefined) return byWords;
  return bestD <= typoLimit(name.length) ? best : undefined;
}

/** ` (did you mean "x"?)` or "" — for appending to an error message. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const c = closest(name, candidates);
  return c === undefined ? "" : ` (did you mean ${quoted(c)}?)`;
}

/** `Valid values are: a, b, c.` */
export function validValues(candidates: readonly string[]): string {
  return `Valid values are: ${candidates.join(", ")}.`;
}
