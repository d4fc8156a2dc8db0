import * as aq from 'arquero';
import { OneHotEncoder } from '../encoders/one-hot-encoder';
import { newColumn } from './table-columns';

describe('newColumn', () => {
  it('gives zeroed columns that never share values, small ones carved from one buffer', () => {
    const cols = Array.from({ length: 200 }, (_, i) => newColumn(1 + (i % 40)));
    for (const c of cols) expect(Array.from(c).every((v) => v === 0)).toBe(true);
    cols.forEach((c, i) => c.fill(i + 1));
    cols.forEach((c, i) => expect(Array.from(c).every((v) => v === i + 1)).toBe(true));
    // Small columns are views into a shared chunk; large ones own their buffer.
    expect(newColumn(16).buffer.byteLength).toBeGreaterThan(16 * 8);
    const big = newColumn(10_000);
    expect(big.buffer.byteLength).toBe(80_000);
    expect(big.byteOffset).toBe(0);
  });

  it('keeps the one-hot columns of a small transform intact through thousands more (no value is handed out twice)', () => {
    const enc = new OneHotEncoder().fit(aq.table({ c: ['a', 'b', 'c', 'a'] }));
    const first = enc.transform(aq.table({ c: ['a', 'b'] }));
    const columns = first.columnNames().map((n) => first.array(n) as unknown as Float64Array);
    expect(columns.map((c) => Array.from(c))).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    // Enough later transforms to fill several shared chunks.
    for (let i = 0; i < 5000; i++) enc.transform(aq.table({ c: ['c', 'c'] }));
    expect(columns.map((c) => Array.from(c))).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
  });
});
