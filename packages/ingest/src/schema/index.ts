export * from './types';
export * from './value-parsing';
export * from './missing-tokens';
export * from './infer-schema';
export * from './coerce-to-schema';
export * from './validate';
