export * from './one-hot-encoder';
export * from './ordinal-encoder';
export * from './frequency-encoder';
export * from './target-encoder';
export * from './embedding-encoder';
