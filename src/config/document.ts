import { readFileSync } from "node:fs";
import { Composer, isMap, isPair, isScalar, isSeq, LineCounter, Parser, visit, parse as parseYamlValue, type Document, type Node } from "yaml";
import { quoted } from "../units/index.js";
import { errnoText } from "./errno-text.js";
import { InputError, inputError, type InputIssue } from "./errors.js";
import { decodeUtf8 } from "./utf8.js";

/** A config file parsed with positions, after `--set` edits. */
export interface ConfigDocument {
  /** Path as the user wrote it (used in messages). */
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  /** Dotted paths edited from the command line → the flag that edited them (`--set a.b=3`, `--seed 7`). */
  readonly sets: ReadonlyMap<string, string>;
}

/** Reads a config file (or a search space); an unreadable file, or one that is not UTF-8, is an input error naming it. */
export function readConfigText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return inputError({ file, path: "", message: `cannot read the config file: ${errnoText(e)}` });
  }
  return decodeUtf8(bytes, file);
}

/**
 * Parses YAML text, keeping positions; syntax errors become located input issues. The text must hold one
 * document: a second one (after `---`, or after a `...` end marker) is an error where it starts, not ignored.
 */
export function parseConfigText(file: string, text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  // what yaml's parseDocument does, but counting the documents: with logLevel "silent" it drops the
  // later ones without a word. "silent": warnings (e.g. an unknown `!tag`) are reported as input errors
  // below, not printed.
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true, logLevel: "silent" });
  let doc: Document.Parsed | undefined;
  let count = 0;
  let secondAt = 0;
  for (const d of composer.compose(new Parser(lines.addNewLine).parse(text), true, text.length)) {
    if (doc === undefined) doc = d;
    else if (count === 1) secondAt = d.range[0];
    count++;
  }
  if (doc === undefined) throw new Error("yaml's Composer produced no document"); // compose(…, forceDoc) always yields one
  const issues: InputIssue[] = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, col: pos.col, path: "", message: `invalid YAML: ${firstLine(e.message)}` };
  });
  if (count > 1) {
    const pos = lines.linePos(secondAt);
    const where = text.startsWith("---", secondAt) ? 'this "---" starts a second one' : 'a second one starts here, after the "..." end marker';
    issues.push({ file, line: pos.line, col: pos.col, path: "", message: `expected one YAML document, found ${count}: ${where} (the file must hold a single document)` });
  }
  if (issues.length > 0) throw new InputError(issues);
  if (doc.contents === null) inputError({ file, path: "", message: "the config is empty: expected a mapping with `workload:` and `cluster:`" });
  if (!isMap(doc.contents)) {
    const pos = lines.linePos(doc.contents.range?.[0] ?? 0);
    inputError({ file, line: pos.line, col: pos.col, path: "", message: "expected a mapping at the top level of the config" });
  }
  return { doc, lines };
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

/** A `--set`/`--grid` key with list indices written `a[0].b` spelled `a.0.b`: one knob, one spelling. */
export function normalizeKeyPath(key: string): string {
  return key.replace(/\[(\d+)\]/g, ".$1");
}

/** A dotted config path as path segments, list indices as numbers: `instances.0.name` → ["instances", 0, "name"]. */
export function keyPath(dotted: string): (string | number)[] {
  return dotted.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/**
 * Splits `a.b.c=value` into a path and a YAML-parsed value; throws a usage error when malformed. A list
 * item is `a.0.b` or `a[0].b` (the same path).
 */
export function parseSetArgument(arg: string): { path: (string | number)[]; value: unknown } {
  const eq = arg.indexOf("=");
  const written = eq < 0 ? "" : arg.slice(0, eq).trim();
  const key = normalizeKeyPath(written);
  if (eq < 0 || key === "" || key.split(".").some((s) => s === "")) {
    inputError({ path: "", message: `--set expects key.path=value (e.g. --set workload.ranks=4), got ${quoted(arg)}` });
  }
  if (/[[\]]/.test(key)) {
    inputError({ path: written, fromSet: `--set ${arg}`, message: `a list index is a number, written a.0.b or a[0].b (e.g. workload.instances[0].count), got ${quoted(written)}` });
  }
  let value: unknown;
  try {
    value = parseYamlValue(arg.slice(eq + 1), { logLevel: "error" });
  } catch (e) {
    inputError({ path: key, fromSet: `--set ${arg}`, message: `the value is not valid YAML: ${firstLine((e as Error).message)}` });
  }
  const path = key.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return { path, value };
}

/**
 * Applies `--set key.path=value` edits to the document before validation. A scalar met on the way
 * (a preset name such as `cluster: atlas-800t-a2`) becomes `{preset: <name>}` so its parameters can
 * be overridden from the command line.
 */
export function applySets(doc: Document, setArgs: readonly string[]): Map<string, string> {
  const sets = new Map<string, string>();
  for (const arg of setArgs) {
    const { path, value } = parseSetArgument(arg);
    const fail = (message: string): never => inputError({ path: path.join("."), fromSet: `--set ${arg}`, message });
    let node: unknown = doc.contents;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const here = path.slice(0, i).join(".");
      if (isSeq(node)) {
        // a list index names an item or appends one (index = length); past the end YAML would pad with nulls
        if (typeof seg !== "number") fail(`${here} is a list: expected an item index from 0 to ${node.items.length}, got ${quoted(String(seg))}`);
        if ((seg as number) > node.items.length) {
          fail(`index ${seg} is past the end of ${here}, a list of ${node.items.length} items (use 0 … ${node.items.length - 1}, or ${node.items.length} to append)`);
        }
      } else if (isScalar(node) && node.value !== null) {
        fail(`cannot set a key below ${here}: ${here} is ${JSON.stringify(node.value)}, not a mapping or a list`);
      } else if (!isMap(node)) {
        break; // absent (or empty): setIn creates the mappings on the way
      }
      if (i === path.length - 1) break;
      const child = (node as { get(k: unknown, keepScalar: true): unknown }).get(seg, true);
      if (isScalar(child) && isMap(node) && (typeof child.value === "string" || child.value === null)) {
        // a preset name becomes {preset: name}; an empty value becomes an empty mapping
        const replaced = doc.createNode(typeof child.value === "string" ? { preset: child.value } : {});
        node.set(seg, replaced);
        node = replaced;
      } else {
        node = child;
      }
    }
    try {
      doc.setIn(path, doc.createNode(value));
    } catch (e) {
      inputError({ path: path.join("."), fromSet: `--set ${arg}`, message: `cannot set this path: ${firstLine((e as Error).message)}` });
    }
    sets.set(path.join("."), `--set ${arg}`);
  }
  return sets;
}

