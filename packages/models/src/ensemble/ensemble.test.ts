import { createMatrix, createRng, load, selectColumns, type Matrix } from '@campaign-ml/core';
import { GradientBoostingClassifier } from '../trees';
import { LogisticRegression, Ridge } from '../linear';
import { rocAucScore, rootMeanSquaredError } from '../metrics';
import type { CvPredictions } from '../cv/predictions';
import { crossValidateEnsembleSelection, ensembleSelection } from './ensemble-selection';
import { FittedVotingClassifier, FittedVotingRegressor, VotingClassifier, VotingRegressor } from './voting';

/** y depends on an interaction of a,b (trees see it) and linearly on c (a linear model sees it). */
function data(n: number, seed: number): { X: Matrix; y: Float64Array; yReal: Float64Array } {
  const rng = createRng(seed);
  const cols = ['a', 'b', 'c', 'c_scaled'];
  const d = new Float64Array(n * 4);
  const y = new Float64Array(n);
  const yReal = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const a = rng.normal();
    const b = rng.normal();
    const c = rng.normal();
    d[r] = a;
    d[n + r] = b;
    d[2 * n + r] = c;
    d[3 * n + r] = c / 2;
    const s = a > 0 !== b > 0 ? 1 : -1;
    yReal[r] = s + c + 0.3 * rng.normal();
    y[r] = yReal[r] > 0 ? 1 : 0;
  }
  return { X: createMatrix(n, 4, d, cols), y, yReal };
}

const positive = (p: Float64Array) => Float64Array.from({ length: p.length / 2 }, (_, r) => p[2 * r + 1]);
const proba = (p: Float64Array): Extract<CvPredictions, { task: 'classification' }> => ({
  task: 'classification',
  classes: 2,
  proba: p,
  labels: Int32Array.from({ length: p.length / 2 }, (_, r) => (p[2 * r + 1] >= 0.5 ? 1 : 0)),
});

