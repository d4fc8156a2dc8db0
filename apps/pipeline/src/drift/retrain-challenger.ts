import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ColumnTable } from 'arquero';
import { Bundle } from '@campaign-ml/bundle';
import { writeBundle } from '@campaign-ml/bundle/node';
import { AbortError, InputError } from '@campaign-ml/core';
import { trainTestSplit } from '@campaign-ml/ingest';
import { createTracker } from '@campaign-ml/tracking';
import { parseConfig, type PipelineConfig } from '../config';
import { classificationMetrics, regressionMetrics, type Metrics } from '../metrics';
import type { Progress } from '../progress';
import { splitValid } from '../row-validator';
import { scoringFor } from '../train/compare-families';
import { labelOf } from '../train/read-data';
import { trackRun } from '../train/track-run';
import { train } from '../train/train';
import { writeRun } from '../train/write-run';

export interface RetrainRequest {
  /** The current (published) model. */
  bundle: Bundle;
  bundlePath: string;
  /** Where a better challenger is written (atomically); usually bundlePath itself. */
  publish: string;
  /** The new rows, with the outcome column. */
  table: ColumnTable;
  /** The drift run's folder: the challenger's run folder goes under <out>/runs, tracking beside it. */
  out: string;
  /** Share of the labelled new rows held out for the comparison (0 < holdout < 1). */
  holdout: number;
  trackingUri?: string;
  /** Why the retrain ran (a tag of the tracked runs). */
  reason: string;
}

export interface RetrainOutcome {
  metric: string;
  greaterIsBetter: boolean;
  /** Held-out rows both models scored. */
  holdoutRows: number;
  trainRows: number;
  current: { id: string; metrics: Metrics };
  challenger: { id: string; metrics: Metrics; runDir: string };
  published: boolean;
  publishedTo?: string;
  trackedAt?: string;
  summary: string;
}

/**
 * `--on-drift retrain`: train a challenger with the bundle's own config
 * (bundle.document.provenance.config) on part of the new rows through the train command's flow,
 * score challenger and current model on the held-out rest (the same rows, the config's primary
 * metric), record both in tracking, and publish the challenger atomically only when it is
 * better. Publishing is the last step: an interrupted or failed run leaves the published bundle
 * as it was.
 */
