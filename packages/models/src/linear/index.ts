export { LogisticRegression, FittedLogisticRegression } from './logistic-regression';
export type { LogisticRegressionParams, LogisticPenalty } from './logistic-regression';
export { minimizeLbfgs } from './lbfgs';
export type { Objective, LbfgsOptions, LbfgsResult } from './lbfgs';
export { checkNoMissing } from './check-no-missing';
