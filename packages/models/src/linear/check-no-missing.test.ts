import { fromColumns, InputError } from '@campaign-ml/core';
import { checkNoMissing } from './check-no-missing';

describe('checkNoMissing', () => {
  it.each([Number.NaN, Infinity, -Infinity])(
    'names the column and row of %p, wherever it sits in the column',
    (bad) => {
      for (const rows of [1, 4, 7, 9]) {
        for (const at of [0, rows - 1, rows >> 1]) {
          const b = Float64Array.from({ length: rows }, (_, r) => (r === at ? bad : r));
          const X = fromColumns([
            ['a', Float64Array.from({ length: rows }, (_, r) => r * 1e300)],
            ['b', b],
          ]);
          let caught: unknown;
          try {
            checkNoMissing(X, 'Model');
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(InputError);
          expect((caught as InputError).column).toBe('b');
          expect((caught as InputError).row).toBe(at);
        }
      }
    },
  );

  it('accepts finite values, huge ones included', () => {
    const X = fromColumns([['a', Float64Array.from([1.7e308, -1.7e308, 0, -0, 5e-324])]]);
    expect(() => checkNoMissing(X, 'Model')).not.toThrow();
  });
});
