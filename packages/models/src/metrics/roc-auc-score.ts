import { ConfigError, InputError } from '@campaign-ml/core';
import { checkNotEmpty, checkSameLength, checkWeights, finiteArray } from './metric-inputs';
import { binaryInputs, rocFromCounts, trapezoid } from './roc-curve';
import { checkRowsSumToOne, scoreColumn, scoreColumns } from './score-layout';

export interface RankingOptions {
  /** The positive label for binary scores (default 1). */
  posLabel?: number;
  sampleWeight?: ArrayLike<number>;
  /** Number of classes when yScore is a row-major rows x classes matrix (inferred from its length otherwise). */
  classes?: number;
  /** How per-class scores of a multiclass matrix are combined (default 'macro'). */
  average?: 'macro' | 'weighted' | 'micro';
}

export interface RocAucOptions extends RankingOptions {
  /** Multiclass strategy; only one-vs-rest is implemented. */
  multiClass?: 'ovr';
}

/** Area under the ROC curve of binary scores; InputError when yTrue holds a single class. */
function binaryRocAuc(t: Float64Array, s: Float64Array, w: Float64Array | undefined, posLabel: number): number {
  let other = false;
  for (let i = 1; i < t.length && !other; i++) other = t[i] !== t[0];
  if (!other) {
    throw new InputError(
      'SINGLE_CLASS',
      `ROC AUC is undefined when yTrue holds a single class (${t[0]}); score on rows with both classes (e.g. a stratified split)`,
      { value: t[0], expected: 'both classes in yTrue' },
    );
  }
  const { fpr, tpr } = rocFromCounts(t, s, w, posLabel, true);
  return trapezoid(fpr, tpr);
}

/**
 * Per-class binary scores of a multiclass matrix, averaged as scikit-learn's `_average_binary_score`
 * (one-vs-rest: class c against the rest, scored by column c).
 */
export function averageOneVsRest(
  yTrue: ArrayLike<number>,
  yScore: ArrayLike<number>,
  k: number,
  options: RankingOptions,
  binary: (t: Float64Array, s: Float64Array, w: Float64Array | undefined) => number,
): number {
  const n = yTrue.length;
  const t = finiteArray(yTrue, 'yTrue');
  const s = finiteArray(yScore, 'yScore');
  const w = checkWeights(options.sampleWeight, n);
  const average = options.average ?? 'macro';
  if (average !== 'macro' && average !== 'weighted' && average !== 'micro') {
    throw new ConfigError(
      'INVALID_OPTION',
      `average must be 'macro', 'weighted' or 'micro' for multiclass scores, got ${String(average)}`,
      {
        value: average,
        expected: "'macro' | 'weighted' | 'micro'",
      },
    );
  }
  for (let i = 0; i < n; i++) {
    if (!(Number.isInteger(t[i]) && t[i] >= 0 && t[i] < k)) {
      throw new InputError(
        'INVALID_LABEL',
        `yTrue[${i}] is ${t[i]} but the score matrix has ${k} columns; labels must be class indices 0..${k - 1}`,
        {
          row: i,
          value: t[i],
          expected: `an integer 0..${k - 1}`,
        },
      );
    }
  }
  if (average === 'micro') {
    const tt = new Float64Array(n * k);
    const ww = w ? new Float64Array(n * k) : undefined;
    for (let i = 0; i < n; i++) {
      tt[i * k + t[i]] = 1;
      if (ww && w) ww.fill(w[i], i * k, (i + 1) * k);
    }
    return binary(tt, s, ww);
  }
  const scores = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const tc = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (t[i] === c) {
        tc[i] = 1;
        weights[c] += w ? w[i] : 1;
      }
    }
    scores[c] = binary(tc, scoreColumn(s, n, k, c), w);
  }
  let num = 0;
  let den = 0;
  for (let c = 0; c < k; c++) {
    const wc = average === 'weighted' ? weights[c] : 1;
    if (wc !== 0) num += scores[c] * wc;
    den += wc;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Area under the ROC curve. Binary: one score per row (tied scores count half, as scikit-learn).
 * Multiclass: a row-major rows x classes probability matrix, one-vs-rest, averaged 'macro' (default),
 * 'weighted' by class support or 'micro'. A class missing from yTrue is an InputError.
 */
export function rocAucScore(yTrue: ArrayLike<number>, yScore: ArrayLike<number>, options: RocAucOptions = {}): number {
  checkNotEmpty(yTrue.length);
  const k = scoreColumns(yTrue.length, yScore.length, options.classes);
  if (options.multiClass !== undefined && options.multiClass !== 'ovr') {
    throw new ConfigError('INVALID_OPTION', `multiClass '${String(options.multiClass)}' is not supported; use 'ovr'`, {
      value: options.multiClass,
      expected: "'ovr'",
    });
  }
  if (k === 1) {
    const { t, s, w, posLabel } = binaryInputs(yTrue, yScore, options);
    return binaryRocAuc(t, s, w, posLabel);
  }
  if (k === 2) {
    checkSameLength(yTrue.length * 2, yScore.length, 'rows x 2', 'yScore');
    const pos = options.posLabel ?? 1;
    const { t, s, w } = binaryInputs(yTrue, scoreColumn(finiteArray(yScore, 'yScore'), yTrue.length, 2, pos), options);
    return binaryRocAuc(t, s, w, pos);
  }
  const s = finiteArray(yScore, 'yScore');
  checkRowsSumToOne(s, yTrue.length, k, 'multiclass ROC AUC');
  return averageOneVsRest(yTrue, s, k, options, (t, sc, w) => binaryRocAuc(t, sc, w, 1));
}
