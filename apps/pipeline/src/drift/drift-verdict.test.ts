import type { DriftReport, PerformanceEstimate } from '@campaign-ml/drift';
import { driftAlertMessage } from './drift-alert';
import { driftedNames, hasDrift } from './drift-verdict';

const metrics = (v: number) => ({ accuracy: v, precision: v, recall: v, f1Score: v, rocAuc: v });

/** A report where nothing drifted but the performance estimate, in the given state. */
function report(status: PerformanceEstimate['status'], alerts: PerformanceEstimate['overall']['alerts']): DriftReport {
  const bounds = Object.fromEntries(Object.keys(metrics(0)).map((m) => [m, { lower: 0.75, upper: 0.85 }]));
  const performance: PerformanceEstimate = {
    method: 'cbpe',
    status,
    threshold: 0.5,
    calibration: { checked: true, calibrated: status === 'estimated', rule: '' },
    overall: {
      label: 'all rows',
      rows: 1000,
      confusion: { tp: 0, fp: 0, fn: 0, tn: 0 },
      estimated: metrics(0.6),
      bounds: bounds as PerformanceEstimate['overall']['bounds'],
      alerts,
    },
    alert: alerts.length > 0,
    warnings: [],
  };
  return {
    format: 'campaign-ml/drift',
    version: 1,
    mode: 'robust',
    bundle: { id: 'b', task: 'binary', createdAt: '2026-01-01' },
    rows: { input: 1000, compared: 1000, rejected: 0, reference: 1000 },
    problems: [],
    dataset: { drifted: false, driftedColumns: 0, columns: 3, share: 0, driftShare: 0.5 },
    columns: [],
    performance,
    thresholds: { mode: 'robust' },
  };
}

describe('the drift verdict and the estimated performance (CBPE)', () => {
  it('counts an estimated metric outside its bounds as drift, named in the alert', () => {
    const r = report('estimated', ['recall', 'f1Score']);
    expect(hasDrift(r)).toBe(true);
    expect(driftedNames(r)).toEqual(['estimated recall', 'estimated f1Score']);
    const msg = driftAlertMessage(r, { source: 'new.csv' });
    expect(msg.text).toContain('estimated recall');
    expect(msg.blocks[1].text!.text).toContain('*estimated recall*: 0.6 outside 0.75–0.85 (CBPE)');
  });

  it('does not count estimates within bounds, nor those of a model that failed the calibration check', () => {
    expect(hasDrift(report('estimated', []))).toBe(false);
    // estimatePerformance raises no alert when miscalibrated; even if a report said so, it is not trusted.
    expect(hasDrift(report('miscalibrated', ['recall']))).toBe(false);
  });
});
