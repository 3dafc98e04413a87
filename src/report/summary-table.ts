import Table from "cli-table3";
import type { RunResult } from "../run.js";
import type { SummaryTable } from "../workload/workload.js";

/** Renders one table without colours, so the text is the same on every terminal. */
export function renderTable(t: SummaryTable): string {
  const table = new Table({
    head: [...t.head],
    style: { head: [], border: [] },
    // no separator line between body rows: long sweeps stay compact
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const row of t.rows) table.push(row.map(String));
  return `${t.title}\n${table.toString()}`;
}

/** The human summary of a run: a header line, each table, then the notes. */
export function renderSummary(r: RunResult): string {
  const s = r.scenario;
  const parts = [`ascend-sim · ${s.name} · workload ${s.workload.def.kind} · cluster ${s.env.cluster?.name ?? "none"} · seed ${s.seed}`];
  for (const t of r.tables) parts.push(renderTable(t));
  for (const n of r.notes) parts.push(`note: ${n}`);
  return parts.join("\n\n") + "\n";
}
