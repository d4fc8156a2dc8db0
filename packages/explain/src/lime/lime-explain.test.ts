import { Bundle } from '@campaign-ml/bundle';
import { ConfigError, SchemaError } from '@campaign-ml/core';
import { campaignTable, plantedGoalTable, rawRecord, referenceBundle } from '../test-support/explain-bundles';
import { limeExplain } from './lime-explain';
import { weightedRidge } from './weighted-ridge';

describe('limeExplain', () => {
  const planted = plantedGoalTable();
  const plantedBundle = referenceBundle(planted);

  it('puts the planted single feature on top, with the sign of its effect', () => {
    const low = rawRecord(
      planted,
      planted.objects().findIndex((r) => (r as { goal: number }).goal < 3000),
    );
    const e = limeExplain(plantedBundle, planted, low, { numSamples: 2000, seed: 3 });
    expect(e.features[0].column).toBe('goal');
    expect(e.features[0].condition).toMatch(/^goal <= \d+/);
    expect(e.features[0].weight).toBeGreaterThan(0.3); // a low goal raises P(successful)
    for (const f of e.features.slice(1)) expect(Math.abs(f.weight)).toBeLessThan(Math.abs(e.features[0].weight) / 5);
    expect(e.label).toBe('successful');
    expect(e.featureSelection).toBe('highest-weights'); // LIME's auto rule: forward selection only up to 6 features
    expect(e.score).toBeGreaterThan(0.5);
    expect(e.prediction).toBeGreaterThan(0.5);
  });

  it('the same seed gives the identical explanation, another seed a different sample', () => {
    const t = campaignTable(300, 2);
    const b = referenceBundle(t);
    const rec = rawRecord(t, 7);
    const a1 = limeExplain(b, t, rec, { numSamples: 800, seed: 5 });
    const a2 = limeExplain(b, t, rec, { numSamples: 800, seed: 5 });
    const other = limeExplain(b, t, rec, { numSamples: 800, seed: 6 });
    expect(a2).toEqual(a1);
    expect(other.intercept).not.toBe(a1.intercept);
  });

  it('reads conditions as LIME names them: bins, categories, booleans, missing', () => {
    const t = campaignTable(300, 2);
    const b = referenceBundle(t);
    const rec = { ...rawRecord(t, 1), category: 'Music', video: true, backers: null };
    const e = limeExplain(b, t, rec, { numSamples: 300, featureSelection: 'none' });
    const byColumn = Object.fromEntries(e.features.map((f) => [f.column, f.condition]));
    expect(byColumn.category).toBe('category = Music');
    expect(byColumn.video).toBe('video = true');
    expect(byColumn.backers).toBe('backers is missing');
    expect(byColumn.launched_at).toMatch(/launched_at/);
    expect(e.features).toHaveLength(b.features.inputColumns.length);
    // local prediction = intercept + the weights of the conditions the record meets (all of them)
    expect(e.localPrediction).toBeCloseTo(e.intercept + e.features.reduce((s, f) => s + f.weight, 0), 12);
  });

  it('highest weights picks the requested number of features', () => {
    const t = campaignTable(300, 2);
    const e = limeExplain(referenceBundle(t), t, rawRecord(t, 3), {
      numSamples: 300,
      numFeatures: 2,
      featureSelection: 'highest-weights',
    });
    expect(e.features).toHaveLength(2);
    expect(e.featureSelection).toBe('highest-weights');
  });

  it('names the bad option, the missing column, the unknown label and the bad record field', () => {
    const t = campaignTable(100, 2);
    const b: Bundle = referenceBundle(t);
    const rec = rawRecord(t, 0);
    expect(() => limeExplain(b, t, rec, { numSamples: 1 })).toThrow(ConfigError);
    expect(() => limeExplain(b, t.select('goal'), rec)).toThrow(/no column "backers"/);
    expect(limeExplain(b, t, rec, { numSamples: 300, numFeatures: 3 }).featureSelection).toBe('forward-selection');
    expect(() => limeExplain(b, t, rec, { label: 'maybe' })).toThrow(/label "maybe"/);
    expect(() => limeExplain(b, t, { ...rec, goal: 'lots' })).toThrow(/goal/);
    try {
      limeExplain(b, t.select('goal'), rec);
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      expect((e as SchemaError).problems.map((p) => p.column).sort()).toEqual(
        ['backers', 'category', 'launched_at', 'video'].filter((c) => b.features.inputColumns.includes(c)),
      );
    }
  });
});

describe('weightedRidge', () => {
  it('matches the closed form on a small weighted problem (alpha 0 recovers an exact line)', () => {
    // y = 2 + 3·x0 − x1 exactly; any positive weights recover it with alpha 0.
    const X = Float64Array.from([0, 0, 1, 0, 0, 1, 1, 1, 2, 1]);
    const y = Float64Array.from([2, 5, 1, 4, 7]);
    const w = Float64Array.from([1, 2, 0.5, 1, 3]);
    const fit = weightedRidge(X, 2, y, w, [0, 1], 0);
    expect(fit.intercept).toBeCloseTo(2, 10);
    expect(Array.from(fit.coef).map((c) => Number(c.toFixed(10)))).toEqual([3, -1]);
    expect(fit.score).toBeCloseTo(1, 12);
  });

  it('shrinks with alpha like scikit-learn Ridge on one centred column', () => {
    // One column: coef = Σw·xc·yc / (Σw·xc² + alpha).
    const X = Float64Array.from([0, 1, 2, 3]);
    const y = Float64Array.from([1, 3, 2, 5]);
    const w = Float64Array.from([1, 1, 2, 1]);
    const sw = 5;
    const mx = (0 + 1 + 4 + 3) / sw;
    const my = (1 + 3 + 4 + 5) / sw;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < 4; i++) {
      sxy += w[i] * (X[i] - mx) * (y[i] - my);
      sxx += w[i] * (X[i] - mx) ** 2;
    }
    const fit = weightedRidge(X, 1, y, w, [0], 1);
    expect(fit.coef[0]).toBeCloseTo(sxy / (sxx + 1), 14);
    expect(fit.intercept).toBeCloseTo(my - mx * (sxy / (sxx + 1)), 14);
  });
});
