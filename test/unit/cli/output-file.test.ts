import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkOutputPaths, writeFilesAtomic } from "../../../src/cli/output-file.js";
import { InputError } from "../../../src/config/errors.js";

const dir = mkdtempSync(join(tmpdir(), "ascend-output-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder of its own for one test. */
const folder = (name: string): string => mkdtempSync(join(dir, `${name}-`));

describe("output files with long names", () => {
  it("writes a file whose name is as long as the file system allows (its temporary file was 10 bytes longer: ENAMETOOLONG after the run)", () => {
    const out = folder("long");
    const path = join(out, `${"t".repeat(249)}.jsonl`); // 255 bytes: NAME_MAX on Linux file systems
    checkOutputPaths([{ path, what: "trace" }]);
    writeFilesAtomic([{ path, what: "trace", text: "line\n" }]);
    expect(readFileSync(path, "utf8")).toBe("line\n");
    expect(readdirSync(out)).toEqual([`${"t".repeat(249)}.jsonl`]);
  });

  it("refuses a name too long for the file system before the run, not when writing after it", () => {
    const path = join(folder("too-long"), `${"t".repeat(300)}.jsonl`);
    expect(() => checkOutputPaths([{ path, what: "trace" }])).toThrow(InputError);
    expect(() => checkOutputPaths([{ path, what: "trace" }])).toThrow(/the file name is too long for the file system/);
  });
});

describe("temporary files", () => {
  it("neither overwrite nor remove a file of the folder, whatever its name", () => {
    const out = folder("tmp");
    const target = join(out, "t.jsonl");
    // the names the temporary file had and has (a leftover of an earlier run with the same pid)
    const bystanders = [`t.jsonl.tmp-${process.pid}`, `.t.jsonl.tmp-${process.pid}-0`];
    for (const b of bystanders) writeFileSync(join(out, b), "keep");
    writeFilesAtomic([{ path: target, what: "trace", text: "new\n" }]);
    expect(readFileSync(target, "utf8")).toBe("new\n");
    for (const b of bystanders) expect(readFileSync(join(out, b), "utf8")).toBe("keep");
    expect(readdirSync(out).sort()).toEqual([...bystanders, "t.jsonl"].sort());
  });

  it("left by a killed run (its process no longer runs) are removed by the next write of the same target; a live process's stay", () => {
    const out = folder("stale");
    const target = join(out, "t.jsonl");
    // a process that has ended: its pid is free (a run killed by a signal leaves its temporary files)
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const live = process.ppid;
    const stale = [`.t.jsonl.tmp-${dead}-0`, `.t.jsonl.tmp-${dead}-sort3`];
    const kept = [`.t.jsonl.tmp-${live}-0`, `.t.jsonl.tmp-${process.pid}-5`, `.u.jsonl.tmp-${dead}-0`];
    for (const f of [...stale, ...kept]) writeFileSync(join(out, f), "x");
    writeFilesAtomic([{ path: target, what: "trace", text: "new\n" }]);
    expect(readdirSync(out).sort()).toEqual([...kept, "t.jsonl"].sort());
  });

  it("are removed, and no target is touched, when one of the files cannot be written", () => {
    const out = folder("fail");
    writeFileSync(join(out, "a.jsonl"), "old");
    // a target in a folder that vanished between the check and the write
    expect(() =>
      writeFilesAtomic([
        { path: join(out, "a.jsonl"), what: "trace", text: "new" },
        { path: join(out, "gone", "b.json"), what: "Chrome trace", text: "new" },
      ]),
    ).toThrow(/cannot write the Chrome trace file/);
    expect(readdirSync(out)).toEqual(["a.jsonl"]);
    expect(readFileSync(join(out, "a.jsonl"), "utf8")).toBe("old");
  });
});
