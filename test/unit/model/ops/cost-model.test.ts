import { describe, expect, it } from "vitest";
import { CHIPS } from "../../../../src/hw/chips.js";
import { computeOpCost } from "../../../../src/hw/ops/op-descriptor.js";
import { MODEL_NAMES, type WeightPrecision } from "../../../../src/model/index.js";
import { balancedExpertLoad, forwardPass, type ParallelLayoutInput, type StepShape } from "../../../../src/model/ops/index.js";
import { arch, computes, input } from "./helpers.js";

const die = CHIPS["910C"]!.die;

const shapes: StepShape[] = [
  { phase: "decode", sequences: 48, queryTokens: 2, kvLen: 4096 },
  { phase: "prefill", sequences: 2, queryTokens: 2048 },
  { phase: "train_forward", sequences: 1, queryTokens: 4096 },
];

// TP 4 divides every preset's heads and FFN sizes; EP 8 divides every preset's experts.
function layouts(name: string, phase: StepShape["phase"]): ParallelLayoutInput[] {
  const moe = arch(name).moe !== undefined;
  return [{}, { attention: { dp: 2, tp: 4, sp: phase !== "decode" }, experts: moe ? { ep: 8, tp: 2 } : {}, shared_experts: { placement: "tp" } }];
}

describe("every generated operator is priceable on a 910C die", () => {
  const precisions: WeightPrecision[] = ["bf16", "w8a8", "w4a16"];
  const cases = MODEL_NAMES.flatMap((n) => shapes.map((s) => [n, s.phase, s] as const));
  it.each(cases)("%s %s: positive time, FLOPs ≥ 0 and bytes > 0 for every compute item", (name, _phase, shape) => {
    for (const layout of layouts(name, shape.phase)) {
      for (const precision of precisions) {
        for (const seg of forwardPass(input(name, shape, precision, layout), { includeMtp: true })) {
          for (const item of computes(seg.items)) {
            const c = computeOpCost(die, item.op);
            expect(c.ns, `${item.label} ${JSON.stringify(item.op)}`).toBeGreaterThan(0);
            expect(c.bytes, item.label).toBeGreaterThan(0);
            expect(c.flops, item.label).toBeGreaterThanOrEqual(0);
          }
        }
      }
    }
  });

  it.each([0, 319])("DeepSeek-R1 CM384 decode (W8A8, EP320, dedicated shared experts), EP rank %i", (rank) => {
    const layout = { attention: { dp: 320 }, experts: { ep: 320, redundant_experts: 32 }, shared_experts: { placement: "dedicated" as const, replicas: 32 } };
    const inp = input("deepseek-r1", shapes[0]!, "w8a8", layout);
    const load = balancedExpertLoad(inp, rank);
    for (const seg of forwardPass(inp, { includeMtp: true, load })) {
      for (const item of computes(seg.items)) expect(computeOpCost(die, item.op).ns, item.label).toBeGreaterThan(0);
    }
  });
});
