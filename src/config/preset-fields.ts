import { z } from "zod";
import { CHIPS } from "../hw/chips.js";
import { quoted } from "../units/index.js";
import { didYouMean, validValues } from "./did-you-mean.js";

/** A chip preset name (`910B3`, `910C`, …), with "did you mean" on a typo. */
export function chipField(defaultName?: string) {
  const field = z.string().check((ctx) => {
    if (!Object.hasOwn(CHIPS, ctx.value)) {
      const names = Object.keys(CHIPS);
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: `unknown chip ${quoted(ctx.value)}${didYouMean(ctx.value, names)}. ${validValues(names)}`,
      });
    }
  });
  return defaultName === undefined ? field : field.default(defaultName);
}