describe('VotingClassifier', () => {
  const { X, y } = data(600, 1);
  const test = data(400, 2);
  const trees = ['a', 'b', 'c'];
  const linear = ['c_scaled'];
  const vote = new VotingClassifier({
    estimators: [
      {
        name: 'gbdt',
        estimator: new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3, seed: 1 }),
        columns: trees,
      },
      { name: 'logistic', estimator: new LogisticRegression(), columns: linear },
    ],
    weights: [3, 1],
  }).fit(X, y);

  it('is the weighted mean of its members, each fitted and predicting on its own columns', () => {
    const g = new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3, seed: 1 })
      .fit(selectColumns(X, trees), y)
      .predictProba(selectColumns(test.X, trees));
    const l = new LogisticRegression().fit(selectColumns(X, linear), y).predictProba(selectColumns(test.X, linear));
    const p = vote.predictProba(test.X);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo((3 * g[i] + l[i]) / 4, 12);
    expect(Array.from(vote.predict(test.X))).toEqual(
      Array.from({ length: test.X.rows }, (_, r) => (p[2 * r + 1] >= 0.5 ? 1 : 0)),
    );
  });

  it('gives the same answer on every call with the member column positions it caches', () => {
    const p = vote.predictProba(test.X);
    const again = createMatrix(test.X.rows, test.X.cols, test.X.data.slice(), [...test.X.columns]);
    expect(Array.from(vote.predictProba(again))).toEqual(Array.from(p));
    expect(Array.from(vote.predictProba(test.X))).toEqual(Array.from(p));
    expect(() => vote.predictProba(selectColumns(test.X, ['c_scaled', 'c', 'b', 'a']))).toThrow(/model expects "a"/);
  });

  it('beats each member when they see different signal', () => {
    const auc = (m: { predictProba(X: Matrix): Float64Array }, Xt: Matrix) =>
      rocAucScore(test.y, positive(m.predictProba(Xt)));
    const g = new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3, seed: 1 }).fit(
      selectColumns(X, ['a', 'b']),
      y,
    );
    const l = new LogisticRegression().fit(selectColumns(X, linear), y);
    const both = new VotingClassifier({
      estimators: [
        {
          name: 'gbdt',
          estimator: new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3, seed: 1 }),
          columns: ['a', 'b'],
        },
        { name: 'logistic', estimator: new LogisticRegression(), columns: linear },
      ],
    }).fit(X, y);
    const blended = auc(both, test.X);
    expect(blended).toBeGreaterThan(auc(g, selectColumns(test.X, ['a', 'b'])) + 0.02);
    expect(blended).toBeGreaterThan(auc(l, selectColumns(test.X, linear)) + 0.02);
  });

  it('round-trips through JSON with identical probabilities', () => {
    const back = load<FittedVotingClassifier>(JSON.parse(JSON.stringify(vote)));
    expect(back).toBeInstanceOf(FittedVotingClassifier);
    expect(back.predictProba(test.X)).toEqual(vote.predictProba(test.X));
    expect(back.members.map((m) => [m.name, m.weight])).toEqual([
      ['gbdt', 3],
      ['logistic', 1],
    ]);
  });

  it('can be assembled from fitted members, with the same probabilities as fitting it', () => {
    const g = new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3, seed: 1 }).fit(selectColumns(X, trees), y);
    const l = new LogisticRegression().fit(selectColumns(X, linear), y);
    const made = FittedVotingClassifier.fromFitted(X.columns, [
      { name: 'gbdt', model: g, weight: 3, columns: trees },
      { name: 'logistic', model: l, weight: 1, columns: linear },
      { name: 'unused', model: l, weight: 0 },
    ]);
    expect(made.members).toHaveLength(2);
    expect(made.predictProba(test.X)).toEqual(vote.predictProba(test.X));
    expect(() =>
      FittedVotingClassifier.fromFitted(['a'], [{ name: 'g', model: g, weight: 1, columns: trees }]),
    ).toThrow(/reads column "b"/);
    // A member fitted under other names reads renamed columns of the ensemble's input.
    const renamed = createMatrix(test.X.rows, 4, test.X.data, ['tree:a', 'tree:b', 'tree:c', 'linear:c_scaled']);
    const union = FittedVotingClassifier.fromFitted(renamed.columns, [
      { name: 'gbdt', model: g, weight: 3, columns: ['tree:a', 'tree:b', 'tree:c'], featureNames: trees },
      { name: 'logistic', model: l, weight: 1, columns: ['linear:c_scaled'], featureNames: linear },
    ]);
    expect(union.predictProba(renamed)).toEqual(vote.predictProba(test.X));
    expect(load<FittedVotingClassifier>(JSON.parse(JSON.stringify(union))).predictProba(renamed)).toEqual(
      vote.predictProba(test.X),
    );
    expect(() =>
      FittedVotingClassifier.fromFitted(renamed.columns, [
        { name: 'g', model: g, weight: 1, columns: ['tree:a'], featureNames: trees },
      ]),
    ).toThrow(/3 feature names for 1 columns/);
  });

  it('does not fit members with weight 0', () => {
    const v = new VotingClassifier({
      estimators: [
        { name: 'gbdt', estimator: new GradientBoostingClassifier({ nEstimators: 5 }), columns: trees },
        { name: 'logistic', estimator: new LogisticRegression(), columns: linear },
      ],
      weights: [0, 1],
    }).fit(X, y);
    expect(v.members.map((m) => m.name)).toEqual(['logistic']);
  });

  it('names what is wrong with its parameters and inputs', () => {
    const est = new LogisticRegression();
    expect(() => new VotingClassifier({ estimators: [] })).toThrow(/at least one member/);
    expect(
      () =>
        new VotingClassifier({
          estimators: [
            { name: 'x', estimator: est },
            { name: 'x', estimator: est },
          ],
        }),
    ).toThrow(/"x" is used twice/);
    expect(() => new VotingClassifier({ estimators: [{ name: 'x', estimator: est }], weights: [1, 2] })).toThrow(
      /2 weights for 1 estimators/,
    );
    expect(() => new VotingClassifier({ estimators: [{ name: 'x', estimator: est }], weights: [-1] })).toThrow(
      /weight of "x" is -1/,
    );
    expect(() => new VotingClassifier({ estimators: [{ name: 'x', estimator: est }], weights: [0] })).toThrow(
      /every weight is 0/,
    );
    expect(() =>
      new VotingClassifier({ estimators: [{ name: 'x', estimator: est, columns: ['nope'] }] }).fit(X, y),
    ).toThrow(/nope/);
    expect(() => vote.predictProba(selectColumns(test.X, ['a', 'b']))).toThrow();
  });
});

describe('VotingRegressor', () => {
  it('averages its members and round-trips', () => {
    const { X, yReal } = data(300, 3);
    const v = new VotingRegressor({
      estimators: [
        { name: 'r1', estimator: new Ridge({ alpha: 1 }), columns: ['c'] },
        { name: 'r2', estimator: new Ridge({ alpha: 10 }) },
      ],
    }).fit(X, yReal);
    const a = new Ridge({ alpha: 1 }).fit(selectColumns(X, ['c']), yReal).predict(selectColumns(X, ['c']));
    const b = new Ridge({ alpha: 10 }).fit(X, yReal).predict(X);
    const p = v.predict(X);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo((a[i] + b[i]) / 2, 12);
    expect(load<FittedVotingRegressor>(JSON.parse(JSON.stringify(v))).predict(X)).toEqual(p);
  });
});

