import { describe, expect, it } from "vitest";
import { CHIPS } from "../../../src/hw/chips.js";
import { attentionKernelCost, attentionKernelPriced, type AttentionKernelShape } from "../../../src/hw/ops/flash-attention.js";
import { gemmCost, gemmMemoSize, gemmSearchForTests as H, gemmTiling, groupedGemmCost, type GemmDtype } from "../../../src/hw/ops/gemm.js";
import { BoundedMemo, clearMemos, dieKey } from "../../../src/hw/ops/memo.js";

// Process-wide memos of operator pricing (src/hw/ops/memo.ts): a memoised price is the price, whatever
// was priced before it; the memo never merges two different inputs and never grows past its bound.

const die910c = CHIPS["910C"]!.die;
const dies = Object.values(CHIPS).map((c) => c.die);
const DTYPES: readonly GemmDtype[] = ["bf16", "int8", "w4a16"];

describe("GEMM memo", () => {
  it("returns what the unmemoised search returns, for every shape, group count, core subset and chip, asked twice", () => {
    for (let round = 0; round < 2; round++) {
      for (const die of dies) {
        for (const dtype of DTYPES) {
          for (const [m, n, k, groups] of [
            [1, 7168, 2048, 1],
            [16, 4096, 7168, 8],
            [17, 4096, 7168, 8],
            [300, 2048, 7168, 1],
            [4096, 4096, 4096, 2],
          ] as const) {
            for (const subset of [undefined, { aic: 8 }, { aic: 8, aiv: 4 }]) {
              const want = H.priced(die, { m, n, k, dtype }, groups, subset);
              const got = groups === 1 ? gemmCost(die, { m, n, k, dtype }, subset) : groupedGemmCost(die, { m, n, k, dtype, groups }, subset);
              expect(got, `${m}×${n}×${k} ×${groups} ${dtype} ${JSON.stringify(subset)}`).toEqual(want.cost);
              if (groups === 1) expect(gemmTiling(die, { m, n, k, dtype }, subset)).toEqual(want.tiling);
            }
          }
        }
      }
    }
  });

  it("prices a repeated shape once, and a shape differing in any one input anew", () => {
    const shape = { m: 123, n: 4096, k: 7168, dtype: "int8" } as const;
    gemmCost(die910c, shape);
    const size = gemmMemoSize();
    gemmCost(die910c, { ...shape });
    groupedGemmCost(die910c, { ...shape, groups: 1 });
    gemmCost(die910c, shape, { aic: die910c.aic });
    gemmCost({ ...die910c }, shape); // another object with the same fields is the same die
    expect(gemmMemoSize()).toBe(size);
    for (const other of [{ ...shape, m: 124 }, { ...shape, n: 4097 }, { ...shape, k: 7169 }, { ...shape, dtype: "bf16" as const }]) gemmCost(die910c, other);
    groupedGemmCost(die910c, { ...shape, groups: 2 });
    gemmCost(die910c, shape, { aic: 8 });
    gemmCost(die910c, shape, { aic: 8, aiv: 8 });
    gemmCost({ ...die910c, clockHz: die910c.clockHz * 1.01 }, shape);
    expect(gemmMemoSize()).toBe(size + 8);
  });

  it("clearMemos empties the memo (the bench times each config cold) and the next price is the same", () => {
    const shape = { m: 96, n: 2112, k: 7168, dtype: "int8" } as const;
    const before = gemmCost(die910c, shape);
    clearMemos();
    expect(gemmMemoSize()).toBe(0);
    expect(gemmCost(die910c, shape)).toEqual(before);
    expect(gemmMemoSize()).toBe(1);
  });

  it("hands out copies: changing a returned cost does not change the next one", () => {
    const shape = { m: 77, n: 1024, k: 1024, dtype: "bf16" } as const;
    const first = gemmCost(die910c, shape) as { ns: number };
    const ns = first.ns;
    first.ns = -1;
    expect(gemmCost(die910c, shape).ns).toBe(ns);
  });
});

