import { ConfigError } from '@campaign-ml/core';
import { checkPair, checkWeights, encodeLabels, uniqueSorted } from './metric-inputs';

export interface ConfusionMatrixOptions {
  /** Labels to index the matrix by, in order. Default: every label seen in yTrue or yPred, sorted. */
  labels?: readonly number[];
  sampleWeight?: ArrayLike<number>;
  /** Divide by the row sums ('true'), column sums ('pred') or the total ('all'); empty rows give 0. */
  normalize?: 'true' | 'pred' | 'all';
}

export interface ConfusionMatrix {
  /** The label of each row and column. */
  labels: number[];
  /** matrix[i][j]: (weighted) count of rows whose true label is labels[i] and predicted label labels[j]. */
  matrix: number[][];
}

/** Dense k x k row-major counts (true label by row, predicted by column); rows with labels outside `labels` are skipped. */
export function confusionCounts(
  yTrue: Float64Array,
  yPred: Float64Array,
  labels: readonly number[],
  w: Float64Array | undefined,
): Float64Array {
  const k = labels.length;
  const t = encodeLabels(yTrue, labels);
  const p = encodeLabels(yPred, labels);
  const counts = new Float64Array(k * k);
  for (let i = 0; i < t.length; i++) {
    if (t[i] < 0 || p[i] < 0) continue;
    counts[t[i] * k + p[i]] += w ? w[i] : 1;
  }
  return counts;
}

/**
 * Confusion matrix as scikit-learn's `confusion_matrix`: rows are true labels, columns predicted
 * labels. Labels are any numbers (class indices in campaign-ml).
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  const [t, p] = checkPair(yTrue, yPred);
  const w = checkWeights(options.sampleWeight, t.length);
  const labels = options.labels ? [...options.labels] : uniqueSorted(t, p);
  if (labels.length === 0)
    throw new ConfigError('INVALID_LABELS', 'confusionMatrix: options.labels is empty', {
      expected: 'at least one label',
    });
  const k = labels.length;
  const c = confusionCounts(t, p, labels, w);
  const { normalize } = options;
  if (normalize !== undefined && normalize !== 'true' && normalize !== 'pred' && normalize !== 'all') {
    throw new ConfigError('INVALID_OPTION', `normalize must be 'true', 'pred' or 'all', got ${String(normalize)}`, {
      value: normalize,
      expected: "'true' | 'pred' | 'all'",
    });
  }
  const matrix: number[][] = [];
  let total = 0;
  for (let i = 0; i < c.length; i++) total += c[i];
  for (let i = 0; i < k; i++) {
    const row: number[] = [];
    for (let j = 0; j < k; j++) {
      let v = c[i * k + j];
      if (normalize) {
        let d = 0;
        if (normalize === 'all') d = total;
        else for (let m = 0; m < k; m++) d += normalize === 'true' ? c[i * k + m] : c[m * k + j];
        v = d === 0 ? 0 : v / d;
      }
      row.push(v);
    }
    matrix.push(row);
  }
  return { labels, matrix };
}
