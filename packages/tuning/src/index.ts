export * from './space';
export * from './trial';
export * from './pruner';
export * from './samplers';
export * from './study';
export * from './tune-estimator';
