import type { RecordSection } from '../explain/record-sections';
import { fmt } from '../format';

// "This record" on explain.html: the prediction, a horizontal bar per input column of its SHAP
// contribution (inline SVG, red pushes the prediction up, blue down), LIME's top features and the
// what-to-change advice as a table of changes. No script, no network.

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const num = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(2)) : 0);

const show = (v: unknown): string =>
  v === null || v === undefined ? 'missing' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);

export const POSITIVE = '#d62728';
export const NEGATIVE = '#1f77b4';

/** Horizontal bars of signed contributions around a zero line, positive red and negative blue. */
export function contributionsSvg(
  rows: ReadonlyArray<{ label: string; value: number; title?: string }>,
  axis: string,
): string {
  const width = 640;
  const left = 230;
  const right = 70;
  const barH = 20;
  const top = 8;
  const height = top + rows.length * barH + 30;
  const hi = Math.max(1e-12, ...rows.map((r) => r.value));
  const lo = Math.min(-1e-12, ...rows.map((r) => r.value));
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (width - left - right);
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = top + i * barH;
    const x0 = x(Math.min(0, r.value));
    const x1 = x(Math.max(0, r.value));
    const sign = r.value >= 0 ? 'pos' : 'neg';
    parts.push(
      `<text x="${left - 6}" y="${y + 14}" text-anchor="end" font-size="12">${esc(r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label)}</text>`,
      `<rect class="contribution ${sign}" x="${num(x0)}" y="${y + 3}" width="${num(Math.max(1, x1 - x0))}" height="${barH - 6}" fill="${r.value >= 0 ? POSITIVE : NEGATIVE}"><title>${esc(r.title ?? r.label)}: ${r.value >= 0 ? '+' : ''}${fmt(r.value)}</title></rect>`,
      `<text x="${num(r.value >= 0 ? x1 + 4 : x0 - 4)}" y="${y + 14}" text-anchor="${r.value >= 0 ? 'start' : 'end'}" font-size="11" fill="#667">${r.value >= 0 ? '+' : ''}${fmt(r.value)}</text>`,
    );
  });
  const axisY = top + rows.length * barH + 2;
  parts.push(
    `<line x1="${num(x(0))}" x2="${num(x(0))}" y1="${top}" y2="${axisY}" stroke="#999"/>`,
    `<text x="${(left + width - right) / 2}" y="${axisY + 20}" text-anchor="middle" font-size="12">${esc(axis)}</text>`,
  );
  return `<svg class="contributions" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif">${parts.join('')}</svg>`;
}

function predictionText(r: RecordSection): string {
  const p = r.prediction;
  if (!p.probabilities) return `predicted ${esc(show(p.label))}`;
  const probs = Object.entries(p.probabilities)
    .map(([k, v]) => `P(${esc(k)}) ${fmt(v)}`)
    .join(', ');
  return `predicted <b>${esc(show(p.label))}</b> (${probs}${p.threshold !== undefined ? `; threshold ${fmt(p.threshold)}` : ''})`;
}

function adviceHtml(r: RecordSection): string {
  const a = r.advice;
  if (!a) return `<p class="muted">No what-to-change advice: ${esc(r.adviceNote ?? '')}.</p>`;
  const goal = `P(${esc(a.target.class ?? 'value')}) ≥ ${fmt(a.target.probability)}`;
  if (a.original.meetsTarget)
    return `<p class="advice-note">Already meets the target ${goal} (${fmt(a.original.probability)}).</p>`;
  if (!a.counterfactuals.length)
    return `<p class="advice-note">No change of ${esc(a.actionable.join(', '))} reaches ${goal} within the training data's ranges.</p>`;
  const rows = a.counterfactuals
    .map(
      (c, i) =>
        `<tr class="advice"><td>${i + 1}</td><td>${c.changes.map((ch) => `${esc(ch.column)}: ${esc(show(ch.from))} → <b>${esc(show(ch.to))}</b>`).join('<br>')}</td><td>${fmt(c.probability)}</td><td>${c.sparsity}</td><td>${fmt(c.proximity)}</td></tr>`,
    )
    .join('');
  return `<p class="muted">To reach ${goal} (now ${fmt(a.original.probability)}), changing only ${esc(a.actionable.join(', '))}${a.fixed.length ? `, never ${esc(a.fixed.join(', '))}` : ''}: each option re-scored by the bundle; proximity is the MAD-scaled distance.</p>
<table><thead><tr><th>#</th><th>change</th><th>new probability</th><th>columns changed</th><th>proximity</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One "This record" section per record. */
export function recordSectionsHtml(records: readonly RecordSection[]): string {
  return records
    .map((r) => {
      const s = r.shap;
      const what = s.class !== undefined && s.space === 'probability' ? `P(${s.class})` : `the ${s.space}`;
      const shapRows = s.contributions.map((c) => ({
        label: `${c.column} = ${show(c.value)}`,
        value: c.contribution,
      }));
      const limeRows = r.lime.features.map((f) => ({ label: f.condition, value: f.weight }));
      const title = records.length > 1 ? `This record (#${r.index + 1})` : 'This record';
      return `<section class="record"><h2>${esc(title)}</h2><p>${predictionText(r)}</p>
<h3>Why: SHAP contribution of each column</h3><p class="muted">${esc(s.method)} in ${esc(s.space)} space: starting from the average ${fmt(s.baseValue)}, each column moves ${esc(what)} by its bar (red up, blue down) to ${fmt(s.prediction)}.</p>${contributionsSvg(shapRows, `contribution to ${what}`)}
<h3>LIME: the local model's top features</h3><p class="muted">A weighted ridge on ${esc(r.lime.features.length)} binary conditions around this record (local fit R² ${fmt(r.lime.score)}; local prediction ${fmt(r.lime.localPrediction)} vs the model's ${fmt(r.lime.prediction)}).</p>${contributionsSvg(limeRows, r.lime.label !== null ? `weight on P(${r.lime.label})` : 'weight on the prediction')}
<h3>What to change</h3>${adviceHtml(r)}</section>`;
    })
    .join('\n');
}
