import { fmt } from '../format';
import type { ForecastMetricsDocument } from '../forecast/forecast-result';
import { forecastHorizonsHtml } from './forecast-html';
import type { ReportData } from '../train/train-result';
import {
  barChart,
  beeswarmChart,
  calibrationChart,
  dependenceChart,
  foldSpreadChart,
  heatmap,
  lineChart,
  renderSvg,
} from './charts';
import { thin } from '../metrics';
import { EXPLAIN_CSS, explainSectionsHtml } from './explain-html';
import { fairnessSection } from './fairness-section';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;opacity:.8}
main{padding:8px 32px 40px;max-width:1280px}section{background:#fff;border:1px solid #e2e5ea;border-radius:8px;margin:16px 0;padding:16px 20px}
h2{font-size:17px;margin:0 0 12px}table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid #eceef2;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f2f4f7;font-weight:600}.best{background:#eef7ee}.kpis{display:flex;gap:12px;flex-wrap:wrap}
.kpi{background:#f2f4f7;border-radius:6px;padding:8px 14px}.kpi b{display:block;font-size:20px}.grid{display:flex;flex-wrap:wrap;gap:12px}
.t{text-align:left}header code{background:#39415a;color:#fff}.muted{color:#667}.warn{color:#9a5b00}code{background:#f2f4f7;padding:1px 4px;border-radius:3px}
${EXPLAIN_CSS}`;

function table(head: string[], rows: Array<Array<string | number>>, rowClass?: (i: number) => string): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r, i) =>
        `<tr class="${rowClass?.(i) ?? ''}">${r.map((c) => (typeof c === 'number' ? `<td>${fmt(c)}</td>` : `<td class="t">${esc(c)}</td>`)).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

/** `maxDepth = 3, learningRate = 0.04126, ...`: numbers to 4 significant digits, so long values wrap and read. */
function paramsText(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '(none)';
  return entries
    .map(([k, v]) => `${k} = ${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : String(v)}`)
    .join(', ');
}

function shapUnit(shap: NonNullable<ReportData['shap']>): string {
  return shap.space === 'probability' ? 'SHAP value (probability)' : 'SHAP value';
}

async function renderShap(shap: NonNullable<ReportData['shap']>): Promise<string[]> {
  const out: string[] = [];
  const order = shap.meanAbs.map((m) => m.column);
  if (shap.points.length) {
    out.push(
      await renderSvg(
        beeswarmChart({ title: 'SHAP summary (test rows)', rows: shap.points, order, xTitle: shapUnit(shap) }),
      ),
    );
  } else {
    out.push(
      await renderSvg(
        barChart({
          title: 'Mean |SHAP| per column (test rows, all classes)',
          rows: shap.meanAbs.slice(0, 15).map((m) => ({ column: m.column, meanAbs: m.meanAbs })),
          label: 'column',
          value: 'meanAbs',
          valueTitle: 'mean |SHAP|',
        }),
      ),
    );
  }
  for (const dep of shap.dependence) {
    out.push(
      await renderSvg(
        dependenceChart({
          title: `SHAP dependence: ${dep.column}`,
          rows: dep.points,
          numeric: dep.numeric,
          column: dep.column,
          yTitle: shapUnit(shap),
        }),
      ),
    );
  }
  return out;
}

function shapSection(shap: NonNullable<ReportData['shap']>, charts: string[]): string {
  return `<section><h2>Why the model scores as it does (SHAP)</h2><p class="muted">${esc(shap.rows)} test rows explained by ${esc(shap.method)}, in ${esc(shap.space)} space; each record's values plus the base value add up to its prediction. Columns by mean |SHAP|: ${shap.meanAbs
    .slice(0, 5)
    .map((m) => `${esc(m.column)} ${fmt(m.meanAbs)}`)
    .join(', ')}.</p><div class="grid">${charts.join('\n')}</div></section>`;
}

/** report.html: one self-contained page (inline CSS and SVG, no script, no network). */
export async function renderReport(d: ReportData): Promise<string> {
  const m = d.metrics;
  const classification = m.task !== 'regression';
  const testCols = classification
    ? ['accuracy', 'precision', 'recall', 'f1Score', 'rocAuc', 'averagePrecision']
    : ['rmse', 'mae', 'r2'];
  const present = testCols.filter((c) => m.best.test[c] !== undefined);
  // Multiclass precision, recall and F1 are macro averages: say so wherever they are shown.
  const multiclass = m.task === 'multiclass';
  const label = (c: string) => (multiclass && ['precision', 'recall', 'f1Score'].includes(c) ? `${c} (macro)` : c);
  const charts: string[] = [];
  const rocRows = d.curves.flatMap((c) =>
    c.roc ? thin(c.roc.fpr.map((fpr, i) => ({ model: c.model, fpr, tpr: c.roc!.tpr[i] }))) : [],
  );
  if (rocRows.length)
    charts.push(
      await renderSvg(
        lineChart({
          title: 'ROC curve (test)',
          rows: rocRows,
          x: 'fpr',
          y: 'tpr',
          series: 'model',
          diagonal: true,
          domain: [0, 1],
          xTitle: 'false positive rate',
          yTitle: 'true positive rate',
        }),
      ),
    );
  const prRows = d.curves.flatMap((c) =>
    c.pr ? thin(c.pr.recall.map((recall, i) => ({ model: c.model, recall, precision: c.pr!.precision[i] }))) : [],
  );
  if (prRows.length)
    charts.push(
      await renderSvg(
        lineChart({
          title: 'Precision-recall (test)',
          rows: prRows,
          x: 'recall',
          y: 'precision',
          series: 'model',
          domain: [0, 1],
        }),
      ),
    );
  if (d.confusion) {
    const rows = d.confusion.matrix.flatMap((r, i) =>
      r.map((count, j) => ({ actual: d.confusion!.labels[i], predicted: d.confusion!.labels[j], count })),
    );
    charts.push(await renderSvg(heatmap({ title: `Confusion matrix (${m.best.model}, test)`, rows })));
  }
  const calRows = d.curves.flatMap((c) =>
    c.calibration
      ? c.calibration.predicted.map((predicted, i) => ({
          model: c.model,
          predicted,
          observed: c.calibration!.observed[i],
        }))
      : [],
  );
  if (calRows.length) charts.push(await renderSvg(calibrationChart(calRows)));
  if (d.importance.length)
    charts.push(
      await renderSvg(
        barChart({
          title: `Feature importance: ${d.importanceKind}`,
          rows: d.importance.map((r) => ({ feature: r.feature, importance: r.importance })),
          label: 'feature',
          value: 'importance',
        }),
      ),
    );
  const shapCharts = d.shap ? await renderShap(d.shap) : [];
  if (d.learningCurve.length) {
    const rows = d.learningCurve.flatMap((p) => [
      { rows: p.rows, score: p.train, part: 'train subset' },
      { rows: p.rows, score: p.test, part: 'test' },
    ]);
    charts.push(
      await renderSvg(
        lineChart({
          title: `Learning curve (${m.best.model}, ${m.primaryMetric})`,
          rows,
          x: 'rows',
          y: 'score',
          series: 'part',
          xTitle: 'training rows',
        }),
      ),
    );
  }
  if (d.foldSpread.length)
    charts.push(
      await renderSvg(
        foldSpreadChart({ title: `CV ${m.primaryMetric} per fold`, rows: d.foldSpread, metric: m.primaryMetric }),
      ),
    );

  const modelRows = m.models.flatMap((r) => {
    const rows: Array<Array<string | number>> = [
      [
        `${r.title} (baseline${oobNote(r)})`,
        r.baseline.cv.mean,
        r.baseline.cv.std,
        ...present.map((c) => r.baseline.test[c] ?? NaN),
      ],
    ];
    if (r.tuned)
      rows.push([
        `${r.title} (tuned, ${r.tuned.trials.length} trials${oobNote(r)})`,
        r.tuned.cv.mean,
        r.tuned.cv.std,
        ...present.map((c) => r.tuned!.test[c] ?? NaN),
      ]);
    return rows;
  });
  const bestTitle = m.models.find((r) => r.model === m.best.model)?.title ?? m.best.model;
  const bestRowIndex = modelRows.findIndex(
    (r) =>
      String(r[0]).startsWith(bestTitle) &&
      (String(r[0]).includes('tuned') || !m.models.find((x) => x.model === m.best.model)?.tuned),
  );

  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>campaign-ml — ${esc(d.title)}</title><meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head><body>
<header><h1>campaign-ml report — ${esc(d.title)}</h1><p>${esc(m.task)} task on <code>${esc(m.target)}</code> · ${esc(m.data.rows)} rows from ${esc(m.data.source)} · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC</p></header>
<main>
<section><h2>Result</h2><div class="kpis"><div class="kpi"><span class="muted">best model</span><b>${esc(bestTitle)}</b></div>
${present.map((c) => `<div class="kpi"><span class="muted">test ${esc(label(c))}</span><b>${fmt(m.best.test[c])}</b></div>`).join('')}
${m.majorityBaseline ? `<div class="kpi"><span class="muted">majority-class baseline accuracy (always "${esc(m.majorityBaseline.class)}")</span><b>${fmt(m.majorityBaseline.accuracy)}</b></div>` : ''}
${m.best.threshold !== undefined ? `<div class="kpi"><span class="muted">threshold (${esc('CV-chosen')})</span><b>${fmt(m.best.threshold)}</b></div>` : ''}
<div class="kpi"><span class="muted">CV ${esc(m.primaryMetric)}${m.best.cvMethod === 'out-of-bag' ? ' (out-of-bag)' : ''}</span><b>${fmt(m.best.cv.mean)}${m.best.cvMethod === 'out-of-bag' ? '' : ` ± ${fmt(m.best.cv.std)}`}</b></div></div>
${m.majorityBaseline && !m.majorityBaseline.beaten ? `<p class="warn">The test accuracy (${fmt(m.best.test.accuracy)}) is not above the majority-class baseline (${fmt(m.majorityBaseline.accuracy)}): always predicting "${esc(m.majorityBaseline.class)}" would score as well. Judge the model by ROC AUC, balanced accuracy or the per-class figures instead.</p>` : ''}
${
  m.perClass
    ? `<h3>Per class (test part)</h3>${table(
        ['class', 'precision', 'recall', 'F1', 'support'],
        m.perClass.map((r) => [r.class, r.precision, r.recall, r.f1, r.support]),
      )}<p class="muted">Precision, recall and F1 above are macro averages (every class counts the same); weighted by support: precision ${fmt(m.best.test.precisionWeighted)}, recall ${fmt(m.best.test.recallWeighted)}, F1 ${fmt(m.best.test.f1Weighted)}.</p>`
    : ''
}
<p class="muted">The best model is chosen by cross-validated ${esc(m.primaryMetric)} on the training part; the test part (${esc(m.data.testRows)} rows) was used only for the figures below.</p></section>
<section><h2>Models: baseline vs tuned</h2>${table(['model', `CV ${m.primaryMetric}`, 'CV std', ...present.map((c) => `test ${label(c)}`)], modelRows, (i) => (i === bestRowIndex ? 'best' : ''))}
${m.best.threshold !== undefined ? `<p class="muted">Accuracy, precision, recall and F1 in this table cut at 0.5, so the models compare alike; the result above cuts the best model at its CV-chosen threshold (${fmt(m.best.threshold)}).</p>` : ''}</section>
${'horizons' in m ? forecastHorizonsHtml((m as ForecastMetricsDocument).horizons) : ''}
<section><h2>Charts</h2><div class="grid">${charts.join('\n')}</div></section>
${d.shap ? shapSection(d.shap, shapCharts) : ''}
${d.explain ? explainSectionsHtml(d.explain, `${m.target} (${bestTitle}, test rows)`) : ''}
${fairnessSection(d.fairness)}
<section><h2>Leakage findings</h2>${
    m.leakage.length
      ? table(
          ['column', 'finding', 'score', 'driven by', 'reason'],
          m.leakage.map((f) => [
            f.column,
            f.severity === 'warning' ? 'warning (kept)' : 'leak',
            f.score,
            f.drivenBy ? `${f.drivenBy.class} (${(100 * f.drivenBy.share).toFixed(1)}% of rows)` : '',
            f.reason,
          ]),
        )
      : '<p>No column looks like it was recorded after the outcome.</p>'
  }</section>
<section><h2>Data</h2>${m.positiveClassChoice ? `<p>${esc(m.positiveClassChoice.message)}.</p>` : ''}<p>${esc(m.data.rows)} rows (${esc(m.data.trainRows)} train / ${esc(m.data.testRows)} test); ${esc(m.data.droppedMissingTarget)} dropped for a missing target, ${esc(m.data.droppedExcludedLabels)} for excluded labels. SHA-256 <code>${esc(m.data.sha256.slice(0, 16))}…</code>. ${esc(m.features.count)} features after the recipe.</p>
${d.warnings.length ? `<p class="warn">${d.warnings.map(esc).join('<br>')}</p>` : ''}
${table(
  ['column', 'type', 'role', 'missing', 'distinct', 'min', 'max'],
  d.schema.columns.map((c) => [
    c.name,
    c.type,
    c.role,
    String(c.missing),
    String(c.distinct ?? ''),
    String(c.min ?? ''),
    String(c.max ?? ''),
  ]),
)}</section>
<section><h2>Tuned parameters</h2>${table(
    ['model', 'parameters'],
    m.models.map((r) => [
      r.model === 'ensemble' ? 'Weighted ensemble (member weights)' : r.title,
      paramsText((r.tuned ?? r.baseline).params),
    ]),
  )}</section>
<section><h2>Stage times</h2>${table(
    ['stage', 'seconds'],
    Object.entries(m.stageTimesMs).map(([s, ms]) => [s, (ms / 1000).toFixed(1)]),
  )}</section>
</main></body></html>`;
}

/** A model row's note when its CV figures are out-of-bag (one forest, no fold spread: its std is 0). */
function oobNote(r: { cvMethod?: string; outOfBagMissing?: number }): string {
  if (r.cvMethod !== 'out-of-bag') return '';
  return r.outOfBagMissing ? `, out-of-bag; ${r.outOfBagMissing} rows in every bootstrap not scored` : ', out-of-bag';
}
