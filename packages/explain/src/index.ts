export { type ExplainableModel } from './explainable-model';
export { type ColumnKind } from './column-kind';
export {
  permutationImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
  type ColumnImportance,
} from './permutation-importance';
export { oneMinusAuc, rmse, crossEntropy, type LossFunction, type LossName } from './losses';
export { gridFor, mquantile, type Grid, type GridMethod, type GridOptions, type GridValue } from './grid';
export {
  partialDependence,
  partialDependence2d,
  type PartialDependence,
  type PartialDependence2d,
  type PartialDependenceOptions,
} from './partial-dependence';
export {
  interestingRegions,
  type Curve,
  type Region,
  type RegionOptions,
  type RegionRule,
  type Regions,
} from './interesting-regions';
export {
  describeTargetGroup,
  type DescribeTargetGroupOptions,
  type GroupStats,
  type TargetGroupDescription,
  type TargetGroupSentence,
} from './describe-target-group';
export { groupCondition, meets, type GroupCondition } from './group-condition';
export { TEMPLATES, type GroupFigures, type SentenceTemplates } from './templates';
