export * from './errors';
export * from './rng';
export * from './matrix';
export * from './task';
export * from './progress';
export * from './contracts';
export * from './serialization';
export * from './input-checks';
