import { accuracyScore } from './accuracy-score';
import { precisionRecallFscoreSupport } from './precision-recall-fscore';

export interface ReportRow {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  /** One row per label, in label order. */
  perLabel: Array<ReportRow & { label: number }>;
  accuracy: number;
  macroAvg: ReportRow;
  weightedAvg: ReportRow;
}

/** Per-label precision, recall, F1 and support, with accuracy and macro / weighted averages (scikit-learn's `classification_report`). */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: { labels?: readonly number[]; sampleWeight?: ArrayLike<number> } = {},
): ClassificationReport {
  const s = precisionRecallFscoreSupport(yTrue, yPred, options);
  const k = s.labels.length;
  let total = 0;
  const macro = { precision: 0, recall: 0, f1: 0, support: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0, support: 0 };
  const perLabel = s.labels.map((label, i) => {
    total += s.support[i];
    macro.precision += s.precision[i] / k;
    macro.recall += s.recall[i] / k;
    macro.f1 += s.fbeta[i] / k;
    weighted.precision += s.precision[i] * s.support[i];
    weighted.recall += s.recall[i] * s.support[i];
    weighted.f1 += s.fbeta[i] * s.support[i];
    return { label, precision: s.precision[i], recall: s.recall[i], f1: s.fbeta[i], support: s.support[i] };
  });
  macro.support = total;
  weighted.support = total;
  if (total > 0) {
    weighted.precision /= total;
    weighted.recall /= total;
    weighted.f1 /= total;
  }
  return {
    perLabel,
    accuracy: accuracyScore(yTrue, yPred, { sampleWeight: options.sampleWeight }),
    macroAvg: macro,
    weightedAvg: weighted,
  };
}
