import { createRng } from './rng';
import { sortFloat64 } from './sort-float64';

describe('sortFloat64', () => {
  const rng = createRng(3);
  const cases: [string, Float64Array][] = [
    ['normals with both signs', Float64Array.from({ length: 50000 }, () => rng.normal(0, 1e3))],
    ['integers with many ties', Float64Array.from({ length: 30000 }, () => rng.int(40) - 20)],
    [
      'zeros of both signs, extremes and subnormals',
      Float64Array.from(
        { length: 5000 },
        (_, i) => [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1][i % 8],
      ),
    ],
    ['one value', new Float64Array(4096).fill(2.5)],
    [
      'a view with an offset',
      new Float64Array(new Float64Array(Array.from({ length: 3000 }, () => rng.random() - 0.5)).buffer, 8 * 7, 2000),
    ],
    ['short (the built-in sort)', Float64Array.from({ length: 500 }, () => rng.normal())],
  ];
  it.each(cases)('sorts %s exactly as Float64Array.prototype.sort', (_name, data) => {
    const expected = data.slice().sort();
    const before = data.slice();
    const copy = new Float64Array(data.length);
    copy.set(data);
    const out = sortFloat64(copy);
    expect(out).toBe(copy);
    for (let i = 0; i < data.length; i++)
      if (!Object.is(out[i], expected[i])) throw new Error(`index ${i}: ${out[i]} vs ${expected[i]}`);
    expect(data).toEqual(before);
  });

  it('sorts in place inside a larger buffer without touching its neighbours', () => {
    const big = Float64Array.from({ length: 4000 }, (_, i) => 4000 - i);
    const view = big.subarray(1000, 3000);
    sortFloat64(view);
    expect(Array.from(big.subarray(998, 1002))).toEqual([3002, 3001, 1001, 1002]);
    expect(big[2999]).toBe(3000);
    expect(big[3000]).toBe(1000);
  });
});
