import { cfDistance, changedColumns, counterfactualSetMetrics, type MetricColumn } from './cf-metrics';

// A hand-computed counterfactual table: goal (MAD 1000), launched_at (MAD 10 days), category, video.
const DAY = 86_400_000;
const columns: MetricColumn[] = [
  { name: 'goal', mad: 1000 },
  { name: 'launched_at', mad: 10 * DAY },
  { name: 'category' },
  { name: 'video' },
];
const x = { goal: 10000, launched_at: new Date(Date.UTC(2021, 0, 1)), category: 'Art', video: false };
const c1 = { ...x, goal: 8000 }; //                                  distance 2, 1 change
const c2 = { ...x, video: true, launched_at: new Date(Date.UTC(2021, 0, 6)) }; // 1 + 0.5 = 1.5, 2 changes
const c3 = { ...x, goal: 9500, category: 'Music' }; //               0.5 + 1 = 1.5, 2 changes

describe('counterfactual metrics', () => {
  it('distance: |Δ|/MAD for continuous columns (dates in days), 1 per changed category', () => {
    expect(cfDistance(columns, x, c1)).toBe(2);
    expect(cfDistance(columns, x, c2)).toBe(1.5);
    expect(cfDistance(columns, x, c3)).toBe(1.5);
    expect(cfDistance(columns, c1, c2)).toBe(2 + 0.5 + 1);
    expect(cfDistance(columns, x, { ...x, category: null })).toBe(1);
    expect(changedColumns(columns, x, c2)).toEqual(['launched_at', 'video']);
  });

  it('set metrics on the hand-computed table', () => {
    const m = counterfactualSetMetrics(columns, x, [c1, c2, c3], 4);
    expect(m.requested).toBe(4);
    expect(m.found).toBe(3);
    expect(m.validity).toBe(0.75);
    expect(m.meanProximity).toBeCloseTo((2 + 1.5 + 1.5) / 3, 15);
    expect(m.meanSparsity).toBeCloseTo(5 / 3, 15);
    // pairs: c1-c2 = 2 + 0.5 + 1 = 3.5 (3 columns); c1-c3 = 1.5 + 1 = 2.5 (2); c2-c3 = 0.5 + 0.5 + 1 + 1 = 3 (4)
    expect(m.diversity).toBeCloseTo((3.5 + 2.5 + 3) / 3, 15);
    expect(m.countDiversity).toBeCloseTo((3 / 4 + 2 / 4 + 4 / 4) / 3, 15);
  });

  it('an empty set has zero validity and no diversity', () => {
    expect(counterfactualSetMetrics(columns, x, [], 3)).toEqual({
      requested: 3,
      found: 0,
      validity: 0,
      meanProximity: 0,
      meanSparsity: 0,
      diversity: 0,
      countDiversity: 0,
    });
  });
});
