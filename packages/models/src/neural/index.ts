export { MLPClassifier, FittedMLPClassifier } from './mlp-classifier';
export { MLPRegressor, FittedMLPRegressor } from './mlp-regressor';
export type { MlpParams } from './mlp-params';
export type { MlpActivation } from './mlp-network';
