import { fromRows, load, toRows } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import fixture from './__fixtures__/knn-imputer.json';
import { FittedKnnImputer, KnnImputer } from './knn-imputer';

const train = fromRows(fixture.train);
const test = fromRows(fixture.test);

function expectClose(actual: Matrix, expected: (number | null)[][]): void {
  const got = toRows(actual);
  expected.forEach((row, r) => row.forEach((v, c) => expect(got[r][c]).toBeCloseTo(v as number, 8)));
}

describe('KnnImputer', () => {
  it('matches scikit-learn KNNImputer(n_neighbors=5) on raw distances', () => {
    expectClose(new KnnImputer({ scale: false }).fit(train).transform(test), fixture.raw);
  });

  it('matches KNNImputer on standardized columns (scale: true, the default)', () => {
    expectClose(new KnnImputer().fit(train).transform(test), fixture.scaled);
  });

  it('imputes the training rows as scikit-learn does (a row is never its own donor)', () => {
    expectClose(new KnnImputer({ scale: false }).fit(train).transform(train), fixture.trainRaw);
  });

  it('adds missing indicators and round-trips through JSON', () => {
    const fitted = new KnnImputer({ addIndicator: true }).fit(train);
    const out = fitted.transform(test);
    expect(out.columns.slice(4)).toEqual(['x0.missing', 'x1.missing', 'x2.missing', 'x3.missing']);
    expect(out.data[4 * test.rows]).toBe(1); // test row 0 misses x0
    const back = load<FittedKnnImputer>(JSON.parse(JSON.stringify(fitted)));
    expect(Array.from(back.transform(test).data)).toEqual(Array.from(out.data));
  });

  it('falls back to the column mean when no neighbour shares a value', () => {
    const X = fromRows([
      [1, null],
      [2, null],
      [null, 10],
    ]);
    const out = new KnnImputer({ k: 2 }).fit(X).transform(fromRows([[null, 10]]));
    expect(out.data[0]).toBeCloseTo(1.5);
  });
});
