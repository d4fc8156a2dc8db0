import type { ExplainSections } from '../explain/explain-sections';
import type { RecordSection } from '../explain/record-sections';
import { fmt } from '../format';
import { recordSectionsHtml } from './record-html';

// The explanation sections as HTML with inline SVG drawn here (no script, no network): importance
// bars with whiskers, one partial-dependence panel per column with its high regions coloured and
// a few ICE curves behind, and the target-group sentences. explain.html is these sections on a
// page; the training report appends them for the best model.

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(2)) : 0);

export const EXPLAIN_CSS = `.panels{display:flex;flex-wrap:wrap;gap:12px}.panel{border:1px solid #e2e5ea;border-radius:6px;padding:6px}
.sentences li{margin:4px 0}.legend{font-size:12px;color:#667}.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}`;

/** Horizontal bars of the mean rise in loss per column, whiskers from the lowest to the highest round. */
export function importanceSvg(imp: ExplainSections['importance']): string {
  const rows = imp.columns;
  const width = 640;
  const left = 190;
  const right = 70;
  const barH = 22;
  const top = 10;
  const height = top + rows.length * barH + 34;
  const hi = Math.max(1e-12, ...rows.map((r) => Math.max(r.max, r.difference)));
  const lo = Math.min(0, ...rows.map((r) => Math.min(r.min, r.difference)));
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (width - left - right);
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = top + i * barH;
    const x0 = x(Math.min(0, r.difference));
    const x1 = x(Math.max(0, r.difference));
    parts.push(
      `<text x="${left - 6}" y="${y + 15}" text-anchor="end" font-size="12">${esc(r.name)}</text>`,
      `<rect class="bar" x="${num(x0)}" y="${y + 3}" width="${num(Math.max(1, x1 - x0))}" height="${barH - 7}" fill="#4c78a8"><title>${esc(r.name)}: ${fmt(r.difference)} (rounds ${fmt(r.min)} to ${fmt(r.max)}, std ${fmt(r.std)})</title></rect>`,
      `<line class="whisker" x1="${num(x(r.min))}" x2="${num(x(r.max))}" y1="${y + 11}" y2="${y + 11}" stroke="#1d2330" stroke-width="1.5"/>`,
      `<line x1="${num(x(r.min))}" x2="${num(x(r.min))}" y1="${y + 6}" y2="${y + 16}" stroke="#1d2330"/>`,
      `<line x1="${num(x(r.max))}" x2="${num(x(r.max))}" y1="${y + 6}" y2="${y + 16}" stroke="#1d2330"/>`,
      `<text x="${num(x(Math.max(r.max, r.difference)) + 6)}" y="${y + 15}" font-size="11" fill="#667">${fmt(r.difference)}</text>`,
    );
  });
  const axisY = top + rows.length * barH + 4;
  parts.push(
    `<line x1="${num(x(0))}" x2="${num(x(0))}" y1="${top}" y2="${axisY}" stroke="#999"/>`,
    `<text x="${(left + width - right) / 2}" y="${axisY + 22}" text-anchor="middle" font-size="12">rise in ${esc(imp.loss)} when the column is shuffled</text>`,
  );
  return `<svg class="importance" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif">${parts.join('')}</svg>`;
}

