export * from './affine-scaler';
export * from './standard-scaler';
export * from './min-max-scaler';
export * from './robust-scaler';
export { nanMeanStd, quantileSorted, sortedPresent } from './nan-stats';
