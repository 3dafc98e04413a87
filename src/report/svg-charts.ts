/**
 * Dependency-free SVG charts for the HTML reports: line (and step) charts, stacked and plain bar
 * charts, and span timelines. Pure functions of their inputs (no randomness, no clock), so a report
 * is byte-identical for identical runs. Native `<title>` tooltips instead of scripts.
 */

/** One line of a line chart: (x, y) points in data units, optional ± error half-widths. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly errors?: readonly number[];
}

/** A line chart: numeric x (log scale optional) or categorical x (`categories`, x = index). */
export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Categorical x: labels of x = 0, 1, 2, … */
  readonly categories?: readonly string[];
  /** Draw as a step function (CDFs, queue lengths). */
  readonly step?: boolean;
}

/** A bar chart: one bar per entry; several segments stack. */
export interface BarChartSpec {
  readonly title: string;
  readonly yLabel: string;
  readonly bars: readonly { readonly label: string; readonly segments: readonly { readonly name: string; readonly value: number }[] }[];
}

/** A span timeline: lanes (rows) of [start, end) intervals in ns. */
export interface TimelineSpec {
  readonly title: string;
  readonly lanes: readonly { readonly name: string; readonly spans: readonly { readonly start: number; readonly dur: number; readonly kind: string; readonly label: string }[] }[];
  /** A caption line (e.g. what was left out). */
  readonly note?: string;
}

/** Colour-blind-safe categorical palette (Okabe–Ito, then Tableau). */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1"];

/** Escapes text for XML/HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * A short human number: 3 significant digits with k/M/G/T suffixes, e.g. 1.25M, 0.0123. The value is
 * rounded before the suffix is chosen, so 999.7 prints 1k and 999 600 prints 1M (not "1.00e+3k").
 */
export function shortNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  if (Math.abs(x) < 1e-3) return x.toExponential(1);
  const r = Number(x.toPrecision(3));
  const a = Math.abs(r);
  const units: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [f, s] of units) if (a >= f) return `${trim((r / f).toPrecision(3))}${s}`;
  return trim(r.toPrecision(3));
}

function trim(s: string): string {
  return s.includes(".") && !s.includes("e") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * Smallest / largest of `xs` (Infinity / −Infinity when empty), exactly as Math.min(...xs) /
 * Math.max(...xs) but without spreading: a spread of more than about 10⁵ values overflows the stack.
 */
export function minOf(xs: Iterable<number>): number {
  let m = Infinity;
  for (const x of xs) m = Math.min(m, x);
  return m;
}

export function maxOf(xs: Iterable<number>): number {
  let m = -Infinity;
  for (const x of xs) m = Math.max(m, x);
  return m;
}

/** Shortens a label to `n` characters with an ellipsis (the full text goes in a tooltip or caption). */
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** Round numbers covering [lo, hi]: about `n` ticks at 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((b - a) / 8));
  const out: number[] = [];
  for (let k = a; k <= b; k += every) out.push(10 ** k);
  return out;
}

const W = 720;
const H = 340;
const M = { l: 72, r: 170, t: 34, b: 48 };

function frame(title: string, body: string, kind: string, height = H): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-kind="${kind}" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}">` +
    `<rect width="${W}" height="${height}" fill="#fff"/>` +
    `<text x="${W / 2 - M.r / 2 + M.l / 2}" y="20" text-anchor="middle" class="title">${esc(clip(title, 80))}<title>${esc(title)}</title></text>${body}</svg>`
  );
}

function scale(lo: number, hi: number, a: number, b: number, log: boolean): (v: number) => number {
  if (log) {
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    return (v) => a + ((Math.log10(v) - l0) / (l1 - l0 || 1)) * (b - a);
  }
  return (v) => a + ((v - lo) / (hi - lo || 1)) * (b - a);
}

function legend(names: readonly string[]): string {
  return names
    .slice(0, 16)
    .map((n, i) => {
      const y = M.t + 8 + i * 17;
      return `<rect x="${W - M.r + 12}" y="${y - 9}" width="11" height="11" fill="${PALETTE[i % PALETTE.length]}"/><text x="${W - M.r + 28}" y="${y}" class="legend">${esc(n.length > 24 ? n.slice(0, 23) + "…" : n)}<title>${esc(n)}</title></text>`;
    })
    .join("") + (names.length > 16 ? `<text x="${W - M.r + 12}" y="${M.t + 8 + 16 * 17}" class="legend">+${names.length - 16} more</text>` : "");
}

