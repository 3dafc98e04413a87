import { test } from "vitest";
import { chipByName } from "../../../src/hw/chips.js";
import { gemmCost, gemmTiling, gemmPeakFlops } from "../../../src/hw/ops/gemm.js";
test("scratch", () => {
  const die = chipByName("910C").die;
  for (const [m, n, k, dt] of [[427, 4096, 7168, "int8"], [427, 7168, 2048, "int8"], [480, 4096, 7168, "int8"], [256, 4096, 7168, "int8"], [853, 4096, 7168, "int8"], [96, 2048, 7168, "int8"], [4096, 4096, 4096, "bf16"], [16384, 7168, 7168, "bf16"], [96, 2048, 7168, "w4a16"], [96, 2048, 7168, "bf16"]] as const) {
    const s = { m, n, k, dtype: dt };
    const c = gemmCost(die, s);
    const t = gemmTiling(die, s);
    console.log(m, n, k, dt, (c.ns / 1e3).toFixed(2), "us", c.bound, "eff", (c.flops / (c.ns * 1e-9) / gemmPeakFlops(die, dt)).toFixed(3), "GB/s", (c.bytes / c.ns).toFixed(0), JSON.stringify(t));
  }
});
