import { esc } from "./svg-charts.js";
import type { Chart } from "./metric-charts.js";

/** A section of a report page: a heading and trusted HTML (already escaped). */
export interface PageSection {
  readonly heading: string;
  readonly html: string;
}

/** An HTML table from rows of cells (escaped here). */
export function htmlTable(head: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[], caption?: string): string {
  const cell = (c: string | number | boolean | null) => (c === null ? "" : esc(String(c)));
  return (
    `<div class="scroll"><table>${caption ? `<caption>${esc(caption)}</caption>` : ""}<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
  );
}

/** Charts as figures with captions. */
export function chartsHtml(charts: readonly Chart[]): string {
  return charts.map((c) => `<figure>${c.svg}<figcaption>${esc(c.title)}</figcaption></figure>`).join("\n");
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
caption{text-align:left;font-weight:600;padding:4px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}figure{margin:8px 0 18px;display:inline-block}
figcaption{color:#666;font-size:12px}svg.chart text{font-family:system-ui,sans-serif;fill:#222}
svg.chart .title{font-size:14px;font-weight:600}svg.chart .tick,svg.chart .legend{font-size:11px}svg.chart .label{font-size:12px}
svg.chart .grid{stroke:#eee}svg.chart .axis{stroke:#888}svg.chart .err{stroke-width:1.5}
.scroll{overflow-x:auto;max-width:100%}.note{color:#555}.toc a{margin-right:12px}`;

/**
 * A complete self-contained HTML page: inline CSS and SVG, one tiny inline script (it counts the
 * charts into `data-charts` on <body>, which the browser test reads), and a Content-Security-Policy
 * that forbids every network fetch, so the report opens offline and leaks nothing.
 */
export function htmlPage(title: string, subtitle: string, sections: readonly PageSection[]): string {
  const toc = sections.map((s, i) => `<a href="#s${i}">${esc(s.heading)}</a>`).join("");
  const body = sections.map((s, i) => `<section id="s${i}"><h2>${esc(s.heading)}</h2>\n${s.html}\n</section>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">${esc(subtitle)}</p>
<nav class="toc">${toc}</nav>
${body}
<script>
"use strict";
(function () {
  var charts = document.querySelectorAll("svg.chart");
  document.body.setAttribute("data-charts", String(charts.length));
})();
</script>
</body>
</html>
`;
}
