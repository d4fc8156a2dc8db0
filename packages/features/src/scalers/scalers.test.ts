import { fromRows, load, toRows } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import fixture from './__fixtures__/scalers.json';
import { FittedScaler, MinMaxScaler, RobustScaler, StandardScaler } from './index';

const train = fromRows(fixture.train);
const test = fromRows(fixture.test);

function expectClose(actual: Matrix, expected: (number | null)[][]): void {
  const got = toRows(actual);
  expected.forEach((row, r) =>
    row.forEach((v, c) => {
      if (v === null) expect(got[r][c]).toBeNaN();
      else expect(got[r][c]).toBeCloseTo(v, 10);
    }),
  );
}

describe('scalers match scikit-learn', () => {
  it.each([
    ['standard', new StandardScaler()],
    ['minmax', new MinMaxScaler()],
    ['robust', new RobustScaler()],
  ] as const)('%s scaler (NaN ignored at fit, constant column handled)', (name, scaler) => {
    const fitted = scaler.fit(train);
    expectClose(fitted.transform(test), fixture[name]);
  });

  it('keeps NaN as NaN and inverts exactly', () => {
    const fitted = new StandardScaler().fit(train);
    const out = fitted.transform(train);
    expect(out.data[2]).toBeNaN();
    const back = fitted.inverseTransform(out);
    for (let i = 0; i < back.data.length; i++) {
      if (Number.isNaN(train.data[i])) expect(back.data[i]).toBeNaN();
      else expect(back.data[i]).toBeCloseTo(train.data[i], 10);
    }
  });

  it.each([new StandardScaler(), new MinMaxScaler({ featureRange: [-1, 1] }), new RobustScaler()])(
    'round-trips through JSON with identical output',
    (scaler) => {
      const fitted = scaler.fit(train);
      const back = load<FittedScaler>(JSON.parse(JSON.stringify(fitted)));
      expect(Array.from(back.transform(test).data)).toEqual(Array.from(fitted.transform(test).data));
      expect(back.featureNamesOut).toEqual(train.columns);
    },
  );

  it('rejects a Matrix with other columns', () => {
    const fitted = new StandardScaler().fit(train);
    expect(() => fitted.transform(fromRows([[1, 2]], ['a', 'b']))).toThrow(/fitted on 4 features/);
  });
});
