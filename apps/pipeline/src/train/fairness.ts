import type { ColumnTable } from 'arquero';
import { ConfigError, type FittedModel, isClassifier } from '@campaign-ml/core';
import type { GroupThresholds } from '@campaign-ml/bundle';
import {
  ThresholdOptimizer,
  accuracy,
  applyBins,
  falsePositiveRate,
  fitBins,
  metricFrame,
  reweighing,
  selectionRate,
  truePositiveRate,
  type Bins,
} from '@campaign-ml/fairness';
import { positiveColumn } from '../metrics';
import type { Candidate, Candidates } from './ensemble';
import type { FairnessAudit, FairnessConfig, FairnessSummary } from './fairness-summary';
import type { TrainTestSplit } from './split';

/** The sensitive groups of the training and test rows (intersections when several columns). */
export interface SensitiveParts {
  columns: string[];
  train: Record<string, string[]>;
  test: Record<string, string[]>;
  /** Bins of the numeric columns, fitted on the training part. */
  bins: Record<string, Bins>;
}

/**
 * The sensitive columns of both parts as group labels: derived columns first (arquero
 * expressions), numeric ones binned by edges or by training-part quantiles, the others as text.
 */
export function sensitiveParts(f: FairnessConfig, split: Pick<TrainTestSplit, 'train' | 'test'>): SensitiveParts {
  const derive = (t: ColumnTable) =>
    Object.keys(f.derive).length === 0
      ? t
      : t.derive(Object.fromEntries(Object.entries(f.derive).map(([k, e]) => [k, e.includes('=>') ? e : `d => ${e}`])));
  const train = derive(split.train);
  const test = derive(split.test);
  const parts: SensitiveParts = { columns: f.sensitive, train: {}, test: {}, bins: {} };
  for (const column of f.sensitive) {
    const a = Array.from(train.array(column) as ArrayLike<unknown>);
    const b = Array.from(test.array(column) as ArrayLike<unknown>);
    const spec = f.bins[column];
    if (spec) {
      const numeric = (v: unknown[]) => v.map((x) => (typeof x === 'number' ? x : NaN));
      const bins = fitBins(numeric(a), spec, column);
      parts.bins[column] = bins;
      parts.train[column] = applyBins(numeric(a), bins, column);
      parts.test[column] = applyBins(numeric(b), bins, column);
    } else {
      const text = (v: unknown[], part: string) =>
        v.map((x, r) => {
          if (x === null || x === undefined || (typeof x === 'number' && Number.isNaN(x))) {
            throw new ConfigError(
              'MISSING_SENSITIVE_VALUE',
              `fairness.sensitive: "${column}" is missing in row ${r} of the ${part} part; fill it or give fairness.bins for a number`,
              { row: r, column },
            );
          }
          return x instanceof Date ? x.toISOString() : String(x);
        });
      parts.train[column] = text(a, 'training');
      parts.test[column] = text(b, 'test');
    }
  }
  return parts;
}

/** Reweighing's weights of the training rows, or undefined without that mitigation. */
export function fairnessWeights(
  f: FairnessConfig,
  yTrain: Float64Array,
  parts: SensitiveParts,
): Float64Array | undefined {
  return f.mitigation === 'reweighing' ? reweighing(yTrain, parts.train).weights : undefined;
}

