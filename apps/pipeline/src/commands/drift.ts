import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ColumnTable } from 'arquero';
import { readBundle, writeFileAtomic } from '@campaign-ml/bundle/node';
import { ConfigError, InputError } from '@campaign-ml/core';
import { driftHtml, driftReport, PERFORMANCE_METRICS, type DriftOptions, type DriftReport } from '@campaign-ml/drift';
import { readTable } from '@campaign-ml/ingest';
import { postDriftAlert } from '../drift/drift-alert';
import { driftedNames, hasDrift } from '../drift/drift-verdict';
import { retrainChallenger, type RetrainOutcome } from '../drift/retrain-challenger';
import { describeInput, readInput, resolveInput, type InputOptions } from '../input';
import { Progress } from '../progress';
import { withInterrupt } from './with-interrupt';

/** Exit codes of `pipeline drift` (cron and CI read them). */
export const DRIFT_EXIT = { none: 0, drift: 3 } as const;

export interface DriftFlags extends InputOptions {
  bundle: string;
  out: string;
  mode?: 'robust' | 'evidently';
  /** Reference rows (the training table): needed by --mode evidently. */
  reference?: string;
  /** Labelled rows held out from training (the test part): CBPE's calibration check and bounds. Default: --reference if labelled. */
  performanceReference?: string;
  /** false (--no-performance): no performance estimate (CBPE). */
  performance?: boolean;
  windowRows?: number;
  windowPeriod?: 'day' | 'week' | 'month' | 'quarter' | 'year';
  timeColumn?: string;
  /** false (--no-prediction): compare the input columns only, without scoring the rows. */
  prediction?: boolean;
  /** Per-window thresholds learned from --reference windows (mean + 3 sd). */
  learnedThresholds?: boolean;
  alertWebhook?: string;
  onDrift?: 'retrain';
  /** Where a better challenger is published (default: over --bundle). */
  publish?: string;
  /** Share of the new labelled rows held out to compare challenger and current model (default 0.3). */
  holdout?: number;
  /** Tracking store for the retrain runs (default: the config's, or MLFLOW_TRACKING_URI, or mlruns beside --out). */
  trackingUri?: string;
  quiet?: boolean;
}

export interface DriftOutcome {
  report: DriftReport;
  /** 0: no drift, 3: drift. */
  code: number;
  dir: string;
  alerted?: boolean;
  /** Why the alert could not be posted. */
  alertError?: string;
  retrain?: RetrainOutcome;
}

/** The window flags as driftReport's option, or a ConfigError naming the flag. */
function windowOf(f: DriftFlags, table: ColumnTable): DriftOptions['window'] {
  if (f.windowRows !== undefined && f.windowPeriod !== undefined)
    throw new ConfigError('INVALID_OPTION', 'give either --window-rows or --window-period, not both', {
      column: '--window-rows',
    });
  if (f.windowRows !== undefined) {
    if (!(f.windowRows >= 1))
      throw new ConfigError('INVALID_OPTION', `--window-rows must be a positive integer, got ${f.windowRows}`, {
        column: '--window-rows',
        value: f.windowRows,
      });
    return { rows: f.windowRows };
  }
  if (f.windowPeriod !== undefined) {
    if (!f.timeColumn)
      throw new ConfigError('INVALID_OPTION', '--window-period needs --time-column <column> (the time of each row)', {
        column: '--time-column',
      });
    if (!table.columnNames().includes(f.timeColumn))
      throw new InputError('UNKNOWN_COLUMN', `--time-column "${f.timeColumn}" is not a column of the data`, {
        column: f.timeColumn,
        expected: `one of ${table.columnNames().slice(0, 12).join(', ')}`,
      });
    return { column: f.timeColumn, period: f.windowPeriod };
  }
  if (f.timeColumn)
    throw new ConfigError('INVALID_OPTION', '--time-column is used by --window-period day|week|month', {
      column: '--time-column',
    });
  return undefined;
}

/**
 * Compare the data with the bundle's reference, write drift.json and drift.html into `out`, post
 * an alert when it drifted (--alert-webhook), and retrain on drift (--on-drift retrain).
 */
