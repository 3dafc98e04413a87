import { describe, expect, test } from "vitest";
import { chipByName } from "../../../src/hw/chips.js";
import { gqaDecodeCost, gqaDecodeFits, mlaDecode, mlaDecodeCost, mlaDecodeFits, prefillAttentionCost, prefillAttentionFits } from "../../../src/hw/ops/attention.js";
import type { CoreSubset } from "../../../src/hw/ops/op-cost.js";

const die = chipByName("910C").die;

describe("MLA decode", () => {
  test("with fewer AIVs than AICs only as many AIC–AIV pairs work: 12 AIV on 24 AIC cannot beat 12 cube cores", () => {
    // 48 × 256 rows × 4096 KV × (576 + 512) MAC = 54,760,833,024 MAC; on 12 AIC at 4,096 MAC/cycle × 0.9 issue:
    // 54,760,833,024 / 4096 / 0.9 / 12 = 1,237,902 cycles = 647,291 ns at 1.912435 GHz (a lower bound: no padding,
    // no data movement). Before the fix each of the 24 AICs was credited with one AIV: 517.9 µs.
    const s = { batch: 48, kvLen: 4096, heads: 128, qTokens: 2 };
    const c = mlaDecodeCost(die, s, { aic: 24, aiv: 12 });
    expect(c.ns).toBeGreaterThan(1_237_902 / 1.912435);
    expect(c.ns).toBeCloseTo(mlaDecodeCost(die, s, { aic: 12, aiv: 12 }).ns, 6);
  });

  test("moves 576 BF16 latent elements per KV token per sequence, plus Q (576) and O (512) per head, once", () => {
    const c = mlaDecodeCost(die, { batch: 8, kvLen: 1000, heads: 128 });
    expect(c.bytes).toBe(8 * (1000 * 576 * 2 + 128 * (576 + 512) * 2));
  });

  test("other latent sizes (a model's kv_lora_rank + qk_rope_head_dim) move the bytes and time with them; huge ones do not fit", () => {
    const base = { batch: 8, kvLen: 1000, heads: 128 };
    expect(mlaDecodeCost(die, { ...base, latentDim: 576, valueDim: 512 })).toEqual(mlaDecodeCost(die, base));
    const small = mlaDecodeCost(die, { ...base, latentDim: 288, valueDim: 256 });
    expect(small.bytes).toBe(8 * (1000 * 288 * 2 + 128 * (288 + 256) * 2));
    expect(small.ns).toBeLessThan(mlaDecodeCost(die, base).ns);
    expect(mlaDecodeFits(die, { ...base, latentDim: 576, valueDim: 512 })).toBe(true);
    expect(mlaDecodeFits(die, { ...base, latentDim: 100_064, valueDim: 100_000 })).toBe(false);
  });

  test("time grows with KV length and batch", () => {
    const a = mlaDecodeCost(die, { batch: 48, kvLen: 2048, heads: 128 });
    expect(mlaDecodeCost(die, { batch: 48, kvLen: 4096, heads: 128 }).ns).toBeGreaterThan(a.ns);
    expect(mlaDecodeCost(die, { batch: 96, kvLen: 2048, heads: 128 }).ns).toBeGreaterThan(a.ns);
  });

  test("few heads are HBM-bound: time close to KV bytes / HBM bandwidth", () => {
    const c = mlaDecodeCost(die, { batch: 48, kvLen: 4096, heads: 16 });
    expect(c.bound).toBe("memory");
    const floor = (c.bytes / die.hbmBandwidth) * 1e9;
    expect(c.ns).toBeGreaterThan(floor);
    expect(c.ns).toBeLessThan(1.4 * floor);
  });

  test("the tiling keeps the running output of a unit inside the AIV unified buffers", () => {
    const t = mlaDecode(die, { batch: 48, kvLen: 4096, heads: 128, qTokens: 2 }).tiling;
    expect((t.rowsPerUnit / 2) * 512 * 4).toBeLessThanOrEqual(die.buffers.ub);
    expect(t.units).toBeGreaterThanOrEqual(48);
  });

  test("a small batch splits the KV over cores (flash-decoding) instead of idling them", () => {
    expect(mlaDecode(die, { batch: 2, kvLen: 8192, heads: 16 }).tiling.kvSplits).toBeGreaterThan(1);
  });

  test("the attention stream of a micro-batch split (16 AIC + 32 AIV) is slower than the whole die", () => {
    const s = { batch: 48, kvLen: 4096, heads: 128, qTokens: 2 };
    expect(mlaDecodeCost(die, s, { aic: 16, aiv: 32 }).ns).toBeGreaterThan(1.3 * mlaDecodeCost(die, s).ns);
  });
});

