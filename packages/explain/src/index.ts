export { treeShap, type TreeShapOptions, type TreeModel } from './tree-shap';
export { setTreeShapGroupRows, setWasmTreeShap, wasmTreeShapOn } from './tree-shap-wasm';
export type { ShapValues } from './shap-values';
export { linearShap, type LinearModel } from './linear-shap';
export { kernelShap, type KernelShapOptions, type AgnosticShapOptions } from './kernel-shap';
export { permutationShap, type PermutationShapOptions } from './permutation-shap';
export type { ModelFunction } from './coalition-values';
export { modelShap, type ColumnShap, type ModelShapContext, type ShapSpace } from './model-shap';
export {
  explainRecords,
  explainTable,
  type ExplainRecordsOptions,
  type ExplainedRecords,
  type RecordExplanation,
  type ColumnContribution,
} from './explain-records';
export { limeExplain, type LimeOptions, type LimeExplanation, type LimeFeature } from './lime/lime-explain';
export {
  counterfactuals,
  type CounterfactualOptions,
  type CounterfactualResult,
  type Counterfactual,
  type CounterfactualChange,
  type RelationConstraint,
} from './counterfactuals/counterfactuals';
export { type CounterfactualTarget } from './counterfactuals/cf-target';
export { type ColumnRange } from './counterfactuals/column-domain';
export { type CounterfactualSetMetrics } from './counterfactuals/cf-metrics';
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
