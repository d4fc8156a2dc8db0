import { ConfigError, InputError } from '@campaign-ml/core';
import {
  accuracyScore,
  averagePrecisionScore,
  brierScoreLoss,
  calibrationCurve,
  classificationReport,
  confusionMatrix,
  f1Score,
  logLoss,
  matthewsCorrcoef,
  meanSquaredError,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rocCurve,
  sensitivityScore,
  specificityScore,
} from './index';

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('input errors', () => {
  it('mismatched lengths name both arguments', () => {
    const e = thrown(() => accuracyScore([0, 1, 1], [0, 1])) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.code).toBe('LENGTH_MISMATCH');
    expect(e.message).toMatch(/yTrue has 3 values but yPred has 2/);
  });

  it('empty input', () => {
    for (const f of [
      () => accuracyScore([], []),
      () => rocAucScore([], []),
      () => meanSquaredError([], []),
      () => logLoss([], []),
    ]) {
      expect((thrown(f) as InputError).code).toBe('EMPTY_INPUT');
    }
  });

  it('NaN scores name the row', () => {
    const e = thrown(() => rocAucScore([0, 1, 0], [0.1, NaN, 0.3])) as InputError;
    expect(e.code).toBe('NAN_VALUE');
    expect(e.row).toBe(1);
    expect(e.message).toMatch(/yScore\[1\] is NaN/);
  });

  it('ROC AUC with a single class', () => {
    const e = thrown(() => rocAucScore([1, 1, 1], [0.2, 0.5, 0.9])) as InputError;
    expect(e.code).toBe('SINGLE_CLASS');
    expect(e.message).toMatch(/single class/);
  });

  it('multiclass ROC AUC with a class absent from yTrue, and rows not summing to 1', () => {
    const p = [0.6, 0.2, 0.2, 0.2, 0.6, 0.2, 0.1, 0.8, 0.1];
    expect((thrown(() => rocAucScore([0, 1, 1], p, { classes: 3 })) as InputError).code).toBe('SINGLE_CLASS');
    const bad = [0.6, 0.6, 0.2, 0.2, 0.6, 0.2, 0.1, 0.8, 0.1];
    expect((thrown(() => rocAucScore([0, 1, 2], bad, { classes: 3 })) as InputError).code).toBe('NOT_PROBABILITIES');
    expect((thrown(() => rocAucScore([0, 1, 2], p, { classes: 4 })) as InputError).code).toBe('LENGTH_MISMATCH');
  });

  it('binary average on a multiclass target points to the other averages', () => {
    const e = thrown(() => f1Score([0, 1, 2], [0, 2, 1])) as InputError;
    expect(e.code).toBe('MULTICLASS_TARGET');
    expect(e.message).toMatch(/'macro'/);
  });

  it('bad options are ConfigErrors', () => {
    expect(thrown(() => f1Score([0, 1], [0, 1], { average: 'samples' as never }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => calibrationCurve([0, 1], [0.1, 0.9], { nBins: 0 }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => logLoss([0, 1], [0.1, 0.9], { eps: -1 }))).toBeInstanceOf(ConfigError);
  });

  it('probabilities outside [0, 1] and labels outside the score matrix', () => {
    expect((thrown(() => brierScoreLoss([0, 1], [0.1, 1.2])) as InputError).code).toBe('NOT_PROBABILITIES');
    expect((thrown(() => logLoss([0, 3], [0.5, 0.5, 0.5, 0.5])) as InputError).code).toBe('INVALID_LABEL');
  });

  it('negative sample weights', () => {
    expect((thrown(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [1, -1] })) as InputError).code).toBe(
      'INVALID_WEIGHT',
    );
  });
});

describe('behaviour', () => {
  it('zero division gives 0 without throwing (scikit-learn default)', () => {
    expect(precisionScore([0, 1, 0], [0, 0, 0])).toBe(0);
    expect(recallScore([0, 0, 0], [0, 1, 0])).toBe(0);
    expect(f1Score([0, 0], [0, 0])).toBe(0);
  });

  it('sensitivity is recall; specificity is the recall of the negative class in binary problems', () => {
    const y = [0, 0, 0, 1, 1, 1, 1];
    const p = [0, 1, 0, 1, 0, 1, 1];
    expect(sensitivityScore(y, p)).toBe(recallScore(y, p));
    expect(specificityScore(y, p)).toBeCloseTo(2 / 3, 12);
    expect(specificityScore(y, p)).toBeCloseTo(recallScore(y, p, { posLabel: 0 }), 12);
  });

  it('ROC AUC counts tied scores as half', () => {
    expect(rocAucScore([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.8])).toBeCloseTo(0.875, 12);
  });

  it('binary scores as a rows x 2 probability matrix equal the positive column', () => {
    const y = [0, 1, 1, 0, 1];
    const p1 = [0.2, 0.7, 0.4, 0.5, 0.9];
    const m = p1.flatMap((p) => [1 - p, p]);
    expect(rocAucScore(y, m)).toBe(rocAucScore(y, p1));
    expect(averagePrecisionScore(y, m)).toBe(averagePrecisionScore(y, p1));
    expect(logLoss(y, m)).toBeCloseTo(logLoss(y, p1), 12);
    expect(brierScoreLoss(y, m)).toBe(brierScoreLoss(y, p1));
  });

  it('average precision is 0 without positives; ROC curve starts at (0, 0) above the top score', () => {
    expect(averagePrecisionScore([0, 0, 0], [0.1, 0.2, 0.3])).toBe(0);
    const c = rocCurve([0, 1, 1], [0.2, 0.9, 0.6]);
    expect([c.fpr[0], c.tpr[0], c.thresholds[0]]).toEqual([0, 0, 1.9]);
    expect([c.fpr[c.fpr.length - 1], c.tpr[c.tpr.length - 1]]).toEqual([1, 1]);
  });

  it('MCC is 0 when predictions hold a single label', () => {
    expect(matthewsCorrcoef([0, 1, 1], [1, 1, 1])).toBe(0);
    expect(matthewsCorrcoef([0, 1, 1], [0, 1, 1])).toBe(1);
  });

  it('r2 of a perfect fit is 1, of a constant target 0, of one row NaN', () => {
    expect(r2Score([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2Score([2, 2, 2], [1, 2, 3])).toBe(0);
    expect(r2Score([2], [1])).toBeNaN();
  });

  it('confusion matrix honours given labels and skips rows outside them', () => {
    const cm = confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], { labels: [2, 0] });
    expect(cm).toEqual({
      labels: [2, 0],
      matrix: [
        [1, 0],
        [0, 1],
      ],
    });
  });

  it('classification report lines up with the single metrics', () => {
    const y = [0, 1, 2, 2, 1, 0, 2];
    const p = [0, 2, 2, 2, 1, 1, 0];
    const r = classificationReport(y, p);
    expect(r.perLabel.map((l) => l.label)).toEqual([0, 1, 2]);
    expect(r.macroAvg.f1).toBeCloseTo(f1Score(y, p, { average: 'macro' }), 12);
    expect(r.weightedAvg.recall).toBeCloseTo(recallScore(y, p, { average: 'weighted' }), 12);
    expect(r.accuracy).toBeCloseTo(4 / 7, 12);
    expect(r.macroAvg.support).toBe(7);
  });

  it('calibration curve puts a probability on an inner edge in the lower bin', () => {
    const c = calibrationCurve([0, 1, 1, 0], [0.2, 0.5, 0.9, 0.1], { nBins: 2 });
    expect(Array.from(c.counts)).toEqual([3, 1]);
    expect(Array.from(c.probTrue)).toEqual([1 / 3, 1]);
  });
});
