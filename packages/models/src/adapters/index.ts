export { MlRandomForestClassifier, FittedMlRandomForestClassifier } from './ml-random-forest-classifier';
export type { MlRandomForestClassifierParams } from './ml-random-forest-classifier';
export { MlLogisticRegression, FittedMlLogisticRegression } from './ml-logistic-regression';
export type { MlLogisticRegressionParams } from './ml-logistic-regression';