function fix(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** A line chart with axes, ticks, legend and point tooltips. */
export function lineChart(spec: LineChartSpec): string {
  const pts = spec.series.flatMap((s) => s.points.map((p, i) => [p[0], p[1], s.errors?.[i] ?? 0] as const));
  const usable = pts.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logX || x > 0) && (!spec.logY || y > 0));
  if (usable.length === 0) return frame(spec.title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`, "line");
  let x0 = minOf(usable.map((p) => p[0]));
  let x1 = maxOf(usable.map((p) => p[0]));
  let y0 = minOf(usable.map((p) => p[1] - p[2]));
  let y1 = maxOf(usable.map((p) => p[1] + p[2]));
  if (spec.categories) [x0, x1] = [-0.5, spec.categories.length - 0.5];
  if (!spec.logY) y0 = Math.min(0, y0);
  if (y1 === y0) y1 = y0 + (Math.abs(y0) || 1);
  if (x1 === x0) [x0, x1] = spec.logX ? [x0 / 2, x1 * 2] : [x0 - 1, x1 + 1];
  // widen the axes to whole decades (log) or to the next round tick (linear), so ticks stay inside the plot
  if (spec.logX) [x0, x1] = [10 ** Math.floor(Math.log10(x0)), 10 ** Math.ceil(Math.log10(x1))];
  if (spec.logY) [y0, y1] = [10 ** Math.floor(Math.log10(y0)), 10 ** Math.ceil(Math.log10(y1))];
  let yt = spec.logY ? logTicks(y0, y1) : niceTicks(y0, y1);
  if (!spec.logY && yt.length >= 2 && yt[yt.length - 1]! < y1) {
    yt = [...yt, yt[yt.length - 1]! + (yt[1]! - yt[0]!)];
    y1 = yt[yt.length - 1]!;
  }
  const sx = scale(x0, x1, M.l, W - M.r, !!spec.logX);
  const sy = scale(y0, y1, H - M.b, M.t, !!spec.logY);
  let body = "";
  for (const t of yt) body += `<line x1="${M.l}" x2="${W - M.r}" y1="${fix(sy(t))}" y2="${fix(sy(t))}" class="grid"/><text x="${M.l - 6}" y="${fix(sy(t) + 4)}" text-anchor="end" class="tick">${shortNum(t)}</text>`;
  const xt = spec.categories ? spec.categories.map((_, i) => i) : spec.logX ? logTicks(x0, x1) : niceTicks(x0, x1);
  for (const t of xt) {
    const label = spec.categories ? spec.categories[t]! : shortNum(t);
    body += `<line x1="${fix(sx(t))}" x2="${fix(sx(t))}" y1="${H - M.b}" y2="${H - M.b + 4}" class="axis"/><text x="${fix(sx(t))}" y="${H - M.b + 17}" text-anchor="middle" class="tick">${esc(label.length > 14 ? label.slice(0, 13) + "…" : label)}</text>`;
  }
  body += `<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" class="axis"/><line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" class="axis"/>`;
  body += `<text x="${(M.l + W - M.r) / 2}" y="${H - 10}" text-anchor="middle" class="label">${esc(clip(spec.xLabel, 60))}${spec.logX ? " (log)" : ""}</text>`;
  body += `<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(clip(spec.yLabel, 40))}${spec.logY ? " (log)" : ""}</text>`;
  spec.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const ok = s.points.map((p, j) => [p[0], p[1], s.errors?.[j] ?? 0] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logX || x > 0) && (!spec.logY || y > 0));
    let d = "";
    ok.forEach(([x, y], j) => {
      if (j === 0) d += `M${fix(sx(x))},${fix(sy(y))}`;
      else if (spec.step) d += `H${fix(sx(x))}V${fix(sy(y))}`;
      else d += `L${fix(sx(x))},${fix(sy(y))}`;
    });
    body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="2" class="series"/>`;
    if (ok.length <= 200) {
      for (const [x, y, e] of ok) {
        if (e > 0) body += `<line x1="${fix(sx(x))}" x2="${fix(sx(x))}" y1="${fix(sy(y - e))}" y2="${fix(sy(y + e))}" stroke="${color}" class="err"/>`;
        const tip = `${s.name}: ${spec.categories ? spec.categories[x] : shortNum(x)} → ${shortNum(y)}${e > 0 ? ` ± ${shortNum(e)}` : ""}`;
        body += `<circle cx="${fix(sx(x))}" cy="${fix(sy(y))}" r="3" fill="${color}"><title>${esc(tip)}</title></circle>`;
      }
    }
  });
  if (spec.series.length > 1 || (spec.series[0] && spec.series[0].name !== "")) body += legend(spec.series.map((s) => s.name));
  return frame(spec.title, body, spec.step ? "step" : "line");
}

