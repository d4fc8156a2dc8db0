import { reweighing } from './reweighing';

describe('reweighing', () => {
  it('matches the hand-worked example and equalizes the weighted positive rate', () => {
    // a: 3 positives, 2 negatives; b: 1 positive, 4 negatives; n = 10, P(y=1) = 0.4, P(a) = P(b) = 0.5.
    const y = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const s = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];
    const { weights, cells } = reweighing(y, s);
    // w(a,1) = 0.5·0.4/0.3, w(a,0) = 0.5·0.6/0.2, w(b,1) = 0.5·0.4/0.1, w(b,0) = 0.5·0.6/0.4
    expect(cells.map((c) => [c.group, c.label, c.count, c.weight])).toEqual([
      ['a', 0, 2, expect.closeTo(1.5, 12)],
      ['a', 1, 3, expect.closeTo(2 / 3, 12)],
      ['b', 0, 4, expect.closeTo(0.75, 12)],
      ['b', 1, 1, expect.closeTo(2, 12)],
    ]);
    expect(weights[0]).toBeCloseTo(2 / 3, 12);
    expect(weights[5]).toBeCloseTo(2, 12);
    const rate = (g: string) => {
      let num = 0;
      let den = 0;
      s.forEach((v, i) => {
        if (v !== g) return;
        num += weights[i] * y[i];
        den += weights[i];
      });
      return num / den;
    };
    expect(rate('a')).toBeCloseTo(0.4, 12);
    expect(rate('b')).toBeCloseTo(0.4, 12);
    // The total weight is unchanged.
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(10, 12);
  });

  it('multiplies prior sample weights in and counts with them', () => {
    const y = [1, 0, 1, 0];
    const s = ['a', 'a', 'b', 'b'];
    const { weights } = reweighing(y, s, { sampleWeight: [2, 2, 1, 1] });
    // Every cell is P(s)P(y)/P(s,y) = 1 here: the weighted data are already independent.
    expect(Array.from(weights)).toEqual([2, 2, 1, 1]);
  });

  it('names the row of a bad label or missing group', () => {
    expect(() => reweighing([1, NaN], ['a', 'b'])).toThrow(expect.objectContaining({ row: 1, column: 'y' }));
    expect(() => reweighing([1, 0], ['a', undefined])).toThrow(expect.objectContaining({ row: 1 }));
  });
});
