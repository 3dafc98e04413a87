import { describe, expect, it } from "vitest";
import { progressDisplay, type ProgressOptions } from "../../../src/cli/progress.js";

/*
 * The progress display of long commands: on a terminal only, from the moment the work starts (a line at
 * once, the elapsed time the command's), with an ETA that goes by the rate of the counted work and is "?"
 * until there is one — never a guess from a single early count.
 */

/** A terminal that records what is drawn, and a clock the test moves. */
function terminal(isTTY = true, columns?: number) {
  const writes: string[] = [];
  let t = 0;
  return {
    stream: { isTTY, columns, write: (s: string) => (writes.push(s), true) } as unknown as ProgressOptions["stream"],
    now: () => t,
    at: (ms: number) => void (t = ms),
    /** The last line drawn, escape codes removed. */
    last: () => writes.at(-1)!.replace(/\r|\x1b\[K/g, "").trim(),
    writes,
  };
}

describe("progressDisplay", () => {
  it("draws nothing when the stream is not a terminal", () => {
    const tty = terminal(false);
    const p = progressDisplay({ unit: "runs", phase: "planning", stream: tty.stream, now: tty.now, tickMs: 0 });
    p.update(1, 2);
    p.finish();
    expect(tty.writes).toEqual([]);
  });

  it("shows the phase at once, before anything is counted", () => {
    const tty = terminal();
    progressDisplay({ unit: "runs", phase: "planning the sweep", stream: tty.stream, now: tty.now, tickMs: 0 });
    expect(tty.last()).toBe("planning the sweep…");
  });

  it("counts elapsed time from its creation, not from the first count (a 7.2 s sweep does not show 0.5 s)", () => {
    const tty = terminal();
    const p = progressDisplay({ unit: "runs", bar: true, phase: "planning the sweep", stream: tty.stream, now: tty.now, tickMs: 0 });
    tty.at(700);
    p.update(0, 2); // the runs start
    expect(tty.last()).toMatch(/ 0% 0\/2 runs · 0\.7 s · eta \?$/);
    tty.at(6700);
    p.update(1, 2);
    // one run in the 6 s since the runs started: one more takes 6 s
    expect(tty.last()).toMatch(/ 50% 1\/2 runs · 6\.7 s · eta 6\.0 s$/);
  });

  it("the ETA is '?' until a second count gives a rate, then goes by that rate, not by the preparation", () => {
    const tty = terminal();
    const p = progressDisplay({ unit: "", phase: "preparing the serving run", stream: tty.stream, now: tty.now, tickMs: 0 });
    tty.at(5000); // five seconds of pricing before the first count
    p.update(5, 555, "requests");
    expect(tty.last()).toBe("1% 5/555 requests · 5.0 s · eta ?");
    tty.at(5500);
    p.update(105, 555, "requests");
    // 100 requests in 0.5 s: 450 more take 2.25 s
    expect(tty.last()).toBe("19% 105/555 requests · 5.5 s · eta 2.3 s");
  });

  it("finish clears the line it drew, and a report after it (a cancelled run settling) draws nothing", () => {
    const tty = terminal();
    const p = progressDisplay({ unit: "runs", phase: "planning", stream: tty.stream, now: tty.now, tickMs: 0 });
    p.finish();
    expect(tty.writes.at(-1)).toBe("\r\x1b[K");
    const before = tty.writes.length;
    p.update(2, 5);
    expect(tty.writes.length).toBe(before);
  });

  it("fits every line in one row of the terminal (a wrapped line leaves its first rows behind at each redraw and after the clear)", () => {
    const tty = terminal(true, 60);
    const p = progressDisplay({ unit: "scenario runs (30 targets)", bar: true, phase: "pricing steps: step model 8, decode of 48 sequences at KV 16384 tokens", stream: tty.stream, now: tty.now, tickMs: 0 });
    tty.at(1500);
    p.update(0, 30);
    tty.at(3000);
    p.update(29, 30);
    p.finish();
    const rows = tty.writes.map((w) => w.replace(/\r|\x1b\[K/g, ""));
    expect(rows.filter((r) => Array.from(r).length > 59)).toEqual([]);
    expect(rows.some((r) => r.endsWith("…"))).toBe(true);
    expect(tty.writes.at(-1)).toBe("\r\x1b[K");
  });

  it("leaves lines whole when the width is unknown or there is room", () => {
    const tty = terminal(true, 200);
    progressDisplay({ unit: "runs", phase: "planning the sweep", stream: tty.stream, now: tty.now, tickMs: 0 });
    expect(tty.last()).toBe("planning the sweep…");
  });
});