/** One column's partial dependence: ICE curves in grey, the average in blue, high regions shaded green. */
export function pdpSvg(p: ExplainSections['panels'][number], yTitle: string): string {
  const width = 360;
  const height = 250;
  const m = { l: 52, r: 12, t: 24, b: 44 };
  const all = [...p.average, ...p.individual.flat()].filter(Number.isFinite);
  let yLo = Math.min(...all);
  let yHi = Math.max(...all);
  if (!(yHi > yLo)) {
    yLo -= 0.05;
    yHi += 0.05;
  }
  const y = (v: number) => m.t + (1 - (v - yLo) / (yHi - yLo)) * (height - m.t - m.b);
  const numeric = p.grid.every((g) => typeof g === 'number') && p.kind !== 'categorical' && p.kind !== 'boolean';
  const G = p.grid.length;
  const inRegion = new Set(
    p.regions.flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => r.start + i)),
  );
  const parts: string[] = [];
  const label = (g: unknown) =>
    p.kind === 'datetime' && typeof g === 'number'
      ? new Date(g).toISOString().slice(0, 10)
      : typeof g === 'number'
        ? fmt(g)
        : typeof g === 'boolean'
          ? g
            ? 'yes'
            : 'no'
          : String(g);
  if (numeric) {
    const g = p.grid as number[];
    const gLo = g[0];
    const gHi = g[G - 1] > g[0] ? g[G - 1] : g[0] + 1;
    const x = (v: number) => m.l + ((v - gLo) / (gHi - gLo)) * (width - m.l - m.r);
    const half = G > 1 ? (x(g[1]) - x(g[0])) / 2 : 4;
    for (const r of p.regions) {
      const x0 = Math.max(m.l, x(g[r.start]) - (r.start > 0 ? (x(g[r.start]) - x(g[r.start - 1])) / 2 : 0));
      const x1 = Math.min(width - m.r, x(g[r.end]) + (r.end < G - 1 ? (x(g[r.end + 1]) - x(g[r.end])) / 2 : 0));
      parts.push(
        `<rect class="region" x="${num(x0)}" y="${m.t}" width="${num(Math.max(x1 - x0, half))}" height="${height - m.t - m.b}" fill="#54a24b" fill-opacity="0.18"/>`,
      );
    }
    const path = (vals: number[]) => vals.map((v, i) => `${i ? 'L' : 'M'}${num(x(g[i]))},${num(y(v))}`).join('');
    for (const ice of p.individual)
      parts.push(`<path d="${path(ice)}" fill="none" stroke="#9aa3b2" stroke-opacity="0.35" stroke-width="1"/>`);
    parts.push(`<path class="average" d="${path(p.average)}" fill="none" stroke="#1f4e9c" stroke-width="2.5"/>`);
    for (const t of [gLo, (gLo + gHi) / 2, gHi])
      parts.push(
        `<text x="${num(x(t))}" y="${height - m.b + 16}" text-anchor="middle" font-size="11">${esc(label(t))}</text>`,
      );
  } else {
    const band = (width - m.l - m.r) / G;
    p.grid.forEach((g, i) => {
      const v = p.average[i];
      const high = inRegion.has(i);
      parts.push(
        `<rect class="${high ? 'region ' : ''}category" x="${num(m.l + i * band + band * 0.15)}" y="${num(Math.min(y(v), y(yLo)))}" width="${num(band * 0.7)}" height="${num(Math.abs(y(yLo) - y(v)) || 1)}" fill="${high ? '#54a24b' : '#e45756'}"><title>${esc(label(g))}: ${fmt(v)}</title></rect>`,
      );
      if (G <= 12)
        parts.push(
          `<text x="${num(m.l + (i + 0.5) * band)}" y="${height - m.b + 16}" text-anchor="middle" font-size="11">${esc(label(g)).slice(0, 12)}</text>`,
        );
    });
  }
  parts.push(
    `<line x1="${m.l}" x2="${width - m.r}" y1="${num(y(p.cut))}" y2="${num(y(p.cut))}" stroke="#54a24b" stroke-dasharray="4 3"><title>${esc(p.rule)} cut ${fmt(p.cut)}</title></line>`,
    `<text x="${m.l - 6}" y="${num(y(yHi)) + 4}" text-anchor="end" font-size="11">${fmt(yHi)}</text>`,
    `<text x="${m.l - 6}" y="${num(y(yLo)) + 4}" text-anchor="end" font-size="11">${fmt(yLo)}</text>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${height - m.b}" stroke="#999"/>`,
    `<line x1="${m.l}" x2="${width - m.r}" y1="${height - m.b}" y2="${height - m.b}" stroke="#999"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${esc(p.label)}</text>`,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#667">${esc(p.column)}${p.label !== p.column ? '' : ''}</text>`,
    `<text transform="translate(13 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#667">${esc(yTitle)}</text>`,
  );
  return `<svg class="pdp" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif">${parts.join('')}</svg>`;
}

/** The three sections: importance, partial dependence, target group. */
export function explainSectionsHtml(s: ExplainSections, what: string): string {
  const yTitle = s.class !== undefined ? `P(${s.class})` : 'prediction';
  const imp = s.importance;
  const importance = imp.columns.length
    ? `<p class="muted">Permutation importance (dalex's model_parts): the rise in ${esc(imp.loss)} when a column's values are shuffled, mean of ${imp.nRepeats} rounds on ${imp.rows} rows each; whiskers span the lowest to the highest round. Full model ${esc(imp.loss)} ${fmt(imp.fullModel)}, outcomes shuffled ${fmt(imp.baseline)}.</p>${importanceSvg(imp)}`
    : '<p class="muted">No outcomes were given, so there is no permutation importance; the columns are ranked by how far their partial-dependence curve moves the prediction.</p>';
  const panels = s.panels.map((p) => `<div class="panel">${pdpSvg(p, yTitle)}</div>`).join('\n');
  const rule = s.panels[0]?.rule ?? 'near-max';
  return `<section><h2>What drives ${esc(what)}: importance</h2>${importance}</section>
<section><h2>Partial dependence of the top ${s.panels.length} columns</h2><p class="legend">Mean ${esc(yTitle)} when every row takes the value on the x axis (blue), with a few rows' own curves (grey ICE). <i style="background:#54a24b;opacity:.5"></i>high region (${esc(rule)}: within 10% of the curve's range below its maximum) <i style="background:#e45756"></i>other categories</p><div class="panels">${panels}</div></section>
<section><h2>Target group</h2><ul class="sentences">${s.sentences.map((x) => `<li class="sentence">${esc(x.sentence)}</li>`).join('')}</ul><p class="together">${esc(s.together)}</p></section>`;
}

/** explain.html: one self-contained page (inline CSS and SVG, no script, no network); "This record" sections first. */
export function renderExplainPage(
  s: ExplainSections,
  title: string,
  subtitle: string,
  records: readonly RecordSection[] = [],
): string {
  const css = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;opacity:.8}
main{padding:8px 32px 40px;max-width:1280px}section{background:#fff;border:1px solid #e2e5ea;border-radius:8px;margin:16px 0;padding:16px 20px}
h2{font-size:17px;margin:0 0 12px}h3{font-size:15px;margin:14px 0 6px}.muted{color:#667}
table{border-collapse:collapse}td,th{border-bottom:1px solid #e2e5ea;padding:4px 10px;text-align:left;vertical-align:top}${EXPLAIN_CSS}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>campaign-ml — ${esc(title)}</title><meta name="viewport" content="width=device-width,initial-scale=1"><style>${css}</style></head><body>
<header><h1>${esc(title)}</h1><p>${esc(subtitle)}</p></header>
<main>${recordSectionsHtml(records)}${explainSectionsHtml(s, 'the prediction')}</main></body></html>
`;
}