describe("GEMM waves in closed form", () => {
  /** The kind of wave [s, e) by walking its tiles (the search's former loop). */
  function walked(s: number, e: number, tilesM: number, tilesN: number, splitK: number, exactM: boolean, exactN: boolean): number {
    const perGroup = tilesM * tilesN * splitK;
    let fullRow = false;
    let fullCol = false;
    for (let i = s; i < e; i++) {
      const j = Math.floor((i % perGroup) / splitK);
      if (Math.floor(j / tilesN) < tilesM - 1 || exactM) fullRow = true;
      if (j % tilesN < tilesN - 1 || exactN) fullCol = true;
    }
    return (fullRow ? 1 : 0) | (fullCol ? 2 : 0);
  }

  it("classifies every wave of every small tiling as walking its tiles does", () => {
    let checked = 0;
    for (let tilesM = 1; tilesM <= 4; tilesM++)
      for (let tilesN = 1; tilesN <= 4; tilesN++)
        for (let splitK = 1; splitK <= 3; splitK++)
          for (let groups = 1; groups <= 3; groups++) {
            const total = groups * tilesM * tilesN * splitK;
            for (let cores = 1; cores <= total; cores++)
              for (let s = 0; s < total; s += cores)
                for (const exactM of [false, true])
                  for (const exactN of [false, true]) {
                    const e = Math.min(total, s + cores);
                    expect(H.waveKind(s, e, tilesM, tilesN, splitK, exactM, exactN), `${tilesM}×${tilesN}×${splitK} ×${groups} wave [${s}, ${e})`).toBe(walked(s, e, tilesM, tilesN, splitK, exactM, exactN));
                    checked++;
                  }
          }
    expect(checked).toBeGreaterThan(10000);
  });
});

describe("attention kernel memo", () => {
  const shapes: AttentionKernelShape[] = [
    { streams: 48, rows: 128, kvLen: 4096, causal: false, rowsPerPosition: 128, dk: 576, dv: 512, kvBytesPerToken: 1152 },
    { streams: 48, rows: 256, kvLen: 4096, causal: false, rowsPerPosition: 128, dk: 576, dv: 512, kvBytesPerToken: 1152 },
    { streams: 8, rows: 4096, kvLen: 4096, causal: true, rowsPerPosition: 1, dk: 192, dv: 128, kvBytesPerToken: 640 },
    { streams: 8, rows: 4096, kvLen: 4096, causal: true, rowsPerPosition: 2, dk: 192, dv: 128, kvBytesPerToken: 640 },
  ];

  it("returns what the unmemoised search returns, asked twice, on each core count", () => {
    for (let round = 0; round < 2; round++) {
      for (const s of shapes) {
        for (const cores of [{ aic: die910c.aic, aiv: die910c.aiv }, { aic: 16, aiv: 32 }, { aic: 16, aiv: 8 }]) {
          expect(attentionKernelCost(die910c, s, cores, 1e12)).toEqual(attentionKernelPriced(die910c, s, cores, 1e12));
        }
      }
    }
  });

  it("keeps the FLOP count of each call (part of the key)", () => {
    expect(attentionKernelCost(die910c, shapes[0]!, { aic: 24, aiv: 48 }, 1).cost.flops).toBe(1);
    expect(attentionKernelCost(die910c, shapes[0]!, { aic: 24, aiv: 48 }, 2).cost.flops).toBe(2);
  });
});

describe("BoundedMemo and die keys", () => {
  it("holds at most its bound, dropping the oldest entry first", () => {
    const memo = new BoundedMemo<number>(3);
    let computed = 0;
    const get = (k: string) => memo.get(k, () => ++computed);
    for (const k of ["a", "b", "c", "a", "d"]) get(k);
    expect(memo.size).toBe(3);
    expect(computed).toBe(4); // the second "a" was a hit
    get("b");
    get("c");
    expect(computed).toBe(4); // still held
    get("a"); // "a" was the oldest, dropped when "d" came
    expect(computed).toBe(5);
  });

  it("gives dies with equal fields one key and dies differing in any field another", () => {
    expect(dieKey({ ...die910c })).toBe(dieKey(die910c));
    expect(dieKey({ ...die910c, rates: { ...die910c.rates, l2Read: die910c.rates.l2Read + 1 } })).not.toBe(dieKey(die910c));
    expect(new Set(dies.map(dieKey)).size).toBe(new Set(dies.map((d) => JSON.stringify(d))).size);
  });
});
