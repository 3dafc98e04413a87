import { describe, expect, it } from "vitest";
import { CLI_TABLE_MAX_ROWS, renderPlainTable, renderTable } from "../../../src/report/summary-table.js";
import type { SummaryTable } from "../../../src/workload/workload.js";

/*
 * Tables are drawn by cli-table3, whose layout is quadratic in the rows and overflows the call stack
 * near 200,000 rows; above CLI_TABLE_MAX_ROWS rows a linear renderer draws the same text. So a long
 * table looks like a short one, and a short one is unchanged.
 */

const SAMPLES: readonly (string | number)[] = ["", "x", "名前", "—", "+∞ %", "😀 ok", "é", "e\u0301", "ｗｉｄｅ", "two\nlines", "a\nbb\nccc", "tab\there", 12.5, -3, 1e21, "\u001b[31mred\u001b[39m"];

function table(rows: number, columns: number, head: boolean, seed: number): SummaryTable {
  const pick = (i: number) => SAMPLES[(i * 7 + seed * 13) % SAMPLES.length]!;
  return {
    title: `t${seed}`,
    head: head ? Array.from({ length: columns }, (_, c) => (c % 2 ? `col ${c}` : `列${c}`)) : [],
    rows: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => pick(r * columns + c + seed))),
  };
}

describe("renderPlainTable", () => {
  it("draws exactly what cli-table3 draws: borders, padding, display widths, multi-line cells", () => {
    for (let seed = 0; seed < 120; seed++) {
      const t = table(1 + (seed % 30), 1 + (seed % 5), seed % 7 !== 0, seed);
      expect(renderPlainTable(t)).toBe(renderTable(t));
    }
    expect(renderPlainTable({ title: "empty", head: ["metric", "a"], rows: [] })).toBe(renderTable({ title: "empty", head: ["metric", "a"], rows: [] }));
  });

  it("draws this layout", () => {
    expect(renderPlainTable({ title: "T", head: ["metric", "Δ %"], rows: [["x", "+∞ %"], ["名前", "two\nlines"]] })).toBe(
      ["T", "┌────────┬───────┐", "│ metric │ Δ %   │", "│ x      │ +∞ %  │", "│ 名前   │ two   │", "│        │ lines │", "└────────┴───────┘"].join("\n"),
    );
  });
});

describe("renderTable with many rows", () => {
  it(`uses cli-table3 up to ${CLI_TABLE_MAX_ROWS} rows and the linear renderer above, with the same text`, () => {
    const small = table(CLI_TABLE_MAX_ROWS, 3, true, 1);
    expect(renderTable(small)).toBe(renderPlainTable(small));
    const t = table(CLI_TABLE_MAX_ROWS + 1, 3, true, 1);
    expect(renderTable(t)).toBe(renderPlainTable(t));
  });

  it("draws 300,000 rows in seconds, one line per single-line row", { timeout: 30_000 }, () => {
    const n = 300_000;
    const text = renderTable({ title: "metrics", head: ["metric", "a", "b"], rows: Array.from({ length: n }, (_, i) => [`m${i}`, i, i + 1]) });
    const lines = text.split("\n");
    expect(lines.length).toBe(1 + 1 + 1 + n + 1); // title, top border, head, rows, bottom border
    expect(lines[3]).toBe("│ m0      │ 0      │ 1      │");
    expect(lines.at(-2)).toBe("│ m299999 │ 299999 │ 300000 │");
  });
});
