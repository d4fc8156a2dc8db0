export * from './table-split';
export * from './take-rows';
export * from './train-test-split';
export * from './k-fold-splits';
export * from './time-split';
