import { fromRows, load } from '@campaign-ml/core';
import fixture from './__fixtures__/selection.json';
import { FittedSelector, SelectKBest, SelectPercentile, VarianceThreshold, fClassif, mutualInfoClassif } from './index';

// Reference values: tools/fixtures/selection.py (scikit-learn 1.2).
const names = ['informative', 'noise', 'negative', 'nearConstant', 'weak', 'discrete', 'strong'];
const X = fromRows(fixture.X, names);
const y = fixture.y;
const supportNames = (mask: boolean[]) => names.filter((_, i) => mask[i]);

describe('selection vs scikit-learn', () => {
  it('fClassif F and p-values', () => {
    const { scores, pValues } = fClassif(X, y);
    fixture.f_classif.F.forEach((f, i) => expect(scores[i] / f).toBeCloseTo(1, 8));
    fixture.f_classif.p.forEach((p, i) => expect(pValues![i] / p).toBeCloseTo(1, 6));
  });

  it('VarianceThreshold variances and support', () => {
    const sel = new VarianceThreshold({ threshold: 0.5 }).fit(X);
    fixture.variances.forEach((v, i) => expect(sel.scores[i] / v).toBeCloseTo(1, 10));
    expect(sel.kept).toEqual(supportNames(fixture.variance_threshold_0_5_support));
    expect(
      new VarianceThreshold().fit(
        fromRows(
          [
            [1, 2],
            [1, 3],
          ],
          ['c', 'v'],
        ),
      ).kept,
    ).toEqual(['v']);
  });

  it('SelectKBest and SelectPercentile keep the same features', () => {
    const k = new SelectKBest({ score: 'fClassif', k: 3 }).fit(X, y);
    expect(k.kept).toEqual(supportNames(fixture.kbest_3_support));
    expect(k.transform(X).columns).toEqual(k.kept);
    expect(new SelectPercentile({ percentile: 50 }).fit(X, y).kept).toEqual(
      supportNames(fixture.percentile_50_support),
    );
    expect(new SelectKBest({ k: 'all' }).fit(X, y).kept).toEqual(names);
  });

  it('mutualInfoClassif is close to scikit-learn (different tie-breaking jitter)', () => {
    const { scores } = mutualInfoClassif(X, y, { discreteFeatures: ['discrete'], seed: 1 });
    fixture.mutual_info.forEach((v, i) => expect(Math.abs(scores[i] - v)).toBeLessThan(0.02));
    const byMi = new SelectKBest({ score: 'mutualInfoClassif', k: 3 }).fit(X, y);
    expect(byMi.kept).toEqual(['informative', 'negative', 'strong']);
  });

  it('a fitted selector round-trips through JSON', () => {
    const sel = new SelectKBest({ k: 2 }).fit(X, y);
    const back = load<FittedSelector>(JSON.stringify(sel));
    expect(back).toBeInstanceOf(FittedSelector);
    expect(back.kept).toEqual(sel.kept);
    expect(back.scores).toEqual(sel.scores);
    expect(back.pValues).toEqual(sel.pValues);
    expect(back.transform(X).data).toEqual(sel.transform(X).data);
    expect(back.scoreTable()[6]).toMatchObject({ feature: 'strong', kept: true });
  });
});
