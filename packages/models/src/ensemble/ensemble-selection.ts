import { ConfigError, InputError } from '@campaign-ml/core';
import { labelsFromProba, type CvPredictions } from '../cv/predictions';
import { resolveScorer, type CustomScorer, type MetricName } from '../cv/scorers';

export interface EnsembleSelectionOptions {
  /** Most greedy steps (members are drawn with replacement; weights are draw counts / steps taken); it stops early when no draw improves the metric. Default 25. */
  rounds?: number;
  /** Binary: threshold on P(class 1) for label metrics (f1, accuracy, ...). Default 0.5. */
  threshold?: number;
}

export interface EnsembleSelection {
  /** One weight per candidate, summing to 1 (0 for candidates never drawn). */
  weights: number[];
  /** The metric of the weighted blend on the given rows. */
  score: number;
  /** The metric after each of the `rounds` greedy draws (the first is the best single candidate). */
  trace: number[];
  /** Draws kept: the shortest prefix of the trace that reaches its best score. */
  size: number;
}

/**
 * Caruana et al.'s ensemble selection (ICML 2004), as AutoGluon and auto-sklearn (use_best) run it:
 * start from the best single candidate, then `rounds` times add (with replacement) the candidate
 * whose inclusion gives the best metric of the averaged predictions, even when it does not improve
 * it (a later draw may), and keep the shortest prefix of draws that reaches the best score of the
 * whole trajectory. `predictions` are out-of-fold predictions of
 * each candidate on the same rows (crossValPredict), so the weights are learned on rows no member
 * saw in fitting. Ties go to the earlier candidate; the result is deterministic.
 */
export function ensembleSelection(
  predictions: readonly CvPredictions[],
  y: ArrayLike<number>,
  metric: MetricName | CustomScorer,
  options: EnsembleSelectionOptions = {},
): EnsembleSelection {
  const scorer = resolveScorer(metric);
  const rounds = options.rounds ?? 25;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new ConfigError('INVALID_OPTION', `ensembleSelection: rounds must be a positive integer, got ${rounds}`, {
      value: rounds,
      expected: 'an integer >= 1',
    });
  }
  const threshold = options.threshold ?? 0.5;
  const shape = checkCandidates(predictions, y.length);
  const yTrue = Float64Array.from(y);
  const m = predictions.length;
  const width = values(predictions[0]).length;
  const sum = new Float64Array(width);
  const trial = new Float64Array(width);
  const counts = new Array<number>(m).fill(0);
  const better = (a: number, b: number) => (scorer.greaterIsBetter ? a > b : a < b);
  const trace: number[] = [];
  const picks: number[] = [];
  for (let step = 0; step < rounds; step++) {
    let pick = -1;
    let pickScore = NaN;
    for (let c = 0; c < m; c++) {
      const v = values(predictions[c]);
      for (let i = 0; i < width; i++) trial[i] = (sum[i] + v[i]) / (step + 1);
      const s = scorer.score(yTrue, shape(trial, threshold));
      if (pick < 0 || better(s, pickScore)) {
        pick = c;
        pickScore = s;
      }
    }
    const v = values(predictions[pick]);
    for (let i = 0; i < width; i++) sum[i] += v[i];
    picks.push(pick);
    trace.push(pickScore);
  }
  // The first draw that reaches the best score: later ties only repeat it with more draws.
  let size = 1;
  for (let k = 1; k < trace.length; k++) if (better(trace[k], trace[size - 1])) size = k + 1;
  for (let k = 0; k < size; k++) counts[picks[k]]++;
  return { weights: counts.map((c) => c / size), score: trace[size - 1], trace, size };
}

/**
 * An honest cross-validated score for ensemble selection: for each fold, the weights are chosen on
 * the out-of-fold predictions of the other folds' rows and scored on this fold's rows. (Choosing
 * weights and scoring on the same rows would flatter the ensemble against its members.)
 */
export function crossValidateEnsembleSelection(
  predictions: readonly CvPredictions[],
  y: ArrayLike<number>,
  fold: ArrayLike<number>,
  metric: MetricName | CustomScorer,
  options: EnsembleSelectionOptions = {},
): number[] {
  if (fold.length !== y.length) {
    throw new InputError(
      'LENGTH_MISMATCH',
      `crossValidateEnsembleSelection: ${fold.length} fold ids for ${y.length} labels`,
      { value: fold.length, expected: `${y.length}` },
    );
  }
  const scorer = resolveScorer(metric);
  const threshold = options.threshold ?? 0.5;
  const shape = checkCandidates(predictions, y.length);
  const nFolds = Math.max(...Array.from(fold)) + 1;
  const scores: number[] = [];
  for (let f = 0; f < nFolds; f++) {
    const inner: number[] = [];
    const outer: number[] = [];
    for (let r = 0; r < fold.length; r++) (fold[r] === f ? outer : inner).push(r);
    if (outer.length === 0) continue;
    const { weights } = ensembleSelection(
      predictions.map((p) => takeRows(p, inner)),
      inner.map((r) => y[r]),
      metric,
      options,
    );
    const parts = predictions.map((p) => values(takeRows(p, outer)));
    const blend = new Float64Array(parts[0].length);
    weights.forEach((w, c) => {
      if (w > 0) for (let i = 0; i < blend.length; i++) blend[i] += w * parts[c][i];
    });
    scores.push(
      scorer.score(
        Float64Array.from(outer, (r) => y[r]),
        shape(blend, threshold),
      ),
    );
  }
  return scores;
}

function values(p: CvPredictions): Float64Array {
  return p.task === 'classification' ? p.proba : p.values;
}

/** Checks the candidates agree in kind and size; returns how to wrap blended values as predictions. */
function checkCandidates(
  predictions: readonly CvPredictions[],
  rows: number,
): (v: Float64Array, threshold: number) => CvPredictions {
  if (predictions.length === 0)
    throw new ConfigError('INVALID_OPTION', 'ensembleSelection: no candidates', {
      value: 0,
      expected: 'at least one candidate',
    });
  const first = predictions[0];
  const classes = first.task === 'classification' ? first.classes : 1;
  predictions.forEach((p, c) => {
    const k = p.task === 'classification' ? p.classes : 1;
    if (p.task !== first.task || k !== classes || values(p).length !== rows * classes) {
      throw new InputError(
        'CANDIDATE_MISMATCH',
        `ensembleSelection: candidate ${c} has ${values(p).length / k} rows of ${p.task} with ${k} outputs; candidate 0 has ${rows} rows of ${first.task} with ${classes}`,
        {
          value: c,
          expected: `${rows} rows of ${first.task} predictions`,
        },
      );
    }
  });
  if (first.task === 'regression') return (v) => ({ task: 'regression', values: v });
  return (v, threshold) => ({
    task: 'classification',
    classes,
    proba: v,
    labels: labelsFromProba(v, v.length / classes, classes, threshold),
  });
}

function takeRows(p: CvPredictions, rows: readonly number[]): CvPredictions {
  if (p.task === 'regression') return { task: 'regression', values: Float64Array.from(rows, (r) => p.values[r]) };
  const k = p.classes;
  const proba = new Float64Array(rows.length * k);
  rows.forEach((r, i) => proba.set(p.proba.subarray(r * k, (r + 1) * k), i * k));
  return { task: 'classification', classes: k, proba, labels: Int32Array.from(rows, (r) => p.labels[r]) };
}
