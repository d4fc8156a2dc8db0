import * as aq from 'arquero';
import { load } from '@campaign-ml/core';
import fixture from './__fixtures__/yeo-johnson.json';
import { YeoJohnsonTransformer, fitYeoJohnsonLambda } from './yeo-johnson';
import type { FittedYeoJohnson } from './yeo-johnson';

const names = ['a', 'b', 'c', 'd'];
const table = aq.table(Object.fromEntries(names.map((n, c) => [n, fixture.X.map((r) => r[c])])));

describe('YeoJohnsonTransformer vs scikit-learn PowerTransformer', () => {
  it('fits the same lambda per column', () => {
    names.forEach((n, c) => expect(fitYeoJohnsonLambda(table.array(n) as number[])).toBeCloseTo(fixture.lambdas[c], 6));
  });

  it.each([
    ['standardized', true],
    ['raw', false],
  ] as const)('transforms like PowerTransformer (%s)', (key, standardize) => {
    const out = new YeoJohnsonTransformer({ standardize }).fit(table).transform(table);
    names.forEach((n, c) => {
      const got = out.array(n) as Float64Array;
      fixture[key].forEach((row, r) => {
        if (row[c] === null) expect(got[r]).toBeNaN();
        else expect(got[r]).toBeCloseTo(row[c] as number, 5);
      });
    });
  });

  it('round-trips through JSON with identical output', () => {
    const f = new YeoJohnsonTransformer().fit(table);
    const back = load<FittedYeoJohnson>(JSON.parse(JSON.stringify(f)));
    expect(back.lambdas).toEqual(f.lambdas);
    expect(back.transform(table).objects()).toEqual(f.transform(table).objects());
  });
});
