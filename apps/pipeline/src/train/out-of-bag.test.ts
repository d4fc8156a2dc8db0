import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import { parseConfig, type PipelineConfigInput } from '../config';
import { FAMILIES } from '../families';
import { outOfBagEstimator } from '../parallel/out-of-bag-part';
import { ParallelCv } from '../parallel/parallel-cv';
import { Progress } from '../progress';
import { evaluateOutOfBag, predictionOfSums, scoredOutOfBag } from './out-of-bag';
import { train, type TrainResult } from './train';

describe('scoredOutOfBag', () => {
  it("takes the table pipeline's bootstrapped forests only, and only with tuning.outOfBag", () => {
    expect(scoredOutOfBag(FAMILIES.randomForest, 'table', 'binary', true)).toBe(true);
    expect(scoredOutOfBag(FAMILIES.randomForest, 'table', 'regression', true)).toBe(true);
    expect(scoredOutOfBag(FAMILIES.randomForest, 'table', 'binary', false)).toBe(false);
    // The forecast's folds are time-ordered: bootstraps would mix past and future.
    expect(scoredOutOfBag(FAMILIES.randomForest, 'forecast', 'regression', true)).toBe(false);
    expect(scoredOutOfBag(FAMILIES.gradientBoosting, 'table', 'binary', true)).toBe(false);
    expect(scoredOutOfBag(FAMILIES.logistic, 'table', 'binary', true)).toBe(false);
  });
});

describe('evaluateOutOfBag', () => {
  it('scores the rows that have an out-of-bag prediction and gives the others the training prior', () => {
    // Binary: rows x 2; row 3 was in every bootstrap.
    const proba = Float64Array.from([0.8, 0.2, 0.3, 0.7, 0.6, 0.4, NaN, NaN, 0.1, 0.9]);
    const y = Float64Array.from([0, 1, 1, 1, 1]);
    const e = evaluateOutOfBag(proba, y, 'binary', ['rocAuc', 'accuracy']);
    expect(e.missing).toBe(1);
    // Scored rows 0, 1, 2, 4: P = 0.2, 0.7, 0.4, 0.9 for y = 0, 1, 1, 1 -> AUC 1; labels 0, 1, 0, 1 -> 3/4.
    expect(e.scores).toEqual({ rocAuc: 1, accuracy: 0.75 });
    if (e.oof.task !== 'classification') throw new Error('expected class probabilities');
    expect(Array.from(e.oof.proba.subarray(6, 8))).toEqual([0.2, 0.8]); // class shares of y
    expect(Array.from(e.oof.fold)).toEqual([0, 0, 0, -1, 0]);
    const r = evaluateOutOfBag(Float64Array.from([1, NaN, 3]), Float64Array.from([1, 5, 3]), 'regression', ['rmse']);
    expect(r.scores.rmse).toBe(0);
    expect(r.oof.task === 'regression' && Array.from(r.oof.values)).toEqual([1, 3, 3]);
  });
});

/** Columns 0..p-1 standard normal; the rest of the task is up to the caller. */
function normals(n: number, p: number, seed: number): Matrix {
  const rng = createRng(seed);
  return createMatrix(
    n,
    p,
    Float64Array.from({ length: n * p }, () => rng.normal()),
  );
}

describe('ParallelCv.outOfBagEvaluator (the forest in two halves)', () => {
  const cv = new ParallelCv(); // no pool: the halves run here in turn, through the same fold jobs
  const n = 300;
  const X = normals(n, 4, 3);
  const w = Float64Array.from({ length: n }, (_, r) => (r % 4 === 0 ? 3 : 1));
  const cases = [
    ['binary', Float64Array.from({ length: n }, (_, r) => (X.data[r] + X.data[n + r] > 0 ? 1 : 0))],
    ['multiclass', Float64Array.from({ length: n }, (_, r) => (X.data[r] > 0.5 ? 2 : X.data[n + r] > 0 ? 1 : 0))],
    ['regression', Float64Array.from({ length: n }, (_, r) => 3 * X.data[r] - X.data[2 * n + r])],
  ] as const;
  it.each(cases)('%s: equals one forest fitted with the same sample weights', async (task, y) => {
    const params = { nEstimators: 21, maxFeatures: 'sqrt', minSamplesLeaf: 2 };
    const spec = { family: 'randomForest' as const, task, seed: 5, sampleWeight: w };
    const sums = await cv.outOfBagEvaluator(X, y, spec)(params, 1);
    const halves = predictionOfSums(sums, task);
    const whole = outOfBagEstimator(FAMILIES.randomForest, task, params, 5)!
      .fit(X, y, { sampleWeight: w })
      .oobPrediction()!;
    expect(halves.length).toBe(task === 'regression' ? n : task === 'binary' ? 2 * n : 3 * n);
    for (let i = 0; i < whole.length; i++) {
      if (Number.isNaN(whole[i])) expect(Number.isNaN(halves[i])).toBe(true);
      else expect(halves[i]).toBeCloseTo(whole[i], 12);
    }
    // The weights matter: unweighted halves give other predictions.
    const unweighted = predictionOfSums(
      await cv.outOfBagEvaluator(X, y, { ...spec, sampleWeight: undefined })(params, 1),
      task,
    );
    expect(Array.from(unweighted)).not.toEqual(Array.from(halves));
  });
});

