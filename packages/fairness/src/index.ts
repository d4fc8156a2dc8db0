export {
  metricFrame,
  type MetricFrame,
  type MetricFrameInput,
  type MetricFrameIntervals,
  type BootstrapOptions,
  type GapMethod,
  type Interval,
} from './metric-frame';
export {
  selectionRate,
  truePositiveRate,
  falsePositiveRate,
  falseNegativeRate,
  trueNegativeRate,
  accuracy,
  type GroupMetric,
  type RateOptions,
} from './rates';
export {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
  equalOpportunityDifference,
  equalOpportunityRatio,
  fourFifthsRule,
  type ParityOptions,
  type FourFifthsResult,
} from './parity';
export { groupsOf, type SensitiveFeatures, type SensitiveValue, type GroupInfo, type Groups } from './sensitive-groups';
export { fitBins, applyBins, type BinSpec, type Bins } from './sensitive-bins';
export { reweighing, type Reweighing, type ReweighingCell, type ReweighingOptions } from './reweighing';
export {
  ThresholdOptimizer,
  FittedThresholdOptimizer,
  type ThresholdOptimizerParams,
  type FairnessConstraint,
  type ThresholdObjective,
  type GroupThresholdRule,
  type ThresholdFitSummary,
} from './threshold-optimizer';
