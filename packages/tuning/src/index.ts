export {
  int,
  float,
  logFloat,
  categorical,
  type Condition,
  type IntDistribution,
  type FloatDistribution,
  type CategoricalDistribution,
  type Distribution,
  type SearchSpace,
  type ParamValue,
  type Params,
} from './space';
export { TrialPruned, type TrialState, type FrozenTrial, type Trial } from './trial';
export { NopPruner, MedianPruner, type Direction, type Pruner } from './pruner';
export {
  createSampler,
  RandomSampler,
  GridSampler,
  TpeSampler,
  type SampleContext,
  type Sampler,
  type TpeOptions,
} from './samplers';
export { optimize, trialLog, type Objective, type OptimizeOptions, type StudyResult } from './study';
export { tuneEstimator, type TuneEstimatorOptions, type TuneEstimatorResult } from './tune-estimator';