/** A (stacked) bar chart: bars along x, segments stacked; legend lists segment names. */
export function barChart(spec: BarChartSpec): string {
  const names: string[] = [];
  for (const b of spec.bars) for (const s of b.segments) if (!names.includes(s.name)) names.push(s.name);
  const totals = spec.bars.map((b) => b.segments.reduce((a, s) => a + Math.max(0, s.value), 0));
  const top = Math.max(maxOf(totals), 0) || 1;
  let ticks = niceTicks(0, top);
  if (ticks.length >= 2 && ticks[ticks.length - 1]! < top) ticks = [...ticks, ticks[ticks.length - 1]! + (ticks[1]! - ticks[0]!)];
  const y1 = Math.max(top, ticks[ticks.length - 1] ?? top);
  const sy = scale(0, y1, H - M.b, M.t, false);
  const slot = (W - M.r - M.l) / Math.max(1, spec.bars.length);
  const bw = Math.min(60, slot * 0.7);
  let body = "";
  for (const t of ticks) body += `<line x1="${M.l}" x2="${W - M.r}" y1="${fix(sy(t))}" y2="${fix(sy(t))}" class="grid"/><text x="${M.l - 6}" y="${fix(sy(t) + 4)}" text-anchor="end" class="tick">${shortNum(t)}</text>`;
  spec.bars.forEach((b, i) => {
    const x = M.l + slot * i + (slot - bw) / 2;
    let acc = 0;
    for (const s of b.segments) {
      if (!(s.value > 0)) continue;
      const ya = sy(acc);
      const yb = sy(acc + s.value);
      acc += s.value;
      const color = PALETTE[names.indexOf(s.name) % PALETTE.length]!;
      body += `<rect x="${fix(x)}" y="${fix(yb)}" width="${fix(bw)}" height="${fix(Math.max(0.5, ya - yb))}" fill="${color}" class="bar"><title>${esc(`${b.label} · ${s.name}: ${shortNum(s.value)} (${((s.value / (totals[i] || 1)) * 100).toFixed(1)} %)`)}</title></rect>`;
    }
    // narrow slots: labels slanted so neighbours do not overprint each other
    const slanted = slot < 64;
    const label = clip(b.label, slanted ? 18 : 14);
    const lx = fix(x + bw / 2);
    body += slanted
      ? `<text transform="translate(${lx} ${H - M.b + 10}) rotate(-40)" text-anchor="end" class="tick">${esc(label)}<title>${esc(b.label)}</title></text>`
      : `<text x="${lx}" y="${H - M.b + 17}" text-anchor="middle" class="tick">${esc(label)}<title>${esc(b.label)}</title></text>`;
  });
  body += `<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" class="axis"/><line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" class="axis"/>`;
  body += `<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(clip(spec.yLabel, 40))}</text>`;
  if (names.length > 1) body += legend(names);
  const slanted = (W - M.r - M.l) / Math.max(1, spec.bars.length) < 64;
  return frame(spec.title, body, "bar", slanted ? H + 70 : H);
}

/** A Gantt-style timeline of spans, one lane per row, coloured by kind. */
export function timelineChart(spec: TimelineSpec): string {
  const lanes = spec.lanes;
  const laneH = 16;
  const height = M.t + lanes.length * laneH + M.b + (spec.note ? 14 : 0);
  const all = lanes.flatMap((l) => l.spans);
  if (all.length === 0) return frame(spec.title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no spans</text>`, "timeline");
  const t0 = minOf(all.map((s) => s.start));
  const t1 = maxOf(all.map((s) => s.start + s.dur));
  const unit = t1 - t0 >= 1e9 ? { f: 1e9, n: "s" } : t1 - t0 >= 1e6 ? { f: 1e6, n: "ms" } : t1 - t0 >= 1e3 ? { f: 1e3, n: "µs" } : { f: 1, n: "ns" };
  const left = 150;
  const sx = scale(t0, t1 > t0 ? t1 : t0 + 1, left, W - M.r, false);
  const kinds: string[] = [];
  for (const s of all) if (!kinds.includes(s.kind)) kinds.push(s.kind);
  let body = "";
  const axisY = M.t + lanes.length * laneH + 4;
  for (const t of niceTicks(t0 / unit.f, t1 / unit.f)) {
    const x = sx(t * unit.f);
    body += `<line x1="${fix(x)}" x2="${fix(x)}" y1="${M.t}" y2="${axisY}" class="grid"/><text x="${fix(x)}" y="${axisY + 14}" text-anchor="middle" class="tick">${shortNum(t)}</text>`;
  }
  body += `<text x="${(left + W - M.r) / 2}" y="${axisY + 32}" text-anchor="middle" class="label">simulated time (${unit.n})</text>`;
  lanes.forEach((l, i) => {
    const y = M.t + i * laneH;
    body += `<text x="${left - 6}" y="${y + 12}" text-anchor="end" class="tick">${esc(l.name.length > 22 ? l.name.slice(0, 21) + "…" : l.name)}<title>${esc(l.name)}</title></text>`;
    for (const s of l.spans) {
      const x = sx(s.start);
      const w = Math.max(0.75, sx(s.start + s.dur) - x);
      const color = PALETTE[kinds.indexOf(s.kind) % PALETTE.length]!;
      body += `<rect x="${fix(x)}" y="${y + 2}" width="${fix(w)}" height="${laneH - 4}" fill="${color}" class="span"><title>${esc(`${s.label} · ${s.kind} · ${shortNum(s.dur / unit.f)} ${unit.n} @ ${shortNum((s.start - t0) / unit.f)} ${unit.n}`)}</title></rect>`;
    }
  });
  if (spec.note) body += `<text x="${left}" y="${height - 6}" class="tick">${esc(spec.note)}</text>`;
  body += legend(kinds);
  return frame(spec.title, body, "timeline", Math.max(height, 120));
}
