import { z } from "zod";
import { EXAMPLE, INTERNAL_UNIT, NUMBER_SYNTAX, parseQuantity, quantityNoun, UNIT_SYNTAX, type QuantityKind } from "../units/index.js";

/**
 * A physical quantity from a config, held in internal units (bytes, B/s, ns, FLOP/s, Hz). It
 * serialises as `"<value> <unit>"` (e.g. `"56000000000 B/s"`), so the resolved config printed by
 * `explain` and `--json` states every unit and parses back to the same value.
 */
export class Quantity {
  constructor(
    /** Value in the internal unit of `kind`. */
    readonly value: number,
    readonly kind: QuantityKind,
  ) {}

  toJSON(): string {
    return `${this.value} ${INTERNAL_UNIT[this.kind]}`;
  }
}

/**
 * Largest value accepted per kind, in internal units: far beyond any real system, small enough that
 * derived simulated times stay inside the engine's 2⁵³ ns clock.
 */
const MAX: Record<QuantityKind, number> = {
  bytes: 2 ** 50, // 1 PiB
  bandwidth: 1e15, // 1 PB/s
  time: 1e15, // 1e6 s
  flops: 1e18, // 1 EFLOP/s
  frequency: 1e12, // 1 THz
};
/** Smallest positive value accepted per kind (0 stays allowed where the field allows it). */
const MIN_POSITIVE: Record<QuantityKind, number> = {
  bytes: 1e-3,
  bandwidth: 1e3, // 1 kB/s
  time: 1e-3,
  flops: 1e3,
  frequency: 1e3,
};

/** The unit spellings of each kind in words, for the JSON Schema descriptions (the patterns come from UNIT_SYNTAX). */
const UNIT_WORDS: Record<QuantityKind, string> = {
  bytes: "B with an optional prefix K, M, G, T, P (powers of 1000) or Ki, Mi, Gi, Ti, Pi (powers of 1024); a lower-case b means bits",
  bandwidth: "B/s or Bps with an optional prefix K, M, G, T, P (powers of 1000) or Ki … Pi (powers of 1024); b/s or bps means bits per second, e.g. Gb/s, Gbps",
  time: "ns, us, µs, ms, s, min, h",
  flops: "FLOPS, OPS, FLOP/s, OP/s with an optional prefix K, M, G, T or P",
  frequency: "Hz, kHz, MHz, GHz",
};

/**
 * JSON Schema metadata of a quantity field (merged by `z.toJSONSchema` into the input side, which the
 * transform alone renders as `{}`): a string with a unit, the accepted spellings and the sign.
 * The sign is only in the description: a pattern cannot compare values across units.
 */
function jsonSchemaMeta(kind: QuantityKind, positive: boolean, min: number, max: number | undefined) {
  const example = JSON.parse(EXAMPLE[kind]) as string;
  const lower = positive ? "> 0" : min > 0 ? `≥ ${min} ${INTERNAL_UNIT[kind]}` : "≥ 0";
  const sign = max === undefined ? lower : `${lower}, ≤ ${max} ${INTERNAL_UNIT[kind]}`;
  return {
    type: "string",
    pattern: `^\\s*${NUMBER_SYNTAX}\\s*(?:${UNIT_SYNTAX[kind]})\\s*$`,
    description: `a ${quantityNoun(kind)} (${sign}) with its unit, e.g. "${example}"; units: ${UNIT_WORDS[kind]}; a bare number, even 0, is rejected`,
    examples: [example],
  };
}

/** The kind of every quantity field schema (before wrappers such as `.optional()`), for messages that list accepted forms. */
const QUANTITY_FIELDS = new WeakMap<object, QuantityKind>();

/** The kind of quantity `schema` parses, if it is a quantity field (see through wrappers first). */
export function quantityKindOf(schema: unknown): QuantityKind | undefined {
  return typeof schema === "object" && schema !== null ? QUANTITY_FIELDS.get(schema) : undefined;
}

