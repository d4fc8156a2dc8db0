import { InputError, createRng, fromRows, get } from '@campaign-ml/core';
import { computeClassWeight, randomOverSample, randomUnderSample, sampleWeightFromClassWeight, smote } from './index';

function imbalanced() {
  const rng = createRng(1);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const cls = i < 30 ? 0 : i < 37 ? 1 : 2;
    rows.push([cls * 10 + rng.random(), cls + rng.random()]);
    y.push(cls);
  }
  return { X: fromRows(rows, ['a', 'b']), y };
}

describe('balancing', () => {
  const { X, y } = imbalanced();

  it('computeClassWeight("balanced") matches n / (k * count)', () => {
    expect(Array.from(computeClassWeight('balanced', y))).toEqual([40 / (3 * 30), 40 / (3 * 7), 40 / (3 * 3)]);
    expect(Array.from(computeClassWeight({ 1: 5 }, y))).toEqual([1, 5, 1]);
    const w = sampleWeightFromClassWeight(y, computeClassWeight('balanced', y));
    const totals = [0, 0, 0];
    y.forEach((c, i) => (totals[c] += w[i]));
    expect(totals[0]).toBeCloseTo(totals[1], 10);
    expect(totals[1]).toBeCloseTo(totals[2], 10);
  });

  it('randomOverSample copies minority rows up to the majority count, originals first', () => {
    const r = randomOverSample(X, y, { seed: 3 });
    expect(r.X.rows).toBe(90);
    expect([0, 1, 2].map((k) => r.y.filter((v) => v === k).length)).toEqual([30, 30, 30]);
    for (let i = 0; i < r.X.rows; i++) {
      expect(r.y[i]).toBe(y[r.indices[i]]);
      expect(get(r.X, i, 0)).toBe(get(X, r.indices[i], 0));
    }
    expect(Array.from(r.indices.subarray(0, 40))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(randomOverSample(X, y, { seed: 3 }).indices).toEqual(r.indices);
    expect(randomOverSample(X, y, { seed: 4 }).indices).not.toEqual(r.indices);
  });

  it('randomUnderSample keeps the smallest class size per class without repeats', () => {
    const r = randomUnderSample(X, y, { seed: 3 });
    expect([0, 1, 2].map((k) => r.y.filter((v) => v === k).length)).toEqual([3, 3, 3]);
    expect(new Set(r.indices).size).toBe(9);
    expect([...r.indices]).toEqual([...r.indices].sort((a, b) => a - b));
  });

  it('smote interpolates between same-class neighbours, seeded', () => {
    const r = smote(X, y, { seed: 9 });
    expect(r.X.rows).toBe(90);
    expect([0, 1, 2].map((k) => r.y.filter((v) => v === k).length)).toEqual([30, 30, 30]);
    for (let i = 40; i < 90; i++) {
      expect(r.indices[i]).toBe(-1);
      const cls = r.y[i];
      // synthetic rows stay inside the bounding box of their class
      const members = y.map((c, j) => (c === cls ? j : -1)).filter((j) => j >= 0);
      for (let c = 0; c < 2; c++) {
        const vals = members.map((j) => get(X, j, c));
        expect(get(r.X, i, c)).toBeGreaterThanOrEqual(Math.min(...vals));
        expect(get(r.X, i, c)).toBeLessThanOrEqual(Math.max(...vals));
      }
    }
    expect(smote(X, y, { seed: 9 }).X.data).toEqual(r.X.data);
  });

  it('smote with k=1 on a two-row class lies on the segment between them', () => {
    const X2 = fromRows([
      [0, 0],
      [1, 1],
      [2, 2],
      [10, 0],
      [12, 4],
    ]);
    const r = smote(X2, [0, 0, 0, 1, 1], { k: 5, seed: 1 });
    const x = get(r.X, 5, 0);
    const yv = get(r.X, 5, 1);
    expect(x).toBeGreaterThanOrEqual(10);
    expect(x).toBeLessThanOrEqual(12);
    expect(yv).toBeCloseTo(2 * (x - 10), 10);
  });

  it('explains unusable input', () => {
    expect(() => smote(fromRows([[NaN], [1], [2]]), [0, 1, 1])).toThrow(/impute first/);
    expect(() => smote(fromRows([[0], [1], [2]]), [0, 1, 1])).toThrow(InputError);
    expect(() => randomOverSample(X, [0, 1])).toThrow(/X has 40 rows but y has 2 labels/);
  });
});
