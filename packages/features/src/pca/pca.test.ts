import { InputError, column, fromRows, load } from '@campaign-ml/core';
import fixture from './__fixtures__/pca.json';
import { FittedPCA, PCA } from './index';

// Reference values: tools/fixtures/pca.py (scikit-learn 1.2).
const X = fromRows(fixture.X, ['a', 'b', 'c', 'd', 'e', 'f']);

describe.each(Object.entries(fixture.cases))('PCA vs scikit-learn (%s)', (_name, ref) => {
  const fitted = new PCA({ nComponents: 3, scale: ref.scale }).fit(X);

  it('components and explained variance match', () => {
    const comps = Array.from(fitted.components);
    ref.components.flat().forEach((v, i) => expect(comps[i]).toBeCloseTo(v, 8));
    ref.explained_variance.forEach((v, i) => expect(fitted.explainedVariance[i] / v).toBeCloseTo(1, 9));
    ref.explained_variance_ratio.forEach((v, i) => expect(fitted.explainedVarianceRatio[i]).toBeCloseTo(v, 10));
  });

  it('projections match', () => {
    const Y = fitted.transform(X);
    expect(Y.columns).toEqual(['pc1', 'pc2', 'pc3']);
    for (let i = 0; i < 3; i++) {
      const col = column(Y, i);
      ref.transformed.forEach((row, r) => expect(col[r]).toBeCloseTo(row[i], 7));
    }
  });

  it('a variance fraction keeps as many components as scikit-learn', () => {
    expect(new PCA({ varianceFraction: 0.95, scale: ref.scale }).fit(X).nComponents).toBe(ref.n_components_95);
    const all = new PCA({ scale: ref.scale }).fit(X);
    ref.all_explained_variance_ratio.forEach((v, i) => expect(all.explainedVarianceRatio[i]).toBeCloseTo(v, 10));
  });
});

describe('PCA', () => {
  it('round-trips through JSON exactly', () => {
    const fitted = new PCA({ varianceFraction: 0.99, scale: true }).fit(X);
    const back = load<FittedPCA>(JSON.parse(JSON.stringify(fitted)));
    expect(back).toBeInstanceOf(FittedPCA);
    expect(back.transform(X).data).toEqual(fitted.transform(X).data);
  });

  it('refuses bad options, missing values and other columns', () => {
    expect(() => new PCA({ nComponents: 0 })).toThrow(InputError);
    expect(() => new PCA({ varianceFraction: 1.5 })).toThrow(/varianceFraction/);
    expect(() => new PCA({ nComponents: 9 }).fit(X)).toThrow(/at most 6 components/);
    expect(() =>
      new PCA().fit(
        fromRows([
          [1, NaN],
          [2, 3],
        ]),
      ),
    ).toThrow(/impute first/);
    const fitted = new PCA({ nComponents: 2 }).fit(X);
    expect(() => fitted.transform(fromRows([[1, 2]]))).toThrow(/fitted on 6 features/);
  });
});