export async function driftCommand(f: DriftFlags, progress: Progress, signal?: AbortSignal): Promise<DriftOutcome> {
  const input = resolveInput(f);
  const mode = f.mode ?? 'robust';
  if (mode === 'evidently' && !f.reference)
    throw new ConfigError(
      'INVALID_OPTION',
      '--mode evidently compares raw values: give the training rows with --reference <file>',
      { column: '--reference' },
    );
  if (f.learnedThresholds && f.windowRows === undefined && f.windowPeriod === undefined)
    throw new ConfigError(
      'INVALID_OPTION',
      '--learned-thresholds are learned per window: give --window-rows or --window-period',
      {
        column: '--learned-thresholds',
      },
    );
  if (f.learnedThresholds && !f.reference)
    throw new ConfigError(
      'INVALID_OPTION',
      '--learned-thresholds learn from reference windows: give --reference <file>',
      {
        column: '--reference',
      },
    );
  progress.stage('load bundle + data');
  const bundle = await readBundle(f.bundle);
  const doc = bundle.document;
  const table = await readInput(input);
  checkInputColumns(table, bundle.features.inputColumns, doc.id);
  if (f.onDrift === 'retrain' && !table.columnNames().includes(doc.target.column))
    throw new InputError(
      'MISSING_TARGET',
      `--on-drift retrain trains on the new rows: the data needs the outcome column "${doc.target.column}"`,
      { column: doc.target.column },
    );
  const reference = f.reference ? await readTable(f.reference) : undefined;
  const performanceReference = f.performanceReference ? await readTable(f.performanceReference) : undefined;
  if (performanceReference && !performanceReference.columnNames().includes(doc.target.column))
    throw new InputError(
      'MISSING_TARGET',
      `--performance-reference gives CBPE the realised metrics: its rows need the outcome column "${doc.target.column}"`,
      { column: doc.target.column },
    );
  const window = windowOf(f, table);

  progress.stage('compare with the reference');
  const importance = importanceOf(doc.metrics);
  const report = driftReport(bundle, table, {
    mode,
    ...(importance ? { importance } : {}),
    ...(reference ? { reference } : {}),
    ...(window ? { window } : {}),
    ...(f.learnedThresholds ? { thresholds: 'learned' as const } : {}),
    ...(f.prediction === false ? { predictions: false as const } : {}),
    ...(f.performance === false
      ? { performance: false as const }
      : performanceReference
        ? { performance: { reference: performanceReference } }
        : {}),
  });
  const drifted = hasDrift(report);
  const title = `Drift of ${describeInput(input)} against bundle ${doc.id}`;
  await fs.mkdir(f.out, { recursive: true });
  await writeFileAtomic(path.join(f.out, 'drift.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(path.join(f.out, 'drift.html'), driftHtml(report, { title }));
  const outcome: DriftOutcome = { report, code: drifted ? DRIFT_EXIT.drift : DRIFT_EXIT.none, dir: f.out };

  if (drifted && f.alertWebhook) {
    progress.stage('alert');
    // A webhook that fails does not hide the drift: the exit code stays 3, the failure is reported.
    try {
      await postDriftAlert(f.alertWebhook, report, {
        source: describeInput(input),
        html: path.resolve(f.out, 'drift.html'),
      });
      outcome.alerted = true;
    } catch (e) {
      outcome.alerted = false;
      outcome.alertError = (e as Error).message;
    }
  }
  if (drifted && f.onDrift === 'retrain') {
    outcome.retrain = await retrainChallenger(
      {
        bundle,
        bundlePath: f.bundle,
        publish: f.publish ?? f.bundle,
        table,
        out: f.out,
        holdout: f.holdout ?? 0.3,
        trackingUri: f.trackingUri,
        reason: `drift: ${driftedNames(report).join(', ')}`,
      },
      progress,
      signal,
    );
  }
  progress.end();
  return outcome;
}

/** Bad input before any statistics: the data must hold every column the bundle's features read. */
function checkInputColumns(table: ColumnTable, inputs: readonly string[], id: string): void {
  const names = new Set(table.columnNames());
  const missing = inputs.filter((c) => !names.has(c));
  if (missing.length === 0) return;
  throw new InputError(
    'MISSING_COLUMNS',
    `the data has no ${missing.map((m) => `"${m}"`).join(', ')} column${missing.length > 1 ? 's' : ''}, which bundle ${id} takes as input`,
    { column: missing[0], expected: inputs.join(', ') },
  );
}

/** `campaign-ml drift`: returns the exit code (0 no drift, 3 drift); errors give 2 through main. */
export async function runDrift(f: DriftFlags): Promise<number> {
  const progress = Progress.forStream(process.stderr, Boolean(f.quiet));
  return withInterrupt('the published bundle is left as it is', async (signal) => {
    const o = await driftCommand(f, progress, signal);
    const r = o.report;
    const d = r.dataset;
    const names = driftedNames(r);
    console.log(
      `${r.rows.compared} of ${r.rows.input} rows compared (${r.mode}); ${d.driftedColumns} of ${d.columns} columns drifted` +
        (names.length ? `: ${names.join(', ')}` : '') +
        (d.drifted ? ' — dataset drift' : ''),
    );
    for (const c of r.columns.filter((x) => x.unseen?.values?.length))
      console.log(
        `  new values in "${c.column}": ${c.unseen!.values!.map((v) => `${v.value} (${v.count})`).join(', ')}`,
      );
    const perf = performanceLine(r);
    if (perf) console.log(perf);
    if (o.alerted) console.log(`Alert posted to the webhook.`);
    if (o.alertError) process.stderr.write(`Warning: the alert was not sent: ${o.alertError}\n`);
    if (o.retrain) console.log(o.retrain.summary);
    console.log(`Report in ${o.dir}/drift.html and ${o.dir}/drift.json`);
    return o.code;
  });
}

/** The permutation importance per input column that training keeps in the bundle's metrics, if any. */
function importanceOf(metrics: Record<string, unknown>): Record<string, number> | undefined {
  const imp = metrics.importance;
  if (!imp || typeof imp !== 'object' || Array.isArray(imp)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(imp)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** One line on the performance estimate (CBPE): the estimates and their bounds, or why they are not trusted or not there. */
export function performanceLine(r: DriftReport): string | undefined {
  const p = r.performance;
  if (!p) return undefined;
  if (p.status === 'not estimated') return `Performance not estimated: ${p.reason}.`;
  const f = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : 'n/a');
  const o = p.overall;
  const values = PERFORMANCE_METRICS.map((m) => {
    const b = o.bounds?.[m];
    const real = o.realised ? ` (realised ${f(o.realised[m])})` : '';
    return `${m} ${f(o.estimated[m])}${b ? ` [${f(b.lower)}, ${f(b.upper)}]` : ''}${real}`;
  }).join(', ');
  if (p.status === 'miscalibrated')
    return `Estimated performance (CBPE) not trusted: the model is not calibrated enough on the labelled reference (${(p.calibration.failed ?? []).join(', ')}); ${values}`;
  const how = p.calibration.checked ? '' : ' (calibration not checked: no labelled reference; no bounds)';
  return `Estimated performance (CBPE)${how}: ${values}${o.alerts.length ? ` — outside the bounds: ${o.alerts.join(', ')}` : ''}`;
}
