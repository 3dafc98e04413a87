import { z } from "zod";
import { describe } from "../units/index.js";

/*
 * Time knobs written in seconds (`duration_s`, `interval_s`, …) become integer nanoseconds on the engine
 * clock, a safe integer (below 2^53 ns, about 104 days). A knob beyond that would overflow when the
 * workload converts it (1e300 s → Infinity ns), so it is bounded in the schema where the loader can say
 * which key it is; sums of several knobs are checked by the workloads (they know which ones add up).
 */

/** Longest time a seconds knob may give, s: 2^53 ns rounded down to whole seconds (9,007,199 s ≈ 104 days). */
export const MAX_ENGINE_S = Math.floor(Number.MAX_SAFE_INTEGER / 1e9);

/** The engine clock's limit in words, for messages: `the engine's 2^53 ns clock (about 104 days)`. */
export const ENGINE_CLOCK = "the engine's 2^53 ns clock (about 104 days)";

/** What the bound says, for messages: `at most 9007199 s (the engine's 2^53 ns clock)`. */
export const ENGINE_S_BOUND = `at most ${MAX_ENGINE_S} s (the engine's 2^53 ns clock)`;

/**
 * `schema` (a number of seconds) bounded by MAX_ENGINE_S: a larger value is an input error
 * `expected at most 9007199 s (the engine's 2^53 ns clock), got 1e+300`; `maximum` in the JSON Schema.
 */
export function engineSeconds(schema: z.ZodNumber): z.ZodNumber {
  return schema
    .check((ctx) => {
      if (ctx.value > MAX_ENGINE_S) ctx.issues.push({ code: "custom", input: ctx.value, message: `expected ${ENGINE_S_BOUND}, got ${describe(ctx.value)}` });
    })
    .meta({ maximum: MAX_ENGINE_S });
}
