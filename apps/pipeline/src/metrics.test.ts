import { classificationMetrics, majorityBaseline, perClassMetrics } from './metrics';

describe('honest headline figures', () => {
  it("the majority baseline is the training part's commonest class, scored on the test part", () => {
    expect(majorityBaseline([0, 1, 1, 2, 1], [1, 0, 1, 1], ['a', 'b', 'c'])).toEqual({ class: 'b', accuracy: 0.75 });
  });

  it('multiclass metrics carry macro and weighted averages, and per-class values', () => {
    // 3 classes, rows x classes probabilities; predictions 0, 1, 1, 2, 2, 2 against truth 0, 0, 1, 2, 2, 2.
    const y = [0, 0, 1, 2, 2, 2];
    const pred = [0, 1, 1, 2, 2, 2];
    const proba = Float64Array.from(pred.flatMap((p) => [0, 1, 2].map((c) => (c === p ? 0.8 : 0.1))));
    const m = classificationMetrics(y, proba, 3);
    // Per class: precision 1, 0.5, 1; recall 0.5, 1, 1 -> macro 0.8333 / 0.8333, weighted by support 2, 1, 3.
    expect(m.precision).toBeCloseTo((1 + 0.5 + 1) / 3, 10);
    expect(m.precisionWeighted).toBeCloseTo((2 * 1 + 0.5 + 3 * 1) / 6, 10);
    expect(m.recallWeighted).toBeCloseTo((2 * 0.5 + 1 + 3 * 1) / 6, 10);
    expect(perClassMetrics(y, proba, ['a', 'b', 'c'])).toEqual([
      { class: 'a', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
      { class: 'b', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 },
      { class: 'c', precision: 1, recall: 1, f1: 1, support: 3 },
    ]);
  });
});
