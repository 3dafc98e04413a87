import { InputError } from "./errors.js";

/** Strict decoder: a malformed byte sequence throws instead of becoming U+FFFD. A BOM is kept, as `readFileSync(f, "utf8")` keeps it. */
const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LENIENT = new TextDecoder("utf-8", { ignoreBOM: true });

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (the Unicode/WHATWG rules), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      else if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      else if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * Decodes a file's bytes as UTF-8. Invalid UTF-8 (a Latin-1 "é", a UTF-16 file, binary data) is an input
 * error at the line and column of the first bad byte, not text with U+FFFD in it. `file` is the path as the
 * user wrote it.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return STRICT.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    if (at < 0) return LENIENT.decode(bytes); // unreachable: the decoder and the check agree
    const utf16 = at === 0 && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    const lineStart = at === 0 ? 0 : bytes.lastIndexOf(0x0a, at - 1) + 1; // (a negative fromIndex would count from the end)
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const col = STRICT.decode(bytes.subarray(lineStart, at)).length + 1;
    const hex = `0x${bytes[at]!.toString(16).toUpperCase().padStart(2, "0")}`;
    const message = utf16
      ? "expected UTF-8 text, got UTF-16 (the file starts with a UTF-16 byte-order mark): save it as UTF-8"
      : `expected UTF-8 text, got the byte ${hex}, which is not valid UTF-8 here (a Latin-1 or other legacy encoding?): save the file as UTF-8`;
    throw new InputError([{ file, line, col, path: "", message }]);
  }
}
