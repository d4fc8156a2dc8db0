export * from './database-location';
export * from './database-options';
export * from './quote-identifier';
export * from './column-kinds';
export * from './read-database';
export * from './write-database';
export * from './read-database-chunks';
export { openTableWriter } from './table-writer';
export type { TableWriter, TableWriterOptions } from './table-writer';
