export { treeShap, type TreeShapOptions, type TreeModel } from './tree-shap';
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
