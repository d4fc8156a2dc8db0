export * from './read';
export * from './schema';
export * from './split';
export * from './db';
