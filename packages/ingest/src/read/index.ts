export { readTable, readTableWithInfo, readTableSync, readTableSyncWithInfo } from './read-table';
export type { ReadResult } from './read-table';
export { readTableChunks } from './table-chunks';
export type { ChunkedReadOptions, TableChunk } from './table-chunks';
export type {
  BadRow,
  ReadOptions,
  ReadFormat,
  ForcedType,
  ReadColumnType,
  ReadWarning,
  TableSource,
} from './read-options';
export { sniffDelimiter } from './sniff-delimiter';
export { csvRowOffsets, csvByteRange, CsvRecordScanner } from './csv-row-offsets';
export type { CsvByteRange, CsvRowOffsets, CsvRowPosition } from './csv-row-offsets';
