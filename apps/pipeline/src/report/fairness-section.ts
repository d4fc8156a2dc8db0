import { fmt } from '../format';
import type { FairnessAudit, FairnessSummary } from '../train/fairness-summary';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : fmt(v));
const interval = (i?: [number, number]) => (i ? ` <span class="muted">[${num(i[0])}, ${num(i[1])}]</span>` : '');

function groupTable(a: FairnessAudit): string {
  const head = ['group', 'rows', 'positives', 'selection rate', 'TPR', 'FPR', 'accuracy'];
  const rows = a.byGroup.map(
    (g) =>
      `<tr><td class="t">${esc(g.group)}</td><td>${g.rows}</td><td>${g.positives}</td><td>${num(g.selectionRate)}${interval(
        g.selectionRateInterval,
      )}</td><td>${num(g.truePositiveRate)}</td><td>${num(g.falsePositiveRate)}</td><td>${num(g.accuracy)}</td></tr>`,
  );
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * The report's fairness section: the by-group table on the test part, the gaps with their
 * bootstrap intervals, and before/after mitigation with the accuracy cost beside it.
 */
export function fairnessSection(f: FairnessSummary | undefined): string {
  if (!f) return '';
  const mitigated = f.mitigation !== 'none';
  const gapRow = (label: string, a: FairnessAudit) =>
    `<tr><td class="t">${label}</td><td>${num(a.demographicParityDifference)}${interval(
      a.intervals?.demographicParityDifference,
    )}</td><td>${num(a.demographicParityRatio)}</td><td>${num(a.equalizedOddsDifference)}</td><td>${num(
      a.equalOpportunityDifference,
    )}</td><td>${num(a.accuracy)}</td><td>${num(a.selectionRate)}</td></tr>`;
  const gaps = `<table><thead><tr><th>test part</th><th>demographic parity difference</th><th>DP ratio</th><th>equalized odds difference</th><th>equal opportunity difference</th><th>accuracy</th><th>selection rate</th></tr></thead><tbody>${gapRow(
    mitigated ? 'before mitigation' : 'model',
    f.before,
  )}${mitigated ? gapRow(`after ${esc(f.mitigation)}`, f.after) : ''}</tbody></table>`;
  const cost = mitigated
    ? `<div class="kpis"><div class="kpi"><span class="muted">DP difference before → after</span><b>${num(
        f.before.demographicParityDifference,
      )} → ${num(f.after.demographicParityDifference)}</b></div><div class="kpi"><span class="muted">accuracy cost</span><b>${num(
        f.accuracyCost,
      )}</b></div></div>`
    : '';
  const thresholds = f.thresholds
    ? `<p>Per-group thresholds (${esc(f.constraint)}, maximizing ${esc(f.objective)} on out-of-fold predictions; stored in the bundle): ${Object.entries(
        f.thresholds,
      )
        .map(([g, t]) => `<code>${esc(g)}</code> ${num(t)}`)
        .join(', ')}.</p>`
    : '';
  const warnings = [...new Set([...f.before.warnings, ...f.after.warnings])];
  return `<section><h2>Fairness by ${esc(f.sensitive.join(' × '))}</h2>${cost}${gaps}
<p class="muted">Gaps are max − min over groups on the test part; intervals are 95% bootstrap intervals resampling within each group. Rates with an empty denominator are — (NaN), never 0.</p>
<h3>By group${mitigated ? ', before mitigation' : ''}</h3>${groupTable(f.before)}
${mitigated ? `<h3>By group, after ${esc(f.mitigation)}</h3>${groupTable(f.after)}` : ''}${thresholds}
${warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join('')}</section>`;
}
