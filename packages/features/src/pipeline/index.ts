export * from './table-step';
export { columnValues, numericColumn, categoryKey, makeTable, requireColumns } from './table-columns';
export * from './column-selector';
export * from './column-pipeline';
