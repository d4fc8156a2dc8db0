import { fromRows, InputError, take } from '@campaign-ml/core';
import fixture from './__fixtures__/adasyn.json';
import { adasyn, adasynPlan } from './adasyn';

interface Case {
  name: string;
  k: number;
  X: number[][];
  y: number[];
  plan: Array<{ cls: number; members: number[]; ratio: number[]; counts: number[]; neighbours: number[][] }>;
  resampledCounts: number[];
}
const cases = (fixture as { cases: Case[] }).cases;

describe('ADASYN against imbalanced-learn 0.10 (tools/fixtures/adasyn.py)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: same ratios, per-row counts g_i and neighbours', (_n, c) => {
    const X = fromRows(c.X);
    const plans = adasynPlan(X, c.y, { k: c.k });
    expect(plans.map((p) => p.cls)).toEqual(c.plan.map((p) => p.cls));
    plans.forEach((p, i) => {
      const ref = c.plan[i];
      expect(Array.from(p.members)).toEqual(ref.members);
      Array.from(p.ratio).forEach((r, j) => expect(r).toBeCloseTo(ref.ratio[j], 12));
      expect(Array.from(p.counts)).toEqual(ref.counts);
      const nn = ref.neighbours.map((_, j) => Array.from(p.neighbours.subarray(j * c.k, (j + 1) * c.k)));
      expect(nn).toEqual(ref.neighbours);
    });
    // ...and imbalanced-learn's own output has exactly that many rows per class
    const r = adasyn(X, c.y, { k: c.k, seed: 1 });
    const counts = new Array(c.resampledCounts.length).fill(0);
    for (const v of r.y) counts[v]++;
    expect(counts).toEqual(c.resampledCounts);
  });

  it('follows the density rule: g_i ∝ the share of other-class neighbours (zero for a safe row)', () => {
    const c = cases[0];
    const [p] = adasynPlan(fromRows(c.X), c.y, { k: c.k });
    const need = 120 - 30;
    const sum = p.ratio.reduce((s, v) => s + v, 0);
    p.ratio.forEach((r, i) => {
      expect(Math.abs(p.counts[i] - (r / sum) * need)).toBeLessThanOrEqual(0.5);
      if (r === 0) expect(p.counts[i]).toBe(0);
    });
    const hardest = p.ratio.indexOf(Math.max(...p.ratio));
    expect(p.counts[hardest]).toBe(Math.max(...p.counts));
  });

  it('puts every synthetic row on a segment between its member and one of its same-class neighbours', () => {
    const c = cases[1];
    const X = fromRows(c.X);
    const plans = adasynPlan(X, c.y, { k: c.k });
    const r = adasyn(X, c.y, { k: c.k, seed: 3 });
    const n = X.rows;
    expect(Array.from(r.indices.subarray(0, n))).toEqual(Array.from({ length: n }, (_, i) => i));
    let row = n;
    for (const p of plans) {
      for (let i = 0; i < p.members.length; i++) {
        const a = c.X[p.members[i]];
        for (let s = 0; s < p.counts[i]; s++, row++) {
          expect(r.indices[row]).toBe(-1);
          expect(r.y[row]).toBe(p.cls);
          const v = [r.X.data[row], r.X.data[r.X.rows + row]];
          const onSome = Array.from(p.neighbours.subarray(i * p.k, (i + 1) * p.k)).some((b) => {
            const B = c.X[b];
            const t = Math.abs(B[0] - a[0]) > 1e-12 ? (v[0] - a[0]) / (B[0] - a[0]) : (v[1] - a[1]) / (B[1] - a[1]);
            return (
              t >= 0 &&
              t <= 1 &&
              Math.abs(a[0] + t * (B[0] - a[0]) - v[0]) < 1e-9 &&
              Math.abs(a[1] + t * (B[1] - a[1]) - v[1]) < 1e-9
            );
          });
          expect(onSome).toBe(true);
        }
      }
    }
    expect(row).toBe(r.X.rows);
  });

  it('inside a CV fold, synthesizes only from that fold’s training rows (never from test rows)', () => {
    const c = cases[0];
    const X = fromRows(c.X);
    // a fold: every 5th row is held out
    const train = Uint32Array.from({ length: X.rows }, (_, i) => i).filter((i) => i % 5 !== 0);
    const test = new Set(Array.from({ length: X.rows }, (_, i) => i).filter((i) => i % 5 === 0));
    const Xf = take(X, train);
    const yf = Array.from(train, (i) => c.y[i]);
    for (const p of adasynPlan(Xf, yf, { k: c.k })) {
      for (const m of p.members) expect(test.has(train[m])).toBe(false);
      for (const b of p.neighbours) expect(test.has(train[b])).toBe(false);
    }
    const r = adasyn(Xf, yf, { k: c.k, seed: 9 });
    // every synthetic row lies within the fold's training rows' bounding box, and none equals a test row
    for (let row = Xf.rows; row < r.X.rows; row++)
      for (const t of test)
        expect([0, 1, 2].every((col) => r.X.data[col * r.X.rows + row] === c.X[t][col])).toBe(false);
  });

  it('is reproducible for a seed and names bad input', () => {
    const c = cases[0];
    const X = fromRows(c.X);
    expect(Array.from(adasyn(X, c.y, { seed: 5 }).X.data)).toEqual(Array.from(adasyn(X, c.y, { seed: 5 }).X.data));
    const bad = fromRows([[1, NaN], ...c.X.slice(1).map((r) => r.slice(0, 2))], ['a', 'b']);
    expect(() => adasyn(bad, c.y)).toThrow(/feature "b" is NaN at row 0/);
    expect(() => adasyn(X, c.y, { k: 0 })).toThrow(InputError);
    expect(() => adasyn(fromRows([[0], [1], [2], [3], [4], [5], [6], [7]]), [0, 0, 0, 0, 0, 0, 1, 1])).toThrow(
      /class 1 has 2 rows/,
    );
  });
});