export async function retrainChallenger(
  req: RetrainRequest,
  progress: Progress,
  signal?: AbortSignal,
): Promise<RetrainOutcome> {
  const doc = req.bundle.document;
  const stored = doc.provenance?.config;
  if (!stored || typeof stored !== 'object')
    throw new InputError(
      'NO_CONFIG',
      `bundle ${doc.id} keeps no training config (provenance.config): --on-drift retrain cannot train a challenger like it`,
      { column: 'provenance.config' },
    );
  if (!(req.holdout > 0 && req.holdout < 1))
    throw new InputError('INVALID_OPTION', `--holdout must be between 0 and 1, got ${req.holdout}`, {
      column: '--holdout',
      value: req.holdout,
    });
  const target = doc.target.column;
  const classes = req.bundle.classes;

  // The labelled new rows, split into a part to train on and a part to compare on.
  const raw = req.table.array(target) as ArrayLike<unknown>;
  const known: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (v === null || v === undefined || v === '') continue;
    if (classes ? classes.includes(labelOf(v)) : typeof v === 'number' && Number.isFinite(v)) known.push(i);
  }
  if (known.length < 20)
    throw new InputError(
      'TOO_FEW_ROWS',
      `only ${known.length} new rows carry a known "${target}"; a challenger needs at least 20`,
      { column: target, value: known.length, expected: 'at least 20 labelled rows' },
    );
  const labelled = req.table.reify(known as never);
  const cfg0 = parseConfig(stored as Record<string, unknown>, `bundle ${doc.id} provenance.config`);
  const split = trainTestSplit(labelled, {
    testSize: req.holdout,
    seed: cfg0.seed,
    ...(classes ? { stratify: target } : {}),
  });

  // The challenger: the train command's flow on the training part, written like any training run.
  const runs = path.join(req.out, 'runs');
  const staging = path.join(runs, `.retrain-data-${process.pid}`);
  await fs.mkdir(staging, { recursive: true });
  let runDir: string;
  let result: Awaited<ReturnType<typeof train>>;
  let cfg: PipelineConfig;
  try {
    const file = path.join(staging, 'train.csv');
    await fs.writeFile(file, split.train.toCSV());
    cfg = parseConfig(
      {
        ...(stored as Record<string, unknown>),
        data: file,
        out: runs,
        name: `${(stored as { name?: string }).name ?? 'model'}-challenger`,
        tracking: {
          ...((stored as { tracking?: object }).tracking ?? {}),
          enabled: true,
          ...(req.trackingUri ? { uri: req.trackingUri } : {}),
        },
      },
      `bundle ${doc.id} provenance.config`,
    );
    progress.stage('retrain: challenger');
    result = await train(cfg, progress, signal);
    runDir = await writeRun(result, cfg);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  const challenger = Bundle.fromJSON(result.bundle);

  // Both models on the same held-out rows.
  progress.stage('retrain: compare on held-out rows');
  const scoring = scoringFor(doc.task, cfg.tuning.metric);
  const features = split.test.select(split.test.columnNames().filter((c) => c !== target));
  const a = splitValid(features, req.bundle, 'unseen');
  const b = splitValid(features, challenger, 'unseen');
  const inB = new Set(b.good.rows);
  const common = Array.from(a.good.rows).filter((r) => inB.has(r));
  if (common.length < 5)
    throw new InputError(
      'TOO_FEW_ROWS',
      `only ${common.length} held-out rows fit both models' schemas; give more new rows or a larger --holdout`,
      { value: common.length },
    );
  const rowsOf = (rows: Int32Array) => {
    const at = new Map(Array.from(rows, (r, i) => [r, i]));
    return common.map((r) => at.get(r)!);
  };
  const yRaw = split.test.array(target) as ArrayLike<unknown>;
  const evaluate = (bundle: Bundle, good: { table: ColumnTable; rows: Int32Array }): Metrics => {
    const table = good.table.reify(rowsOf(good.rows) as never);
    const scores = bundle.scoreTable(table);
    const k = bundle.classes?.length ?? 0;
    if (!bundle.classes)
      return regressionMetrics(
        Float64Array.from(common, (r) => Number(yRaw[r])),
        scores,
      );
    const y = Float64Array.from(common, (r) => bundle.classes!.indexOf(labelOf(yRaw[r])));
    if (y.some((v) => v < 0))
      throw new InputError('UNKNOWN_LABEL', `a held-out label is not a class of bundle ${bundle.document.id}`, {
        column: target,
      });
    return classificationMetrics(y, scores, k, bundle.threshold ?? 0.5);
  };
  const currentMetrics = evaluate(req.bundle, a.good);
  const challengerMetrics = evaluate(challenger, b.good);
  const metric = scoring.primary;
  const cur = currentMetrics[metric];
  const ch = challengerMetrics[metric];
  const better = Number.isFinite(ch) && (!Number.isFinite(cur) || (scoring.greater ? ch > cur : ch < cur));

  // Tracking: the challenger's run as training tracks it, and the comparison with both models' scores.
  const trackedAt = await trackRun(result, cfg, runDir);
  await trackComparison(cfg, runDir, {
    reason: req.reason,
    current: doc.id,
    challenger: result.bundle.id,
    metric,
    better,
    currentMetrics,
    challengerMetrics,
    holdoutRows: common.length,
  });

  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError('interrupted');
  if (better) await writeBundle(req.publish, result.bundle);
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  const summary = better
    ? `Retrained: challenger ${result.bundle.id} ${metric} ${f(ch)} beats current ${f(cur)} on ${common.length} held-out rows; published to ${req.publish}`
    : `Retrained: challenger ${result.bundle.id} ${metric} ${f(ch)} does not beat current ${f(cur)} on ${common.length} held-out rows; ${req.publish} left as it is`;
  return {
    metric,
    greaterIsBetter: scoring.greater,
    holdoutRows: common.length,
    trainRows: split.train.numRows(),
    current: { id: doc.id, metrics: currentMetrics },
    challenger: { id: result.bundle.id, metrics: challengerMetrics, runDir },
    published: better,
    ...(better ? { publishedTo: req.publish } : {}),
    ...(trackedAt ? { trackedAt } : {}),
    summary,
  };
}

async function trackComparison(
  cfg: PipelineConfig,
  runDir: string,
  c: {
    reason: string;
    current: string;
    challenger: string;
    metric: string;
    better: boolean;
    currentMetrics: Metrics;
    challengerMetrics: Metrics;
    holdoutRows: number;
  },
): Promise<void> {
  const beside = path.join(path.dirname(path.resolve(cfg.out)), 'mlruns');
  const tracker = createTracker(cfg.tracking.uri ?? process.env.MLFLOW_TRACKING_URI ?? beside);
  const run = await tracker.startRun({
    experiment: cfg.tracking.experiment,
    runName: `${path.basename(runDir)}-vs-current`,
    tags: { kind: 'drift-retrain', decision: c.better ? 'published' : 'refused', reason: c.reason.slice(0, 250) },
  });
  try {
    await run.logParams({
      current: c.current,
      challenger: c.challenger,
      metric: c.metric,
      decision: c.better ? 'published' : 'refused',
      holdoutRows: c.holdoutRows,
    });
    const finite = (prefix: string, m: Metrics) =>
      Object.fromEntries(
        Object.entries(m)
          .filter(([, v]) => Number.isFinite(v))
          .map(([k, v]) => [`${prefix}${k}`, v]),
      );
    await run.logMetrics({
      ...finite('holdout_current_', c.currentMetrics),
      ...finite('holdout_challenger_', c.challengerMetrics),
    });
    await run.end('FINISHED');
  } catch (e) {
    await run.end('FAILED').catch(() => undefined);
    throw e;
  }
}
