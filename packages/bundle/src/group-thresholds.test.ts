import { InputError } from '@campaign-ml/core';
import { Bundle, type BundleDocument } from './bundle';
import { HAND_RECORDS, campaignBundle, generatedRecords } from './test-bundles';

const base = campaignBundle('gbdt');
const withGroups = (groupThresholds: unknown): BundleDocument => ({
  ...base,
  model: { ...base.model, groupThresholds } as BundleDocument['model'],
});
const byGoal = {
  column: 'goal',
  bins: { edges: [8000, 15000], labels: ['< 8000', '8000–15000', '>= 15000'] },
  thresholds: { '< 8000': 0.3, '8000–15000': 0.5, '>= 15000': 0.9 },
};

describe('bundle group thresholds (fairness mitigation)', () => {
  it('applies each row its group threshold, the same through records, labelIndices and a JSON round trip', () => {
    const bundle = Bundle.fromJSON(JSON.stringify(withGroups(byGoal)));
    const records = [...HAND_RECORDS, ...generatedRecords(50, 9)];
    const preds = bundle.predictRecords(records);
    const table = bundle.recordsToTable(records);
    const scores = bundle.scoreTable(table);
    const labels = bundle.labelIndices(scores, table.numRows(), table);
    const goals = table.array('goal') as ArrayLike<number>;
    preds.forEach((p, r) => {
      const expected = goals[r] < 8000 ? 0.3 : goals[r] < 15000 ? 0.5 : 0.9;
      expect(p.threshold).toBe(expected);
      const positive = p.probabilities!.successful >= expected;
      expect(p.label).toBe(positive ? 'successful' : 'failed');
      expect(labels[r]).toBe(positive ? 1 : 0);
    });
    // They differ from the single threshold somewhere, so the groups really apply.
    const plain = Bundle.fromJSON(base).predictRecords(records);
    expect(plain.some((p, r) => p.label !== preds[r].label)).toBe(true);
  });

  it('a categorical column: a missing value or an unknown group is an error naming the row and column', () => {
    const byCategory = { column: 'category', thresholds: { Music: 0.6, Games: 0.4, Art: 0.5, Film: 0.5 } };
    const bundle = Bundle.fromJSON(withGroups(byCategory));
    expect(bundle.requiredColumns).toContain('category');
    const record = { ...HAND_RECORDS[0] };
    expect(bundle.predictRecords([record])[0].threshold).toBe(0.6);
    const table = bundle.recordsToTable([record, { ...record, category: 'Music' }]);
    expect(() => bundle.labelIndices(bundle.scoreTable(table), 2)).toThrow(
      expect.objectContaining({ code: 'MISSING_SENSITIVE_COLUMN', column: 'category' }),
    );
    const sparse = Bundle.fromJSON(withGroups({ column: 'category', thresholds: { Music: 0.6 } }));
    expect(() => sparse.predictRecords([record, { ...record, category: 'Art' }])).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_GROUP', row: 1, column: 'category' }),
    );
    expect(() => sparse.predictRecords([{ ...record }, { ...record, category: null }])).toThrow(InputError);
  });

  it('rejects group thresholds that cannot apply, and loads bundles without them as before', () => {
    expect(() => Bundle.fromJSON(withGroups({ ...byGoal, column: 'nope' }))).toThrow(/not in the bundle schema/);
    expect(() => Bundle.fromJSON(withGroups({ ...byGoal, thresholds: { a: 'x' } }))).toThrow(/finite threshold/);
    expect(() => Bundle.fromJSON(withGroups({ ...byGoal, bins: { edges: [1], labels: ['a'] } }))).toThrow(
      /one more label/,
    );
    const plain = Bundle.fromJSON(base);
    expect(plain.groupThresholds).toBeUndefined();
    expect(plain.predictRecords(HAND_RECORDS).every((p) => p.threshold === 0.45)).toBe(true);
  });
});