describe('ensembleSelection', () => {
  const rng = createRng(7);
  const n = 400;
  const y = Float64Array.from({ length: n }, () => (rng.random() < 0.4 ? 1 : 0));
  // Two candidates with independent noise (averaging helps), one uninformative.
  const noisy = (sd: number) => {
    const p = new Float64Array(2 * n);
    for (let r = 0; r < n; r++) {
      const q = 1 / (1 + Math.exp(-(2 * (y[r] - 0.5) + sd * rng.normal())));
      p[2 * r] = 1 - q;
      p[2 * r + 1] = q;
    }
    return proba(p);
  };
  const a = noisy(1.5);
  const b = noisy(1.5);
  const junk = proba(Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? 0.6 : 0.4)));

  it('starts from the best single candidate and improves on it by blending', () => {
    const sel = ensembleSelection([junk, a, b], y, 'rocAuc', { rounds: 20 });
    const single = Math.max(rocAucScore(y, positive(a.proba)), rocAucScore(y, positive(b.proba)));
    expect(sel.trace[0]).toBeCloseTo(single, 12);
    expect(sel.score).toBeGreaterThan(single + 0.01);
    expect(sel.weights[0]).toBe(0);
    expect(sel.weights[1]).toBeGreaterThan(0.2);
    expect(sel.weights[2]).toBeGreaterThan(0.2);
    expect(sel.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    expect(ensembleSelection([junk, a, b], y, 'rocAuc', { rounds: 20 })).toEqual(sel);
  });

  it('draws every round and keeps the shortest prefix that reaches the best score (Caruana, AutoGluon)', () => {
    const sel = ensembleSelection([junk, a, b], y, 'rocAuc', { rounds: 20 });
    expect(sel.trace).toHaveLength(20);
    const best = Math.max(...sel.trace);
    expect(sel.score).toBe(best);
    expect(sel.size).toBe(sel.trace.indexOf(best) + 1);
    // Weights are draws over that prefix: multiples of 1/size.
    for (const w of sel.weights) expect(Math.abs(w * sel.size - Math.round(w * sel.size))).toBeLessThan(1e-12);
    // Stopping at the first draw that does not improve (the old rule) never scores better.
    const firstStall = sel.trace.findIndex((s, k) => k > 0 && s <= sel.trace[k - 1]);
    expect(sel.score).toBeGreaterThanOrEqual(sel.trace[(firstStall === -1 ? sel.trace.length : firstStall) - 1]);
  });

  it('minimizes losses (regression RMSE)', () => {
    const truth = Float64Array.from({ length: 100 }, (_, i) => i / 10);
    const good: CvPredictions = { task: 'regression', values: truth.map((v) => v + 0.1) };
    const bad: CvPredictions = { task: 'regression', values: truth.map((v) => v + 3) };
    const sel = ensembleSelection([bad, good], truth, 'rmse', { rounds: 5 });
    expect(sel.weights).toEqual([0, 1]);
    expect(sel.score).toBeCloseTo(rootMeanSquaredError(truth, good.values), 12);
  });

  it('cross-validates the selection fold by fold', () => {
    const fold = Int32Array.from({ length: n }, (_, r) => r % 4);
    const scores = crossValidateEnsembleSelection([junk, a], y, fold, 'rocAuc', { rounds: 3 });
    expect(scores).toHaveLength(4);
    // With one useful candidate every fold picks it alone: the fold scores are its own.
    for (let f = 0; f < 4; f++) {
      const rows = Array.from({ length: n }, (_, r) => r).filter((r) => fold[r] === f);
      expect(scores[f]).toBeCloseTo(
        rocAucScore(
          rows.map((r) => y[r]),
          rows.map((r) => a.proba[2 * r + 1]),
        ),
        12,
      );
    }
  });

  it('rejects candidates of different shapes', () => {
    const short = proba(new Float64Array(10));
    expect(() => ensembleSelection([a, short], y, 'rocAuc')).toThrow(/candidate 1/);
    expect(() => ensembleSelection([a], y, 'rocAuc', { rounds: 0 })).toThrow(/rounds/);
    expect(() => ensembleSelection([], y, 'rocAuc')).toThrow(/no candidates/);
  });
});
