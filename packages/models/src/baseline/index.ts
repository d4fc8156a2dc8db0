export { DummyClassifier, FittedDummyClassifier } from './dummy-classifier';
export type { DummyClassifierParams, DummyClassifierStrategy } from './dummy-classifier';
export { DummyRegressor, FittedDummyRegressor } from './dummy-regressor';
export type { DummyRegressorParams, DummyRegressorStrategy } from './dummy-regressor';
export { NaiveRegressor, FittedNaiveRegressor } from './naive-regressor';
export type { NaiveRegressorParams } from './naive-regressor';
