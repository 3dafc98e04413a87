import Table from "cli-table3";
import { createRequire } from "node:module";
import type { RunResult } from "../run.js";
import type { SummaryTable } from "../workload/workload.js";

/**
 * Tables with more rows than this are drawn by `renderPlainTable`: cli-table3's layout is quadratic in
 * the rows (10,000 rows took 4 s, 100,000 minutes) and overflows the call stack near 200,000 rows.
 */
export const CLI_TABLE_MAX_ROWS = 2000;

/** Renders one table without colours, so the text is the same on every terminal. */
export function renderTable(t: SummaryTable): string {
  if (t.rows.length > CLI_TABLE_MAX_ROWS) return renderPlainTable(t);
  const table = new Table({
    head: [...t.head],
    style: { head: [], border: [] },
    // no separator line between body rows: long sweeps stay compact
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const row of t.rows) table.push(row.map(String));
  return `${t.title}\n${table.toString()}`;
}

let stringWidth: ((s: string) => number) | undefined;
// the colour codes cli-table3 removes before measuring
const SGR = /\u001b\[(?:\d*;){0,5}\d*m/g;

/** The display width of one line as cli-table3 measures it (its own string-width; printable ASCII: one column per character). */
function lineWidth(line: string): number {
  if (/^[\x20-\x7e]*$/.test(line)) return line.length;
  stringWidth ??= createRequire(createRequire(import.meta.url).resolve("cli-table3"))("string-width") as (s: string) => number;
  return stringWidth(line.replace(SGR, ""));
}

/**
 * Draws a table exactly as `renderTable` does with cli-table3 (same borders, one space of padding,
 * multi-line cells top-aligned, widths measured the same way), in time linear in the cells. Rows
 * shorter than the widest row are padded with empty cells (cli-table3 would merge them into a
 * spanning cell); colour codes are not re-balanced across the lines of a multi-line cell.
 */
export function renderPlainTable(t: SummaryTable): string {
  const rows = t.head.length > 0 ? [t.head, ...t.rows] : t.rows;
  let columns = 0;
  for (const r of rows) columns = Math.max(columns, r.length);
  const cells = rows.map((r) => Array.from({ length: columns }, (_, c) => (c < r.length ? String(r[c]) : "").split("\n")));
  const widths = new Array<number>(columns).fill(0);
  for (const row of cells) row.forEach((lines, c) => lines.forEach((l) => (widths[c] = Math.max(widths[c]!, lineWidth(l)))));
  const rule = (left: string, mid: string, right: string) => left + widths.map((w) => "─".repeat(w + 2)).join(mid) + right;
  const out = [rule("┌", "┬", "┐")];
  const line = (row: string[][], i: number) => `│${row.map((lines, c) => ` ${(lines[i] ?? "") + " ".repeat(widths[c]! - lineWidth(lines[i] ?? ""))} `).join("│")}│`;
  for (const row of cells) {
    const height = row.reduce((h, lines) => Math.max(h, lines.length), 1);
    for (let i = 0; i < height; i++) out.push(line(row, i));
  }
  out.push(rule("└", "┴", "┘"));
  return `${t.title}\n${out.join("\n")}`;
}

/** The human summary of a run: a header line, each table, then the notes. */
export function renderSummary(r: RunResult): string {
  const s = r.scenario;
  const parts = [`ascend-sim · ${s.name} · workload ${s.workload.def.kind} · cluster ${s.env.cluster?.name ?? "none"} · seed ${s.seed}`];
  for (const t of r.tables) parts.push(renderTable(t));
  for (const n of r.notes) parts.push(`note: ${n}`);
  return parts.join("\n\n") + "\n";
}