/**
 * The `params` of a quantity field's issue: `form` marks an input that is no quantity at all (a bare
 * number, a list, a word), which a union of forms (`auto`, or a size) words as "none of the forms".
 */
export interface QuantityIssueParams {
  readonly form: boolean;
}

function quantity(kind: QuantityKind, opts: { positive?: boolean; min?: number; max?: number } = {}) {
  const max = opts.max ?? MAX[kind];
  const schema = z.unknown().transform((input, ctx): Quantity => {
    if (input instanceof Quantity && input.kind === kind) return input;
    const r = parseQuantity(kind, input);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.message, input, params: { form: r.form === true } satisfies QuantityIssueParams });
      return z.NEVER;
    }
    const positive = opts.positive ?? true;
    if (positive && !(r.value > 0)) {
      ctx.addIssue({ code: "custom", message: `expected a positive ${quantityNoun(kind)}, got ${JSON.stringify(input)}`, input });
      return z.NEVER;
    }
    if (!positive && r.value < (opts.min ?? 0)) {
      ctx.addIssue({ code: "custom", message: `expected a non-negative ${quantityNoun(kind)}, got ${JSON.stringify(input)}`, input });
      return z.NEVER;
    }
    if (opts.max !== undefined && r.value > opts.max) {
      ctx.addIssue({ code: "custom", message: `expected a ${quantityNoun(kind)} of at most ${opts.max} ${INTERNAL_UNIT[kind]}, got ${JSON.stringify(input)} = ${r.value} ${INTERNAL_UNIT[kind]}`, input });
      return z.NEVER;
    }
    if (r.value > max || (r.value > 0 && r.value < MIN_POSITIVE[kind])) {
      const unit = INTERNAL_UNIT[kind];
      ctx.addIssue({
        code: "custom",
        message: `expected a ${quantityNoun(kind)} between ${MIN_POSITIVE[kind]} ${unit} and ${max} ${unit}, got ${JSON.stringify(input)}`,
        input,
      });
      return z.NEVER;
    }
    if (kind === "bytes" && Math.abs(r.value - Math.round(r.value)) > Math.max(r.value, 1) * 1e-12) {
      // a transfer or a capacity is whole bytes: rounding 1.5B to 2B would run another size than the one asked
      // for. The tolerance only forgives the float error of the unit conversion ("1.1KB" is 1100.0000000000002).
      ctx.addIssue({
        code: "custom",
        message: `expected a whole number of bytes, got ${JSON.stringify(input)} = ${r.value} B (a size is an integer count of bytes after unit conversion: "1.5KiB" = 1536 B is fine, "1.5B" is not)`,
        input,
      });
      return z.NEVER;
    }
    // whole bytes are stored whole: 8.2MB reads as 8199999.999999999 B before rounding
    return new Quantity(kind === "bytes" ? Math.round(r.value) : r.value, kind);
  });
  const field = schema.meta(jsonSchemaMeta(kind, opts.positive ?? true, opts.min ?? 0, opts.max));
  QUANTITY_FIELDS.set(field, kind);
  return field;
}

/** A size such as `"64GiB"` (> 0) → bytes. */
export const bytes = (opts?: { positive?: boolean }) => quantity("bytes", opts);
/** A bandwidth such as `"196GB/s"` or `"200Gb/s"` (> 0) → bytes/s. */
export const bandwidth = () => quantity("bandwidth");
/** A duration such as `"1.2us"` (≥ 0, at most `maxNs` when given) → ns. */
export const duration = (maxNs?: number) => quantity("time", { positive: false, ...(maxNs !== undefined ? { max: maxNs } : {}) });
/** A compute rate such as `"376TFLOPS"` (> 0) → FLOP/s. */
export const flops = () => quantity("flops");
/** A clock such as `"1.8GHz"` (> 0) → Hz. */
export const frequency = () => quantity("frequency");

/** Type of a parsed quantity field. */
export type QuantityField = Quantity;