describe("GQA and prefill attention", () => {
  test("GQA decode (Pangu Pro MoE: 40 Q / 8 KV heads, 128) reads K and V of 8 heads per token once, plus Q and O of the 40 query heads", () => {
    const c = gqaDecodeCost(die, { batch: 32, kvLen: 2048, heads: 40, kvHeads: 8, headDim: 128 });
    // K and V: 32 sequences × 2,048 tokens × 8 KV heads × (K + V) 2 × 128 × 2 B (BF16) = 268,435,456 B;
    // the 5 query heads of a group share their KV head's read (all 40 heads would be 1,342,177,280 B)
    const kv = 32 * 2048 * 8 * 2 * 128 * 2;
    // Q read and O written once: 32 sequences × 1 query token × 40 heads × 128 × 2 B each = 327,680 B
    const qo = 2 * (32 * 40 * 128 * 2);
    expect(c.bytes).toBe(kv + qo); // 269,090,816 B
    expect(c.bound).toBe("memory");
  });

  test("causal prefill does about half the work of full attention and takes less time", () => {
    const s = { batch: 1, seqLen: 4096, heads: 40, kvHeads: 8, headDim: 128 };
    const causal = prefillAttentionCost(die, s);
    const full = prefillAttentionCost(die, { ...s, causal: false });
    expect(causal.flops / full.flops).toBeCloseTo(0.5, 2);
    expect(causal.ns).toBeLessThan(0.75 * full.ns);
  });

  test("prefill time grows superlinearly with sequence length", () => {
    const s = { batch: 1, heads: 128, kvHeads: 128, headDim: 192, vHeadDim: 128 };
    const a = prefillAttentionCost(die, { ...s, seqLen: 2048 });
    const b = prefillAttentionCost(die, { ...s, seqLen: 4096 });
    expect(b.ns / a.ns).toBeGreaterThan(3);
  });

  test("heads must be a multiple of KV heads", () => {
    expect(() => gqaDecodeCost(die, { batch: 1, kvLen: 8, heads: 40, kvHeads: 7, headDim: 128 })).toThrow(RangeError);
  });
});

describe("whether an attention kernel tiling fits the core buffers", () => {
  test("usual head dimensions fit; a head dimension beyond L1 and UB does not", () => {
    expect(prefillAttentionFits(die, { batch: 1, seqLen: 4096, heads: 128, kvHeads: 128, headDim: 192, vHeadDim: 128 })).toBe(true);
    expect(gqaDecodeFits(die, { batch: 1, kvLen: 4096, heads: 40, kvHeads: 8, headDim: 128 })).toBe(true);
    expect(prefillAttentionFits(die, { batch: 1, seqLen: 1024, heads: 8, kvHeads: 8, headDim: 4096 })).toBe(false);
    expect(prefillAttentionFits(die, { batch: 1, seqLen: 1024, heads: 8, kvHeads: 8, headDim: 128, vHeadDim: 100_000 })).toBe(false);
    expect(gqaDecodeFits(die, { batch: 1, kvLen: 1024, heads: 8, kvHeads: 8, headDim: 4096 })).toBe(false);
  });

  test("the cost prices exactly the shapes that fit and throws on the rest (head dims 16…2976, several core subsets)", () => {
    const priced = (f: () => unknown): boolean => {
      try {
        f();
        return true;
      } catch {
        return false;
      }
    };
    const coreSets: (CoreSubset | undefined)[] = [undefined, { aic: 1, aiv: 1 }, { aic: 2 }, { aiv: 3 }];
    for (const cores of coreSets) {
      for (let headDim = 16; headDim <= 3000; headDim += 40) {
        const gqa = { batch: 1, kvLen: 100, heads: 8, kvHeads: 2, headDim };
        expect(priced(() => gqaDecodeCost(die, gqa, cores)), JSON.stringify({ gqa, cores })).toBe(gqaDecodeFits(die, gqa, cores));
        for (const vHeadDim of [undefined, 64, 2000]) {
          const prefill = { batch: 1, seqLen: 100, heads: 8, kvHeads: 2, headDim, vHeadDim };
          expect(priced(() => prefillAttentionCost(die, prefill, cores)), JSON.stringify({ prefill, cores })).toBe(prefillAttentionFits(die, prefill, cores));
        }
      }
    }
  });
});
