import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@campaign-ml/core';
import { readBundle } from '@campaign-ml/bundle/node';
import { headline } from '../format';
import { describeInput, readInput, resolveInput, type InputOptions } from '../input';
import { classificationCurves, classificationMetrics, regressionMetrics } from '../metrics';
import { Progress } from '../progress';
import { renderReport } from '../report/report';
import { explainSettings } from '../explain/explain-config';
import { explainSections } from '../explain/explain-sections';
import { splitValid } from '../row-validator';
import { inputColumnImportance } from '../train/importance';
import { labelOf } from '../train/read-data';
import type { MetricsDocument, ReportData } from '../train/train-result';

/**
 * Re-evaluate a bundle on labelled data (new campaigns whose outcome is now known): the same
 * metrics and report as training, for the bundle's model as it is. Rows whose label is not one of
 * the bundle's classes, or that fail the schema, are counted and left out.
 */
export async function evaluateBundle(
  opts: InputOptions & { bundle: string; out: string },
  progress: Progress,
): Promise<{ dir: string; metrics: MetricsDocument }> {
  const { metrics, report } = await evaluation(opts, progress);
  await fs.mkdir(opts.out, { recursive: true });
  await fs.writeFile(path.join(opts.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await fs.writeFile(path.join(opts.out, 'report.html'), await renderReport(report));
  return { dir: opts.out, metrics };
}

/** evaluateBundle's metrics.json and report data, before anything is written. */
export async function evaluation(
  opts: InputOptions & { bundle: string },
  progress: Progress,
): Promise<{ metrics: MetricsDocument; report: ReportData }> {
  const input = resolveInput(opts);
  const source = describeInput(input);
  progress.stage('load bundle + data');
  const bundle = await readBundle(opts.bundle);
  const target = bundle.document.target.column;
  const raw = await readInput(input);
  if (!raw.columnNames().includes(target)) {
    throw new InputError(
      'MISSING_TARGET',
      `the data has no "${target}" column, which this bundle predicts; evaluation needs the known outcomes`,
      { column: target },
    );
  }
  const doc = bundle.document;
  const classes = bundle.classes;
  const labels = raw.array(target) as ArrayLike<unknown>;
  const keep: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v !== null && v !== undefined && (!classes || classes.includes(labelOf(v)))) keep.push(i);
  }
  const table = raw.reify(keep as never);
  const { good, rejects } = splitValid(table.select(table.columnNames().filter((c) => c !== target)), bundle, 'unseen');
  const yAll = table.array(target) as ArrayLike<unknown>;
  const y = Float64Array.from(good.rows, (r) => (classes ? classes.indexOf(labelOf(yAll[r])) : Number(yAll[r])));
  progress.stage('score + metrics');
  const scores = bundle.scoreTable(good.table);
  const k = classes?.length ?? 0;
  const threshold = bundle.threshold ?? 0.5;
  const test = classes ? classificationMetrics(y, scores, k, threshold) : regressionMetrics(y, scores);
  const curves = classes ? classificationCurves(y, scores, k, threshold) : undefined;
  progress.stage('importance');
  const importance = inputColumnImportance(bundle.model, bundle.features, good.table, y, {
    task: doc.task,
    seed: 0,
    maxRows: 2000,
  });
  // The training report's explanation sections, on these rows: the top 5 columns' PDP panels and
  // target-group sentences (on 500 rows), ranked by the importance just computed, labelled by the
  // training config's explain.describe.
  progress.stage('explain');
  const explain = explainSections(bundle, good.table, {
    topK: 5,
    maxRows: 500,
    seed: 0,
    y,
    importance: importance.result,
    labels: explainSettings(doc.provenance?.config).describe,
  });
  progress.end();
  const cv = { metric: String(doc.metrics.primaryMetric ?? ''), mean: NaN, std: NaN, folds: [] };
  const metrics: MetricsDocument = {
    task: doc.task,
    target,
    classes,
    positiveClass: doc.target.positiveClass,
    primaryMetric: cv.metric || (classes ? 'rocAuc' : 'rmse'),
    best: { model: doc.model.name, params: {}, threshold: bundle.threshold, cv, test },
    models: [],
    leakage: [],
    data: {
      source,
      rows: good.table.numRows(),
      trainRows: 0,
      testRows: good.table.numRows(),
      sha256: doc.provenance.dataSha256,
      droppedMissingTarget: raw.numRows() - keep.length,
      droppedExcludedLabels: rejects.length,
    },
    features: { count: bundle.features.featureNamesOut.length, names: [...bundle.features.featureNamesOut] },
    stageTimesMs: Object.fromEntries(progress.times.map((t) => [t.stage, Math.round(t.ms)])),
  };
  const report: ReportData = {
    title: `evaluation of ${doc.id} on ${input.kind === 'file' ? path.basename(input.path) : source}`,
    schema: doc.schema,
    metrics,
    curves: curves ? [{ model: doc.model.name, roc: curves.roc, pr: curves.pr, calibration: curves.calibration }] : [],
    confusion: classes && curves ? { labels: classes, matrix: curves.confusion } : undefined,
    importance: importance.values,
    importanceKind: importance.kind,
    explain,
    learningCurve: [],
    foldSpread: [],
    warnings: rejects.length
      ? [
          `${rejects.length} rows failed the bundle's schema and were not scored (first: row ${rejects[0].row}: ${rejects[0].reasons[0]})`,
        ]
      : [],
  };
  return { metrics, report };
}

/** The `evaluate` command's flags (see main.ts). */
export interface EvaluateFlags extends InputOptions {
  bundle: string;
  out: string;
  quiet?: boolean;
}

/** `campaign-ml evaluate`: re-evaluate the bundle, then print the headline metrics and where the report is. */
export async function runEvaluate(o: EvaluateFlags): Promise<void> {
  const { dir, metrics } = await evaluateBundle(o, Progress.forStream(process.stderr, Boolean(o.quiet)));
  console.log(`${metrics.data.rows} labelled rows: ${headline(metrics.best.test)}. Report in ${dir}/report.html`);
}
