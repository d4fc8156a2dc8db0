export { MLPClassifier, FittedMLPClassifier } from './mlp-classifier';
export { MLPRegressor, FittedMLPRegressor, type MlpRegressorParams } from './mlp-regressor';
export type { MlpParams } from './mlp-params';
export type { MlpActivation, MlpLayers, MlpOutput } from './mlp-network';
/** Whether MLPs fit and predict in WebAssembly, and a switch to the JavaScript reference (same results; for benchmarks and diagnosis). */
export { setWasmMlp, wasmMlpOn } from './mlp-kernels';
export {
  LstmRegressor,
  GruRegressor,
  FittedRecurrentRegressor,
  type RecurrentRegressorParams,
  type SequenceEstimator,
  type SequenceFitOptions,
} from './recurrent-regressor';
export type { RecurrentCell } from './recurrent-network';
export { createSequences, sequencesFromArrays, sequencesFromMatrix, takeSequences, type Sequences } from './sequences';
export {
  LagSequenceRegressor,
  FittedLagSequenceRegressor,
  type LagSequenceRegressorParams,
} from './lag-sequence-regressor';
export { EntityEmbeddingClassifier, FittedEntityEmbeddingClassifier } from './entity-embedding-classifier';
export {
  EntityEmbeddingRegressor,
  FittedEntityEmbeddingRegressor,
  type EntityEmbeddingRegressorParams,
} from './entity-embedding-regressor';
export {
  embeddingDim,
  type CategoryEmbedding,
  type EmbeddingColumnSpec,
  type EmbeddingFitHistory,
  type EntityEmbeddingParams,
} from './entity-embedding-network';
export {
  EmbeddingGbdt,
  FittedEmbeddingGbdtClassifier,
  FittedEmbeddingGbdtRegressor,
  type FittedEmbeddingGbdt,
  type EmbeddingGbdtParams,
} from './embedding-gbdt';
export {
  EntityEmbeddingAuto,
  FittedEntityEmbeddingAutoClassifier,
  FittedEntityEmbeddingAutoRegressor,
  type FittedEntityEmbeddingAuto,
  type EntityEmbeddingAutoParams,
} from './entity-embedding-auto';
