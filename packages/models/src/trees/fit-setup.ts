import { checkPredictColumns, checkSampleWeight, checkXy, createRng } from '@campaign-ml/core';
import type { FitOptions, Matrix } from '@campaign-ml/core';
import { BinMapper } from './binning';
import type { BinnedData } from './binning';
import { assertMatrix } from './fitted-tree-model';
import { checkNumber, resolveCategorical } from './tree-params';

export interface PreparedData {
  y: Float64Array;
  w: Float64Array | undefined;
  mapper: BinMapper;
  binned: BinnedData;
}

/** Shared checks and binning for every tree estimator's fit. */
export function prepareFit(
  owner: string,
  X: Matrix,
  y: ArrayLike<number>,
  opts: FitOptions,
  maxBins: number,
  categorical: ReadonlyArray<number | string> | undefined,
  seed: number,
): PreparedData {
  assertMatrix(X, 'X');
  checkNumber(owner, 'maxBins', maxBins, { min: 2, max: 255, integer: true });
  const yy = checkXy(X, y);
  const w = checkSampleWeight(opts.sampleWeight, X.rows);
  if (opts.validation) {
    assertMatrix(opts.validation.X, 'validation.X');
    checkPredictColumns(opts.validation.X, X.columns);
    checkXy(opts.validation.X, opts.validation.y);
  }
  const mapper = BinMapper.fit(X, {
    maxBins,
    categorical: resolveCategorical(X, categorical),
    seed: createRng(seed).nextUint32(),
  });
  return { y: yy, w, mapper, binned: mapper.transform(X) };
}

/** A sorted random subset of `count` of the features 0..nFeatures-1 (all of them when count >= nFeatures). */
export function sampleFeatures(nFeatures: number, count: number, rng: ReturnType<typeof createRng>): Int32Array {
  if (count >= nFeatures) return Int32Array.from({ length: nFeatures }, (_, i) => i);
  const s = Int32Array.from(rng.sampleIndices(nFeatures, count));
  return s.sort();
}
