import { fmt } from '../format';
import type { HorizonSummary } from '../forecast/forecast-result';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * The forecast's horizon section: per horizon, every candidate and family with its mean CV RMSE
 * (what the choice was made on) and its test RMSE, MAE and MASE; the served one is highlighted and
 * the sentence under each table says what serves and why.
 */
export function forecastHorizonsHtml(horizons: Record<string, HorizonSummary>): string {
  const parts = Object.values(horizons).map((h) => {
    const served = h.served.model.replace(/_\d+d$/, '');
    const rows = Object.entries(h.test)
      .map(([name, t]) => ({ name, cv: h.cvRmse[name], t }))
      .sort((a, b) => a.cv - b.cv);
    const body = rows
      .map(
        (r) =>
          `<tr class="${r.name === served ? 'best' : ''}"><td class="t">${esc(r.name)}</td><td>${fmt(r.cv)}</td><td>${fmt(r.t.rmse)}</td><td>${fmt(r.t.mae)}</td><td>${fmt(r.t.mase)}</td><td>${fmt(r.t.rmse / h.naive.test.rmse)}</td></tr>`,
      )
      .join('');
    return `<h3>${esc(h.days)} days (${esc(h.target)}; ${esc(h.trainRows)} train / ${esc(h.testRows)} test weeks)</h3>
<table><thead><tr><th>candidate</th><th>CV RMSE</th><th>test RMSE</th><th>test MAE</th><th>test MASE</th><th>RMSE vs naive</th></tr></thead><tbody>${body}</tbody></table>
<p><b>${esc(h.served.title)}</b> serves ${esc(h.days)} days — ${esc(h.served.how)}: ${esc(h.served.why)}. Test RMSE ${fmt(h.rmseVsNaive)}× naive.</p>`;
  });
  return `<section><h2>Forecast horizons: which candidate serves</h2><p class="muted">Each horizon is served by the candidate or model with the lowest mean RMSE on time-ordered CV folds of the training weeks (among those that beat the naive forecast on every fold; else naive); the test weeks only score them. MASE = test MAE / the naive forecast's MAE on the training weeks.</p>${parts.join('\n')}</section>`;
}
