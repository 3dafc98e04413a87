import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/errors.js";
import { factorizations, loadSpace, MAX_SPACE_POINTS, spacePoints } from "../../src/search/space.js";

/*
 * A `factorize` generator takes any positive safe integer (up to 2^53). Enumerating its divisors must
 * not take time linear in the product, and a space whose points cannot all be run — too many
 * factorisations, or a product of long knob lists — is refused before it is enumerated, with a message
 * naming the limit (docs/cli-tools.md: at most 100,000 points).
 */

const dir = mkdtempSync(join(tmpdir(), "search-space-limits-"));
let files = 0;
function spaceFile(yaml: string): string {
  const f = join(dir, `space-${files++}.yaml`);
  writeFileSync(f, yaml);
  return f;
}

function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an input error");
}

/** The definition: every ordered tuple of divisors whose product is n (first knob slowest), by brute force. */
function bruteForce(n: number, k: number): number[][] {
  if (k === 1) return [[n]];
  const out: number[][] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) for (const rest of bruteForce(n / d, k - 1)) out.push([d, ...rest]);
  return out;
}

describe("factorize generator on large products", () => {
  it("a small remaining point limit does not refuse a generator whose caps prune most candidates", () => {
    // 720,720 into three knobs, a ≤ 16 and c = 1: 16 factorisations, found among many capped-out candidates
    expect(factorizations(720720, ["a", "b", "c"], false, { a: 16, c: 1 }, 16)).toHaveLength(16);
  });

  it("lists factorisations in the same order as the brute-force definition", () => {
    for (const n of [1, 2, 12, 36, 64, 97, 360, 1001]) {
      for (const k of [1, 2, 3]) expect(factorizations(n, Array.from({ length: k }, (_, i) => `k${i}`))).toEqual(bruteForce(n, k));
    }
  });

  it("factors 2^40 into two knobs in well under a second: the 41 pairs (2^i, 2^(40-i))", { timeout: 10_000 }, () => {
    const t0 = performance.now();
    const combos = factorizations(2 ** 40, ["cluster.servers", "cluster.npus_per_server"]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(combos).toEqual(Array.from({ length: 41 }, (_, i) => [2 ** i, 2 ** (40 - i)]));
  });

  it("factors the largest primes below 2^53 (trial division up to √n only)", { timeout: 10_000 }, () => {
    const p = 9007199254740881; // prime
    expect(factorizations(p, ["a", "b"])).toEqual([[1, p], [p, 1]]);
  });

  it("tests powers of two exactly above 2^32 (3·2^32 has no factorisation into powers of two)", () => {
    expect(factorizations(3 * 2 ** 32, ["a", "b"], true)).toEqual([]);
    expect(factorizations(2 ** 50, ["a", "b"], true, { a: 4 })).toEqual([[1, 2 ** 50], [2, 2 ** 49], [4, 2 ** 48]]);
  });

  it("loads a space factorising 2^40 into two knobs as one axis of 41 points", { timeout: 10_000 }, () => {
    const f = spaceFile("generators:\n  - factorize:\n      product: 1099511627776\n      into: [cluster.servers, cluster.npus_per_server]\n");
    expect(spacePoints(loadSpace(f)).map((p) => p.values.map(([, v]) => v).join("×"))).toEqual(Array.from({ length: 41 }, (_, i) => `${2 ** i}×${2 ** (40 - i)}`));
  });
});

describe("search space size limit", () => {
  it("is 100,000 points", () => {
    expect(MAX_SPACE_POINTS).toBe(100_000);
  });

  it("refuses a product with more factorisations than the limit before enumerating them all", { timeout: 10_000 }, () => {
    // 735134400 = 2^6·3^3·5^2·7·11·13·17: C(8,2)·C(5,2)·C(4,2)·3^4 = 136,080 ordered triples
    const f = spaceFile("generators:\n  - factorize:\n      product: 735134400\n      into: [a.x, a.y, a.z]\n");
    expect(inputErrorOf(() => loadSpace(f))).toMatch(/generators\.0\.factorize: too many factorisations of 735134400 into a\.x × a\.y × a\.z .*at most 100,000 points.*add `max` caps/);
  });

  it("counts the knob axes before a factorize generator against the same limit", () => {
    const f = spaceFile(`knobs:\n  a.p: [${Array.from({ length: 100 }, (_, i) => i).join(", ")}]\n  a.q: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\ngenerators:\n  - factorize:\n      product: 720720\n      into: [a.x, a.y]\n`);
    // 720720 has 240 divisors; 1000 knob combinations leave room for 100 per combination
    expect(inputErrorOf(() => loadSpace(f))).toMatch(/too many factorisations of 720720 .*so 100 for this generator after the 1,000 combinations of the axes before it/);
  });

  it("refuses knob lists whose product exceeds the limit, naming each axis", () => {
    const ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
    const f = spaceFile(`knobs:\n${["a", "b", "c", "d", "e", "f"].map((k) => `  x.${k}: ${ten}\n`).join("")}`);
    expect(inputErrorOf(() => loadSpace(f))).toContain("the space has 1,000,000 points (x.a: 10 × x.b: 10 × x.c: 10 × x.d: 10 × x.e: 10 × x.f: 10), more than the limit of 100,000");
  });

  it("accepts a space of exactly the limit", () => {
    const f = spaceFile(`knobs:\n  x.a: [${Array.from({ length: 1000 }, (_, i) => i).join(", ")}]\n  x.b: [${Array.from({ length: 100 }, (_, i) => i).join(", ")}]\n`);
    expect(spacePoints(loadSpace(f)).length).toBe(MAX_SPACE_POINTS);
  });
});
