import type { ColumnDrift, DriftReport } from './drift-report';
import { PERFORMANCE_METRICS, type PerformanceWindow } from './performance-estimate';

/**
 * A drift report as one self-contained HTML page: a summary, a table of every column with small
 * inline SVG histograms (reference grey, current blue), a drill-down per column, the target's
 * metrics and, with windows, a grid of windows x columns. No script, no external file, no raw
 * rows: only the bin shares the report holds, so the page stays around 5 kB per column (a
 * 50-column report is about 250 kB) whatever the number of rows; Evidently's embeds the data and
 * a 3.5 MB script.
 */
export function driftHtml(report: DriftReport, options: { title?: string } = {}): string {
  const title = options.title ?? `Drift report: ${report.bundle.id}`;
  const compared = report.columns.filter((c) => !c.skipped);
  const d = report.dataset;
  const hasImportance = compared.some((c) => c.importance !== undefined);
  const parts: string[] = [];
  parts.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body>`,
  );
  parts.push(`<h1>${esc(title)}</h1>`);
  parts.push(
    `<p class="summary ${d.drifted ? 'bad' : 'ok'}"><b>${d.drifted ? 'Dataset drift detected' : 'No dataset drift'}</b>: drift is detected for ${pct(d.share)} of columns (${d.driftedColumns} out of ${d.columns}); the dataset drifts at ${pct(d.driftShare)}.</p>`,
  );
  const p = report.prediction;
  if (p)
    parts.push(
      `<p class="summary ${p.drifted ? 'bad' : 'ok'}"><b>Predictions ${p.drifted ? 'drifted' : 'stable'}</b>: ${esc(p.test)}, ${scoreText(p)}.</p>`,
    );
  parts.push(
    `<p class="meta">Mode <b>${report.mode}</b> (${esc(thresholdText(report))}). ${fmtInt(report.rows.compared)} rows compared${
      report.rows.rejected ? `, ${fmtInt(report.rows.rejected)} rejected` : ''
    } against ${fmtInt(report.rows.reference)} reference rows. Bundle ${esc(report.bundle.id)} (${esc(report.bundle.task)}, ${esc(report.bundle.createdAt.slice(0, 10))}).</p>`,
  );
  if (report.problems.length) {
    parts.push(
      `<details><summary>${fmtInt(report.rows.rejected)} rows could not be read</summary><ul>${report.problems
        .slice(0, 5)
        .map((x) => `<li>${esc(x.message)}</li>`)
        .join('')}</ul></details>`,
    );
  }
  if (report.target) parts.push(targetSection(report));
  if (report.performance) parts.push(performanceSection(report));

  parts.push('<h2>Columns</h2><table class="cols"><thead><tr><th>Column</th><th>Type</th>');
  if (hasImportance) parts.push('<th>Importance</th>');
  parts.push(
    '<th>Reference</th><th>Current</th><th>Drift</th><th>Test</th><th>p-value</th><th>Effect</th><th>Missing</th><th>Unseen</th></tr></thead><tbody>',
  );
  const rows = [...report.columns, ...(p ? [p] : []), ...(report.target?.drift ? [report.target.drift] : [])];
  for (const c of rows) parts.push(columnRow(c, hasImportance));
  parts.push('</tbody></table>');

  parts.push('<h2>Details</h2>');
  for (const c of rows) if (!c.skipped) parts.push(columnDetails(c));
  if (report.windows?.length) parts.push(windowSection(report));
  parts.push(
    `<p class="meta">campaign-ml drift report, format ${report.version}. Histograms show bin shares only; no rows are embedded.</p></body></html>`,
  );
  return parts.join('');
}

const CSS =
  'body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}' +
  'table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}' +
  'th{background:#f4f4f4;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}.summary{padding:8px 12px;border-radius:4px}' +
  '.ok{background:#eaf6ea}.bad{background:#fbeaea}.yes{color:#b00020;font-weight:600}.no{color:#2e7d32}.meta{color:#666}' +
  '.skip{color:#888}details{margin:6px 0}summary{cursor:pointer}.grid td{width:18px;height:18px;padding:0;border:1px solid #fff}' +
  '.g0{background:#e8f5e9}.g1{background:#ef9a9a}.key i{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

function thresholdText(r: DriftReport): string {
  const t = r.thresholds;
  if (t.mode === 'robust')
    return `drift when p < ${t.pValue} and PSI ${t.psi === 'learned' ? '> a learned threshold' : `>= ${t.psi}`}`;
  return `Evidently thresholds: ${Object.entries(t.evidently ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`;
}

function scoreText(c: ColumnDrift): string {
  const p = c.pValue === null ? '' : `p = ${fmt(c.pValue)}, `;
  return `${p}${c.effect.name} = ${fmt(c.effect.value)}`;
}

/** Reference (grey) and current (blue) shares per bin, side by side. */
function histogram(c: ColumnDrift, width: number, height: number, labels: boolean): string {
  const h = c.histogram;
  const k = h.labels.length;
  if (!k) return '';
  const max = Math.max(...h.reference, ...h.current, 1e-9);
  const slot = width / k;
  const bar = Math.max(1, slot / 2 - 1);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  let bars = '';
  for (let i = 0; i < k; i++) {
    const x = i * slot;
    const hr = (h.reference[i] / max) * height;
    const hc = (h.current[i] / max) * height;
    const tip = labels
      ? `<title>${esc(h.labels[i])}: reference ${pct(h.reference[i])}, current ${pct(h.current[i])}</title>`
      : '';
    bars += `<g>${tip}<rect x="${r1(x)}" y="${r1(height - hr)}" width="${r1(bar)}" height="${r1(hr)}" fill="#9e9e9e"/><rect x="${r1(x + bar)}" y="${r1(height - hc)}" width="${r1(bar)}" height="${r1(hc)}" fill="#1e88e5"/></g>`;
  }
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(c.column)} histogram">${bars}</svg>`;
}

/** Small sparkline histograms: one per side, as Evidently's table shows them. */
function spark(c: ColumnDrift, side: 'reference' | 'current'): string {
  const h = c.histogram;
  const k = h.labels.length;
  if (!k) return '';
  const w = 100;
  const ht = 24;
  const values = h[side];
  const max = Math.max(...h.reference, ...h.current, 1e-9);
  const slot = w / k;
  let bars = '';
  for (let i = 0; i < k; i++) {
    const y = (values[i] / max) * ht;
    bars += `<rect x="${Math.round(i * slot * 10) / 10}" y="${Math.round((ht - y) * 10) / 10}" width="${Math.max(1, Math.round((slot - 1) * 10) / 10)}" height="${Math.round(y * 10) / 10}"/>`;
  }
  return `<svg width="${w}" height="${ht}" fill="${side === 'reference' ? '#9e9e9e' : '#1e88e5'}">${bars}</svg>`;
}

function columnRow(c: ColumnDrift, hasImportance: boolean): string {
  const imp = hasImportance ? `<td class="num">${fmt(c.importance)}</td>` : '';
  if (c.skipped) {
    return `<tr class="skip"><td>${esc(c.column)}</td><td>${c.kind}</td>${imp}<td colspan="8">not compared: ${esc(c.skipped)}</td></tr>`;
  }
  const unseen = c.unseen
    ? c.unseen.values?.length
      ? `${pct(c.unseen.share)}: ${c.unseen.values
          .slice(0, 3)
          .map((v) => esc(v.value))
          .join(', ')}${c.unseen.values.length > 3 ? ', ...' : ''}`
      : c.unseen.share
        ? `${pct(c.unseen.share)}${c.unseen.below !== undefined ? ` (${fmtInt(c.unseen.below)} below, ${fmtInt(c.unseen.above!)} above the range)` : ''}`
        : '0'
    : '-';
  return `<tr><td><a href="#col-${anchor(c.column)}">${esc(c.column)}</a></td><td>${c.kind}</td>${imp}<td>${spark(c, 'reference')}</td><td>${spark(c, 'current')}</td><td class="${c.drifted ? 'yes' : 'no'}">${
    c.drifted ? 'Detected' : 'Not detected'
  }</td><td>${esc(c.test)}</td><td class="num">${fmt(c.pValue)}</td><td class="num">${esc(c.effect.name)} ${fmt(c.effect.value)}</td><td class="num">${pct(c.missing.reference)} / ${pct(
    c.missing.current,
  )}</td><td>${unseen}</td></tr>`;
}

function anchor(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function columnDetails(c: ColumnDrift): string {
  const h = c.histogram;
  const rows = h.labels
    .map(
      (l, i) =>
        `<tr><td>${esc(l)}</td><td class="num">${pct(h.reference[i])}</td><td class="num">${pct(h.current[i])}</td></tr>`,
    )
    .join('');
  const unseen = c.unseen?.values?.length
    ? `<p>Unseen values: ${c.unseen.values.map((v) => `${esc(v.value)} (${fmtInt(v.count)})`).join(', ')}</p>`
    : c.unseen?.below || c.unseen?.above
      ? `<p>Outside the training range: ${fmtInt(c.unseen.below ?? 0)} below, ${fmtInt(c.unseen.above ?? 0)} above.</p>`
      : '';
  return `<details id="col-${anchor(c.column)}"><summary><b>${esc(c.column)}</b>: ${c.drifted ? '<span class="yes">drift</span>' : '<span class="no">no drift</span>'} (${esc(c.test)}: statistic ${fmt(
    c.statistic,
  )}, ${scoreText(c)}; ${fmtInt(c.rows.current)} rows against ${fmtInt(c.rows.reference)})</summary>${histogram(c, Math.max(240, h.labels.length * 28), 90, true)}<p class="key"><i style="background:#9e9e9e"></i>reference<i style="background:#1e88e5"></i>current</p>${unseen}<table><thead><tr><th>Bin</th><th>Reference</th><th>Current</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function targetSection(r: DriftReport): string {
  const t = r.target!;
  const names = Object.keys(t.metrics);
  const rows = names
    .map(
      (k) =>
        `<tr><td>${esc(k)}</td><td class="num">${fmt(t.metrics[k])}</td><td class="num">${fmt(t.referenceMetrics?.[k])}</td><td class="num">${fmt(t.change?.[k])}</td></tr>`,
    )
    .join('');
  const shares = t.shares
    ? `<p>Labels: ${Object.entries(t.shares)
        .map(([k, v]) => `${esc(k)} ${pct(v)}`)
        .join(', ')}${t.unknownLabels ? `; ${fmtInt(t.unknownLabels)} unknown labels` : ''}.</p>`
    : '';
  return `<h2>Target: ${esc(t.column)}</h2><p>${fmtInt(t.rows)} labelled rows.</p>${shares}<table><thead><tr><th>Metric</th><th>Current</th><th>Test set at training</th><th>Change</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Most windows listed in the performance table (every window stays in drift.json). */
const MAX_PERFORMANCE_WINDOWS = 60;

/** CBPE: estimated metrics beside the reference, its bounds and, with labels, the realised values. */
function performanceSection(r: DriftReport): string {
  const p = r.performance!;
  if (p.status === 'not estimated')
    return `<h2>Estimated performance</h2><p class="meta">Not estimated: ${esc(p.reason)}.</p>`;
  const o = p.overall;
  const cal = p.calibration;
  const verdict =
    p.status === 'miscalibrated'
      ? '<p class="summary bad"><b>Not trusted</b>: the probabilities are not calibrated enough (see below); no alert is raised from these estimates.</p>'
      : `<p class="summary ${p.alert ? 'bad' : 'ok'}"><b>${p.alert ? 'Estimated performance left its bounds' : 'Estimated performance within bounds'}</b>${
          o.alerts.length ? `: ${o.alerts.map(esc).join(', ')}` : ''
        }${cal.checked ? '' : ' (no labelled reference: no bounds, calibration not checked)'}.</p>`;
  const ref = p.reference;
  const rows = PERFORMANCE_METRICS.map((m) => {
    const b = o.bounds?.[m];
    return `<tr><td>${m}</td><td class="num">${fmt(ref?.realised[m])}</td><td class="num">${
      b ? `${fmt(b.lower)} - ${fmt(b.upper)}` : '-'
    }</td><td class="num ${o.alerts.includes(m) ? 'yes' : ''}">${fmt(o.estimated[m])}</td>${
      o.realised ? `<td class="num">${fmt(o.realised[m])}</td>` : ''
    }</tr>`;
  }).join('');
  const refHead =
    ref?.source === 'bundle' ? 'Test set at training' : `Reference (${fmtInt(ref?.rows ?? 0)} labelled rows)`;
  const calText = cal.checked
    ? `Calibration on the reference: ${cal.calibrated ? 'passed' : `<span class="yes">failed</span> for ${(cal.failed ?? []).map(esc).join(', ')}`} (ECE ${fmt(cal.ece)}). Rule: ${esc(cal.rule)}.`
    : 'Calibration not checked: no labelled reference rows.';
  const warnings = p.warnings.length ? `<ul>${p.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  const windows = p.windows?.length ? performanceWindows(p.windows, Boolean(o.realised)) : '';
  return `<h2>Estimated performance (CBPE)</h2>${verdict}<p class="meta">Confidence-based performance estimation: the expected confusion matrix of the calibrated probabilities at threshold ${fmt(
    p.threshold,
  )}; bounds = reference realised value ± 3 sd over reference chunks, scaled to the rows compared. ${calText}</p>${warnings}<table><thead><tr><th>Metric</th><th>${esc(refHead)}</th><th>Bounds</th><th>Estimated</th>${
    o.realised ? `<th>Realised (${fmtInt(o.labelled ?? 0)} labelled)</th>` : ''
  }</tr></thead><tbody>${rows}</tbody></table>${windows}`;
}

function performanceWindows(windows: PerformanceWindow[], realised: boolean): string {
  const shown = windows.slice(0, MAX_PERFORMANCE_WINDOWS);
  const head = PERFORMANCE_METRICS.map((m) => `<th>${m}</th>`).join('');
  const body = shown
    .map(
      (w) =>
        `<tr><td>${esc(w.label)}</td><td class="num">${fmtInt(w.rows)}</td>${PERFORMANCE_METRICS.map(
          (m) =>
            `<td class="num ${w.alerts.includes(m) ? 'yes' : ''}">${fmt(w.estimated[m])}${
              realised && w.realised ? ` / ${fmt(w.realised[m])}` : ''
            }</td>`,
        ).join('')}</tr>`,
    )
    .join('');
  const more =
    windows.length > shown.length
      ? `<p class="meta">${windows.length - shown.length} more windows in drift.json.</p>`
      : '';
  return `<p>Per window: estimated${realised ? ' / realised' : ''}; red = outside its bounds.</p><table><thead><tr><th>Window</th><th>Rows</th>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

/** Most cells per row of the windows grid: more windows are shown in consecutive groups. */
const MAX_WINDOW_CELLS = 120;

interface WindowCell {
  label: string;
  rows: number;
  /** Per column (and 'prediction'): the largest score in the group, its threshold, whether any window drifted. */
  columns: Map<string, { score: number; threshold: number; drifted: number }>;
  /** Windows of the group with dataset drift. */
  datasetDrifted: number;
  windows: number;
  first: NonNullable<DriftReport['windows']>[number];
}

/** The prediction's key among a cell's columns (no input column can be named so). */
const PREDICTION = '\u0000prediction';

/**
 * The windows grid: one cell per window, or per group of consecutive windows when there are more
 * than MAX_WINDOW_CELLS (a cell then says how many of its windows drifted and the largest score),
 * so the page stays within its bound (about 70 bytes per cell) however many windows the rows make:
 * every window stays in drift.json.
 */
function windowSection(r: DriftReport): string {
  const windows = r.windows!;
  const columns = [...new Set(windows.flatMap((w) => Object.keys(w.columns)))];
  const per = Math.ceil(windows.length / MAX_WINDOW_CELLS);
  const cells: WindowCell[] = [];
  for (let start = 0; start < windows.length; start += per) {
    const group = windows.slice(start, start + per);
    const cell: WindowCell = {
      label: group.length === 1 ? group[0].label : `${group[0].label} .. ${group[group.length - 1].label}`,
      rows: group.reduce((a, w) => a + w.rows, 0),
      columns: new Map(),
      datasetDrifted: group.filter((w) => w.dataset.drifted).length,
      windows: group.length,
      first: group[0],
    };
    for (const w of group) {
      const entries: [string, { score: number; threshold: number; drifted: boolean } | undefined][] = [
        ...columns.map((c) => [c, w.columns[c]] as [string, (typeof w.columns)[string] | undefined]),
        [PREDICTION, w.prediction],
      ];
      for (const [c, x] of entries) {
        if (!x) continue;
        const had = cell.columns.get(c);
        if (!had) cell.columns.set(c, { score: x.score, threshold: x.threshold, drifted: x.drifted ? 1 : 0 });
        else {
          if (!(had.score >= x.score)) {
            had.score = x.score;
            had.threshold = x.threshold;
          }
          had.drifted += x.drifted ? 1 : 0;
        }
      }
    }
    cells.push(cell);
  }
  const grouped = per > 1;
  const head = cells
    .map((w) => `<th title="${esc(w.label)}: ${fmtInt(w.rows)} rows">${cells.length > 24 ? '' : esc(w.label)}</th>`)
    .join('');
  const cell = (w: WindowCell, c: string, name: string) => {
    const x = w.columns.get(c);
    if (!x) return '<td></td>';
    const what = grouped
      ? `${x.drifted} of ${w.windows} windows drifted, largest score ${fmt(x.score)}`
      : `score ${fmt(x.score)}, threshold ${fmt(x.threshold)}`;
    return `<td class="g${x.drifted ? 1 : 0}" title="${esc(name)}, ${esc(w.label)}: ${what}"></td>`;
  };
  const row = (c: string, name = c) => `<tr><th>${esc(name)}</th>${cells.map((w) => cell(w, c, name)).join('')}</tr>`;
  const body = columns.map((c) => row(c)).join('');
  const pred = row(PREDICTION, 'prediction');
  const ds = `<tr><th>dataset</th>${cells
    .map(
      (w) =>
        `<td class="g${w.datasetDrifted ? 1 : 0}" title="${esc(w.label)}: ${
          grouped
            ? `${w.datasetDrifted} of ${w.windows} windows with dataset drift`
            : `${w.first.dataset.driftedColumns} of ${w.first.dataset.columns} columns drifted`
        }"></td>`,
    )
    .join('')}</tr>`;
  const note = grouped
    ? `${windows.length} windows, shown in ${cells.length} groups of ${per} consecutive windows (every window is in drift.json); red = a window of the group drifted (hover for counts and the largest score).`
    : `${windows.length} windows; red = drift (hover for scores and thresholds).`;
  return `<h2>Windows</h2><p>${note}</p><table class="grid"><thead><tr><th></th>${head}</tr></thead><tbody>${body}${pred}${ds}</tbody></table>`;
}
