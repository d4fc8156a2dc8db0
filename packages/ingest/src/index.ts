export * from './read';
export * from './split';
export * from './db';
export { processAlive } from './process-alive';