/** The document as plain data; alias problems (unresolved, too many expansions) are input errors. */
export function documentData(cd: ConfigDocument): unknown {
  try {
    return cd.doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // point at the first alias whose anchor does not exist, when that is the problem
    let at: { line?: number; col?: number } = {};
    visit(cd.doc, {
      Alias(_, node) {
        if (node.resolve(cd.doc) === undefined && node.range) {
          const pos = cd.lines.linePos(node.range[0]);
          at = { line: pos.line, col: pos.col };
          return visit.BREAK;
        }
        return undefined;
      },
    });
    return inputError({ file: cd.file, ...at, path: "", message: `invalid YAML: ${firstLine((e as Error).message)}` });
  }
}

/** Loads, parses and edits a config file: `--set` edits, then the `--seed` override. */
export function loadConfigDocument(file: string, setArgs: readonly string[], text?: string, seed?: number): ConfigDocument {
  const { doc, lines } = parseConfigText(file, text ?? readConfigText(file));
  const sets = applySets(doc, setArgs);
  if (seed !== undefined) {
    doc.setIn(["seed"], seed);
    sets.set("seed", `--seed ${seed}`);
  }
  return { file, doc, lines, sets };
}

/** Position of the deepest node along `path`; a key named in `unknownKey` points at that key. */
export function locate(cd: ConfigDocument, path: readonly (string | number)[], unknownKey?: string): { line?: number; col?: number } {
  let node: unknown = cd.doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (const seg of path) {
    if (!isMap(node) && !isSeq(node)) break;
    const child = node.get(seg, true);
    if (child === undefined) break;
    node = child;
    if (isNode(child)) best = child;
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === unknownKey);
    if (pair !== undefined && isScalar(pair.key) && pair.key.range) best = pair.key;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return {};
  const pos = cd.lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

function isNode(n: unknown): n is Node {
  return isMap(n) || isSeq(n) || isScalar(n);
}

/** Builds a located issue for a config path, attributing it to a `--set` when it came from one. */
export function issueAt(cd: ConfigDocument, path: readonly (string | number)[], message: string, unknownKey?: string): InputIssue {
  const dotted = path.join(".");
  const full = unknownKey === undefined ? dotted : dotted === "" ? unknownKey : `${dotted}.${unknownKey}`;
  for (const [setPath, arg] of cd.sets) {
    if (full === setPath || full.startsWith(setPath + ".")) return { path: full, fromSet: arg, message };
  }
  // a parent the command line created (it has no position in the file), e.g. `--set netwrok.model=x`
  const node = cd.doc.getIn(unknownKey === undefined ? path : [...path, unknownKey], true) as Node | undefined;
  const keyNode = unknownKey === undefined ? undefined : findKeyNode(cd, path, unknownKey);
  if ((node !== undefined && isNode(node) && node.range == null) || (keyNode !== undefined && keyNode.range == null)) {
    for (const [setPath, arg] of cd.sets) if (setPath.startsWith(full + ".")) return { path: full, fromSet: arg, message };
  }
  return { file: cd.file, ...locate(cd, path, unknownKey), path: full, message };
}

function findKeyNode(cd: ConfigDocument, path: readonly (string | number)[], key: string): Node | undefined {
  const parent = path.length === 0 ? cd.doc.contents : cd.doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value === key : p.key === key));
  if (pair === undefined) return undefined;
  if (isScalar(pair.key)) return pair.key;
  return isNode(pair.value) ? pair.value : undefined;
}
