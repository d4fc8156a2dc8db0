import { take, throwIfAborted, type Fold, type Matrix, type Regressor } from '@campaign-ml/core';
import { regressionMetrics, type Metrics } from '../metrics';
import type { ForecastCandidate } from './forecast-candidates';

export interface ScoredCandidate {
  candidate: ForecastCandidate;
  /** Metrics of each time-ordered fold (fitted on its training rows). */
  folds: Metrics[];
  /** Fitted on the whole training part. */
  model: Regressor;
  test: Metrics;
  pred: Float64Array;
  fitMs: number;
}

/**
 * One candidate on the same time-ordered folds as the families (fit on a fold's training rows,
 * scored on its validation rows), then fitted on the whole training part and scored on the test
 * part. Deterministic: the candidates are seeded.
 */
export function scoreCandidate(
  candidate: ForecastCandidate,
  X: Matrix,
  y: Float64Array,
  folds: readonly Fold[],
  Xtest: Matrix,
  yTest: Float64Array,
  signal?: AbortSignal,
): ScoredCandidate {
  const t0 = performance.now();
  const foldMetrics = folds.map((f) => {
    throwIfAborted(signal);
    const m = candidate.create().fit(
      take(X, f.train),
      Float64Array.from(f.train, (i) => y[i]),
    );
    return regressionMetrics(
      Float64Array.from(f.test, (i) => y[i]),
      m.predict(take(X, f.test)),
    );
  });
  const model = candidate.create().fit(X, y, { signal });
  const pred = model.predict(Xtest);
  return {
    candidate,
    folds: foldMetrics,
    model,
    test: regressionMetrics(yTest, pred),
    pred,
    fitMs: performance.now() - t0,
  };
}
