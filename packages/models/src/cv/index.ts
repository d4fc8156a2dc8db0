export { crossValidate, type CrossValidateOptions, type CrossValidateResult, type FoldScores } from './cross-validate';
export { crossValPredict, type OutOfFold } from './cross-val-predict';
export {
  chooseThreshold,
  type ChooseThresholdOptions,
  type ThresholdChoice,
  type ThresholdMetric,
  type ConfusionCounts,
} from './choose-threshold';
export { METRIC_NAMES, resolveScorer, type MetricName, type CustomScorer, type CvScorer } from './scorers';
export { labelsFromProba, type CvPredictions } from './predictions';
export type { CvRunOptions } from './fold-runner';
export type { FoldOptions } from './cv-folds';
