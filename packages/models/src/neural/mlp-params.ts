import { ConfigError } from '@campaign-ml/core';
import { checkInteger, checkNumber, checkOneOf } from '../linear/param-checks';
import type { MlpActivation } from './mlp-network';
import type { MlpTrainSettings } from './train-mlp';

export interface MlpParams {
  /** Units per hidden layer. Default [100]. */
  hiddenLayerSizes?: readonly number[];
  /** Hidden activation, 'relu' (default) or 'tanh'. */
  activation?: MlpActivation;
  /** L2 penalty (scikit-learn's alpha). Default 1e-4. */
  alpha?: number;
  /** Rows per mini-batch; 'auto' = min(200, rows). */
  batchSize?: number | 'auto';
  /** Adam step size. Default 1e-3. */
  learningRateInit?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Maximum epochs. Default 200. */
  maxIter?: number;
  /** Improvement below tol counts as none. Default 1e-4. */
  tol?: number;
  /** Hold out validationFraction of the rows (or use fit's `validation`) and stop when its score stalls. Default false. */
  earlyStopping?: boolean;
  validationFraction?: number;
  /** Epochs without improvement before stopping. Default 10. */
  nIterNoChange?: number;
  /** Seed for initialization, shuffling and the validation split. Default 0. */
  seed?: number;
}

export type ResolvedMlpParams = MlpTrainSettings & { hiddenLayerSizes: readonly number[]; activation: MlpActivation };

export function resolveMlpParams(owner: string, p: MlpParams): Readonly<ResolvedMlpParams> {
  const hidden = p.hiddenLayerSizes ?? [100];
  if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new ConfigError(
      'INVALID_PARAM',
      `${owner}: hiddenLayerSizes must be a list of positive integers, got ${JSON.stringify(hidden)}`,
      {
        column: 'hiddenLayerSizes',
        value: hidden,
        expected: 'e.g. [100] or [64, 32]',
      },
    );
  }
  const batchSize = p.batchSize ?? 'auto';
  if (batchSize !== 'auto') checkInteger(owner, 'batchSize', batchSize, 1);
  return Object.freeze({
    hiddenLayerSizes: Object.freeze([...hidden]),
    activation: checkOneOf(owner, 'activation', p.activation ?? 'relu', ['relu', 'tanh']),
    alpha: checkNumber(owner, 'alpha', p.alpha ?? 1e-4, 0, Infinity),
    batchSize,
    learningRateInit: checkNumber(owner, 'learningRateInit', p.learningRateInit ?? 1e-3, 0, Infinity, false),
    beta1: checkNumber(owner, 'beta1', p.beta1 ?? 0.9, 0, 0.999999),
    beta2: checkNumber(owner, 'beta2', p.beta2 ?? 0.999, 0, 0.999999),
    epsilon: checkNumber(owner, 'epsilon', p.epsilon ?? 1e-8, 0, Infinity, false),
    maxIter: checkInteger(owner, 'maxIter', p.maxIter ?? 200, 1),
    tol: checkNumber(owner, 'tol', p.tol ?? 1e-4, 0, Infinity),
    earlyStopping: p.earlyStopping ?? false,
    validationFraction: checkNumber(owner, 'validationFraction', p.validationFraction ?? 0.1, 0, 0.9, false),
    nIterNoChange: checkInteger(owner, 'nIterNoChange', p.nIterNoChange ?? 10, 1),
    seed: checkInteger(owner, 'seed', p.seed ?? 0, 0),
  });
}
