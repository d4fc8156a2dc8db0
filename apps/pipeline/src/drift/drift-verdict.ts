import type { DriftReport } from '@campaign-ml/drift';

/**
 * Whether a report counts as drift for the exit code, the alert and the retrain trigger: the
 * dataset drifted, or any input column or the prediction drifted, or a metric estimated without
 * labels (CBPE) left its reference bounds, over all rows. One drifted column
 * is enough: a monitor that waits for half the columns misses the shift of the one column that
 * matters. Windows are reported (drift.json, drift.html) but do not set the verdict: small windows
 * under fixed thresholds flag sampling noise (use --learned-thresholds to read them).
 */
export function hasDrift(report: DriftReport): boolean {
  return driftedNames(report).length > 0 || report.dataset.drifted;
}

/** Names of what drifted over all rows, most important first ("prediction" and the target included). */
export function driftedNames(report: DriftReport): string[] {
  const names = report.columns.filter((c) => c.drifted).map((c) => c.column);
  if (report.prediction?.drifted) names.push('prediction');
  if (report.target?.drift?.drifted) names.push(report.target.column);
  const p = report.performance;
  // CBPE over all rows, when trusted (status 'estimated': the calibration check passed or could not run
  // and then there are no bounds): an estimated metric outside its reference bounds.
  if (p && p.status === 'estimated') for (const m of p.overall.alerts) names.push(`estimated ${m}`);
  return names;
}
