export { type ExplainableModel } from './explainable-model';
export { type ColumnKind } from './column-kind';
export {
  permutationImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
  type ColumnImportance,
} from './permutation-importance';
export { oneMinusAuc, rmse, crossEntropy, type LossFunction, type LossName } from './losses';