describe('train with the random forest family', () => {
  // The first 800 rows of the embedded sample keep the test fast; every stage still runs.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-oob-'));
  const data = path.join(dir, 'kickstarter-head.csv');
  const lines = fs.readFileSync(path.resolve(__dirname, '../../../../data/kickstarter-sample.csv'), 'utf8').split('\n');
  fs.writeFileSync(data, lines.slice(0, 801).join('\n') + '\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = (tuning: PipelineConfigInput['tuning']) =>
    parseConfig({
      data,
      target: 'state',
      positive: 'successful',
      excludeLabels: ['canceled', 'live'],
      models: ['logistic', 'randomForest'],
      tuning,
      tracking: { enabled: false },
    });
  async function run(tuning: PipelineConfigInput['tuning'], workers: string): Promise<TrainResult> {
    const saved = process.env.CAMPAIGN_ML_WORKERS;
    process.env.CAMPAIGN_ML_WORKERS = workers;
    try {
      return await train(config(tuning), new Progress('quiet'));
    } finally {
      if (saved === undefined) delete process.env.CAMPAIGN_ML_WORKERS;
      else process.env.CAMPAIGN_ML_WORKERS = saved;
    }
  }
  const forest = (r: TrainResult) => r.metrics.models.find((m) => m.model === 'randomForest')!;
  /** Everything but wall-clock times. */
  const comparable = (r: TrainResult) =>
    JSON.stringify({
      ...r.metrics,
      stageTimesMs: undefined,
      models: r.metrics.models.map((m) => ({
        ...m,
        baseline: { ...m.baseline, fitMs: 0 },
        tuned: m.tuned && { ...m.tuned, trials: m.tuned.trials.map((t) => ({ ...t, durationMs: 0 })) },
      })),
    });

  let oob: TrainResult;
  beforeAll(async () => {
    oob = await run({ trials: 3, folds: 3 }, '2');
  }, 120_000);

  it("scores the forest out of bag by default (cvMethod 'out-of-bag', one score per trial) and the others by k-fold", () => {
    const rf = forest(oob);
    expect(rf.cvMethod).toBe('out-of-bag');
    expect(rf.outOfBagMissing).toBe(0);
    expect(rf.baseline.cv.folds).toHaveLength(1);
    expect(rf.baseline.cv.mean).toBe(rf.baseline.cv.folds[0]);
    expect(rf.baseline.cv.mean).toBeGreaterThan(0.7);
    expect(rf.tuned!.trials).toHaveLength(3);
    expect(rf.tuned!.cv.mean).toBeGreaterThanOrEqual(rf.baseline.cv.mean);
    const logistic = oob.metrics.models.find((m) => m.model === 'logistic')!;
    expect(logistic.cvMethod).toBe('k-fold');
    expect(logistic.baseline.cv.folds).toHaveLength(3);
    // The forest's out-of-bag predictions fed the ensemble stage like out-of-fold ones.
    const ensemble = oob.metrics.models.find((m) => m.model === 'ensemble');
    if (ensemble) expect(ensemble.cvMethod).toBe('k-fold');
    expect(oob.metrics.best.cvMethod).toBe(oob.metrics.best.model === 'randomForest' ? 'out-of-bag' : 'k-fold');
    expect(oob.metrics.best.threshold).toBeGreaterThan(0);
  });

  it('gives the same run with the halves on the main thread as on two worker threads', async () => {
    const one = await run({ trials: 3, folds: 3 }, '1');
    expect(comparable(one)).toBe(comparable(oob));
    expect(Buffer.from(one.testScores.buffer).equals(Buffer.from(oob.testScores.buffer))).toBe(true);
  }, 120_000);

  it('tuning.outOfBag: false restores k-fold CV for the forest', async () => {
    const kfold = await run({ trials: 1, folds: 3, outOfBag: false }, '2');
    const rf = forest(kfold);
    expect(rf.cvMethod).toBe('k-fold');
    expect(rf.baseline.cv.folds).toHaveLength(3);
    // The same defaults fitted on the same rows: the kept baseline model scores the same test rows alike.
    expect(rf.baseline.test.rocAuc).toBe(forest(oob).baseline.test.rocAuc);
  }, 120_000);
});
