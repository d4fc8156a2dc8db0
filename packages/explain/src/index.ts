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
