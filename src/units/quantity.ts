/**
 * Physical quantities written with units in configs (`"196GB/s"`, `"200Gb/s"`, `"1.2us"`, `"64GiB"`,
 * `"376TFLOPS"`, `"1.8GHz"`), parsed here and nowhere else. Internal units: bytes, bytes/s, ns, FLOP/s,
 * Hz. Decimal prefixes are powers of 1000, binary prefixes (KiB, MiB, …) powers of 1024.
 */

/** The kinds of quantity a config field can hold, each with its internal unit. */
export type QuantityKind = "bytes" | "bandwidth" | "time" | "flops" | "frequency";

/** Internal unit of each kind, for messages and docs. */
export const INTERNAL_UNIT: Record<QuantityKind, string> = {
  bytes: "B",
  bandwidth: "B/s",
  time: "ns",
  flops: "FLOP/s",
  frequency: "Hz",
};

/** An example written form of each kind, used in error hints. */
export const EXAMPLE: Record<QuantityKind, string> = {
  bytes: '"64GiB"',
  bandwidth: '"196GB/s"',
  time: '"1.2us"',
  flops: '"376TFLOPS"',
  frequency: '"1.8GHz"',
};

/** How each kind is named in messages. */
const NOUN: Record<QuantityKind, string> = {
  bytes: "size",
  bandwidth: "bandwidth",
  time: "duration",
  flops: "compute rate",
  frequency: "frequency",
};

/** The noun for a kind in messages ("size", "duration", …). */
export function quantityNoun(kind: QuantityKind): string {
  return NOUN[kind];
}

const DECIMAL: Record<string, number> = { "": 1, K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const BINARY: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5 };
const TIME_NS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, min: 60e9, h: 3600e9 };

/** The number part of a quantity (sign, decimals, exponent), as regular-expression source. */
export const NUMBER_SYNTAX = "[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?";

/**
 * The unit spellings `parseQuantity` accepts per kind, as regular-expression source: the single source
 * of the parser below and of the JSON Schema patterns (config/quantity.ts). Groups: the prefix, then
 * `B`/`b` (bytes or bits) where it applies; time is one group, the unit itself.
 */
export const UNIT_SYNTAX: Readonly<Record<QuantityKind, string>> = {
  bytes: "(|K|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)(B|b)",
  bandwidth: "(|K|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)(B|b)(?:/s|ps)",
  time: `(${Object.keys(TIME_NS).join("|")})`,
  flops: "(|K|k|M|G|T|P)(?:FLOPS|OPS|FLOP/s|OP/s)",
  frequency: "(|K|k|M|G)Hz",
};

const PATTERN = new RegExp(`^\\s*(${NUMBER_SYNTAX})\\s*([A-Za-zµ/]+)\\s*$`);
const UNIT_RE = Object.fromEntries(Object.entries(UNIT_SYNTAX).map(([k, src]) => [k, new RegExp(`^(?:${src})$`)])) as Record<QuantityKind, RegExp>;

/**
 * Outcome of parsing: the value in internal units, or why it failed. `form` failures are inputs that are
 * no quantity at all (a bare number, a list, a word), as opposed to a quantity with a bad unit or value.
 */
export type ParseResult = { ok: true; value: number } | { ok: false; message: string; form?: boolean };

function prefixFactor(prefix: string): number | undefined {
  if (prefix in BINARY) return BINARY[prefix];
  if (prefix in DECIMAL) return DECIMAL[prefix];
  return undefined;
}

function unitFactor(kind: QuantityKind, unit: string): number | undefined {
  const m = UNIT_RE[kind].exec(unit);
  if (!m) return undefined;
  switch (kind) {
    case "time":
      return TIME_NS[m[1]!];
    case "bytes":
    case "bandwidth": {
      const f = prefixFactor(m[1]!);
      return f === undefined ? undefined : m[2] === "b" ? f / 8 : f;
    }
    case "flops":
    case "frequency":
      return DECIMAL[m[1]!];
  }
}

/** Parses `text` as a quantity of `kind` into internal units (bytes, B/s, ns, FLOP/s, Hz). */
export function parseQuantity(kind: QuantityKind, text: unknown): ParseResult {
  if (typeof text === "number") {
    return {
      ok: false,
      message: `expected a ${NOUN[kind]} with a unit like ${EXAMPLE[kind]}, got the bare number ${text} (add a unit)`,
      form: true,
    };
  }
  if (typeof text !== "string") {
    return { ok: false, message: `expected a ${NOUN[kind]} with a unit like ${EXAMPLE[kind]}, got ${describe(text)}`, form: true };
  }
  const m = PATTERN.exec(text);
  if (!m) {
    return { ok: false, message: `expected a ${NOUN[kind]} with a unit like ${EXAMPLE[kind]}, got ${quoted(text)}`, form: true };
  }
  const factor = unitFactor(kind, m[2]!);
  if (factor === undefined) {
    return {
      ok: false,
      message: `unknown ${NOUN[kind]} unit ${quoted(m[2]!)} in ${quoted(text)} (write it like ${EXAMPLE[kind]})`,
    };
  }
  const value = Number(m[1]) * factor;
  if (!Number.isFinite(value)) return { ok: false, message: `${NOUN[kind]} ${quoted(text)} is not finite` };
  return { ok: true, value };
}

/** Like parseQuantity but throws a RangeError; for constants written in source code. */
export function q(kind: QuantityKind, text: string): number {
  const r = parseQuantity(kind, text);
  if (!r.ok) throw new RangeError(r.message);
  return r.value;
}

/**
 * Characters a terminal shows as nothing or as an ordinary space: controls (C0, DEL, C1 such as U+0085),
 * format characters (zero-width, bidi controls, soft hyphen, BOM), other default-ignorables (variation
 * selectors, fillers), separators and whitespace other than the space, private-use, unassigned, lone surrogates.
 */
const INVISIBLE = /(?! )[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Z}\p{Co}\p{Cn}\p{Cs}]/gu;
const SHORT_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `s` with invisible characters written as escapes (`\u0085`, `\u200b`, `\u{e0041}`, `\n`); the rest unchanged. */
export function escapeInvisible(s: string): string {
  return s.replace(INVISIBLE, (c) => {
    const cp = c.codePointAt(0)!;
    return SHORT_ESCAPES[c] ?? (cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, "0")}`);
  });
}

/** A user-supplied name or value in double quotes, for error messages: `"ra\u0085nks"` shows what was typed. */
export function quoted(s: string): string {
  return escapeInvisible(JSON.stringify(s));
}

/** Short description of a YAML value for error messages. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (typeof v === "string") return quoted(v);
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return String(v);
}
