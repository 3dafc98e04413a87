import { readFileSync } from "node:fs";
import { errnoText } from "../config/errno-text.js";
import { inputError } from "../config/errors.js";
import { parseRecordLine, type SweepRecord } from "./records.js";

/**
 * Joins the JSONL outputs of `sweep --shard i/n` runs into the records of the whole sweep, in input
 * order. Refuses shards of different sweeps, duplicate points and missing points (naming them).
 */
export function mergeShards(files: readonly string[]): SweepRecord[] {
  if (files.length === 0) inputError({ path: "", message: "sweep merge needs at least one shard file" });
  const byIndex = new Map<number, { r: SweepRecord; where: string }>();
  let first: { r: SweepRecord; where: string } | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      return inputError({ file, path: "", message: `cannot read the shard file: ${errnoText(e)}` });
    }
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${file}:${i + 1}`;
      const r = parseRecordLine(line, where);
      if (first === undefined) first = { r, where };
      else if (r.sweep !== first.r.sweep || r.of !== first.r.of) {
        inputError({ file: where, path: "", message: `this record belongs to another sweep (fingerprint ${r.sweep}, ${r.of} points) than ${first.where} (${first.r.sweep}, ${first.r.of} points)` });
      }
      const dup = byIndex.get(r.index);
      if (dup) inputError({ file: where, path: "", message: `point ${r.index} is also in ${dup.where}` });
      byIndex.set(r.index, { r, where });
    });
  }
  if (first === undefined) return inputError({ path: "", message: `the shard files hold no records: ${files.join(", ")}` });
  const missing: number[] = [];
  for (let i = 0; i < first.r.of; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).join(", ") + (missing.length > 20 ? `, … (${missing.length} in all)` : "");
    inputError({ path: "", message: `points missing from the shards: ${shown} — did every shard finish?` });
  }
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!.r);
}
