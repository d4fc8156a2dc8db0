export {
  describeValue,
  CampaignMlError,
  InputError,
  ParseError,
  ConfigError,
  SerializationError,
  AbortError,
  SchemaError,
  type ProblemDetails,
  type Problem,
} from './errors';
export { createRng, Rng, type RngState } from './rng';
export {
  createMatrix,
  fromRows,
  fromColumns,
  column,
  get,
  row,
  selectColumns,
  sliceRows,
  take,
  toRows,
  concatRows,
  sameNames,
  type Matrix,
} from './matrix';
export { isTask, isClassification, type Task } from './task';
export {
  throwIfAborted,
  progressReporter,
  type ProgressEvent,
  type ProgressCallback,
  type RunOptions,
} from './progress';
export {
  isClassifier,
  type Serialized,
  type Serializable,
  type FitOptions,
  type Estimator,
  type Classifier,
  type Regressor,
  type FittedModel,
  type EstimatorFactory,
  type TableTransformer,
  type FittedTableTransformer,
  type MatrixTransformer,
  type FittedMatrixTransformer,
} from './contracts';
export {
  registerLoader,
  load,
  expectKind,
  encodeArray,
  decodeArray,
  type Loader,
  type EncodedArray,
} from './serialization';
export { checkXy, checkClassLabels, checkSampleWeight, checkPredictColumns } from './input-checks';
export { kFold, stratifiedKFold, groupKFold, trainTestSplitIndices, type Fold } from './folds';
export { sortFloat64 } from './sort-float64';
