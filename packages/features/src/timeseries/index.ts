export { type PanelOptions, type PanelStep } from './panel-index';
export { resamplePanel, type PanelResampleOptions, type PanelAggregate } from './resample-panel';
export { addLags, type LagOptions } from './add-lags';
export { addRollingMeans, type RollingOptions } from './add-rolling-means';
export { addHorizonTargets, type HorizonOptions } from './add-horizon-targets';
export { dropAllMissingInputs, type DropAllMissingOptions } from './drop-all-missing-inputs';
export { timeOrderedSplit, type TimeSplitOptions } from './time-ordered-split';
