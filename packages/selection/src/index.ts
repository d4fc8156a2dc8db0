export { FittedSelector } from './fitted-selector';
export { VarianceThreshold, type VarianceThresholdParams } from './variance-threshold';
export { CorrelationFilter, type CorrelationFilterParams } from './correlation-filter';
export { fClassif, type FeatureScores } from './f-classif';
export { mutualInfoClassif, type MutualInfoOptions } from './mutual-info-classif';
export {
  SelectKBest,
  SelectPercentile,
  type SelectKBestParams,
  type SelectPercentileParams,
  type ScoreFunction,
  type ScoreName,
} from './select-k-best';
export { SelectFromModel, type SelectFromModelParams } from './select-from-model';
export { RFECV, type RFECVParams, type RFECVResult } from './rfecv';
export {
  permutationImportance,
  type PermutationImportance,
  type PermutationImportanceOptions,
} from './permutation-importance';
export { defaultScorer, type Scorer } from './scoring';