/** The audit of 0/1 predictions by group; the groups of one binned column in bin order, else sorted. */
export function audit(
  yTrue: Float64Array,
  yPred: ArrayLike<number>,
  groups: Record<string, string[]>,
  samples: number,
  seed: number,
  order?: readonly string[],
): FairnessAudit {
  const mf = metricFrame({
    metrics: { selectionRate, truePositiveRate, falsePositiveRate, accuracy },
    yTrue,
    yPred,
    sensitive: groups,
    bootstrap: samples > 0 ? { samples, seed } : undefined,
  });
  const nan = (v: number) => (Number.isNaN(v) ? null : v);
  const tpr = mf.difference('truePositiveRate');
  const fpr = mf.difference('falsePositiveRate');
  const iv = mf.intervals;
  return {
    demographicParityDifference: mf.difference('selectionRate'),
    demographicParityRatio: mf.ratio('selectionRate'),
    equalizedOddsDifference: Number.isNaN(tpr) ? fpr : Number.isNaN(fpr) ? tpr : Math.max(tpr, fpr),
    equalOpportunityDifference: tpr,
    accuracy: mf.overall.accuracy,
    selectionRate: mf.overall.selectionRate,
    ...(iv
      ? {
          intervals: {
            demographicParityDifference: iv.difference.selectionRate,
            truePositiveRateDifference: iv.difference.truePositiveRate,
            falsePositiveRateDifference: iv.difference.falsePositiveRate,
          },
        }
      : {}),
    byGroup: [...mf.groups]
      .sort((a, b) => (order ? order.indexOf(a.name) - order.indexOf(b.name) : 0))
      .map((g) => ({
        group: g.name,
        rows: g.rows,
        positives: g.positives,
        selectionRate: mf.byGroup[g.name].selectionRate,
        truePositiveRate: nan(mf.byGroup[g.name].truePositiveRate),
        falsePositiveRate: nan(mf.byGroup[g.name].falsePositiveRate),
        accuracy: mf.byGroup[g.name].accuracy,
        ...(iv ? { selectionRateInterval: iv.byGroup[g.name].selectionRate } : {}),
      })),
    warnings: mf.warnings,
  };
}

export interface FairnessStage {
  f: FairnessConfig;
  parts: SensitiveParts;
  split: TrainTestSplit;
  best: string;
  chosen: Candidate;
  candidates: Candidates;
  /** Test-part probabilities of the chosen model (rows × 2). */
  testProba: Float64Array;
  threshold: number;
  seed: number;
}

/**
 * The fairness stage: the audit of the chosen model on the test part, before and after the
 * mitigation. Reweighing's "before" is the same model refitted without weights; threshold
 * mitigation fits per-group thresholds on the out-of-fold predictions of the training part.
 */
export async function fairnessStage(
  s: FairnessStage,
): Promise<{ summary: FairnessSummary; groupThresholds?: GroupThresholds }> {
  const { f, parts, split, seed } = s;
  const { yTrain, yTest } = split;
  const cut = (p: Float64Array) => Int32Array.from(positiveColumn(p), (v) => (v >= s.threshold ? 1 : 0));
  const current = cut(s.testProba);
  let beforePred: Int32Array = current;
  let afterPred: Int32Array = current;
  let groupThresholds: GroupThresholds | undefined;
  let thresholds: Record<string, number> | undefined;
  if (f.mitigation === 'reweighing') {
    const plain: FittedModel = s.chosen.create().fit(s.chosen.X, yTrain);
    if (isClassifier(plain)) beforePred = cut(plain.predictProba(s.chosen.Xtest));
  } else if (f.mitigation === 'thresholds') {
    const oof = s.best === 'ensemble' ? s.candidates.byName.get(s.best)!.oof! : await s.candidates.outOfFold(s.best);
    if (oof.task !== 'classification') throw new Error('internal: thresholds need class probabilities');
    const column = f.sensitive[0];
    const fitted = new ThresholdOptimizer({
      constraint: f.constraint,
      objective: f.objective,
      tolerance: f.tolerance,
    }).fit(positiveColumn(oof.proba), yTrain, { sensitive: parts.train[column] });
    thresholds = fitted.thresholds;
    afterPred = fitted.predict(positiveColumn(s.testProba), parts.test[column]);
    groupThresholds = { column, ...(parts.bins[column] ? { bins: parts.bins[column] } : {}), thresholds };
  }
  const order = parts.columns.length === 1 ? parts.bins[parts.columns[0]]?.labels : undefined;
  const before = audit(yTest, beforePred, parts.test, f.bootstrap, seed, order);
  const after = afterPred === beforePred ? before : audit(yTest, afterPred, parts.test, f.bootstrap, seed, order);
  const summary: FairnessSummary = {
    sensitive: f.sensitive,
    mitigation: f.mitigation,
    constraint: f.constraint,
    objective: f.objective,
    ...(Object.keys(parts.bins).length ? { bins: parts.bins } : {}),
    before,
    after,
    accuracyCost: after.accuracy - before.accuracy,
    ...(thresholds ? { thresholds } : {}),
  };
  return { summary, groupThresholds };
}
