import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { table, type ColumnTable } from 'arquero';
import { ConfigError, InputError, ParseError } from '@campaign-ml/core';
import { chooseDelimiter, readCsvBytes, readCsvChunks, type CsvSettings } from './csv-reader';
import { readJsonBytes, readNdjsonBytes } from './json-reader';
import { plainCsvSettings, readPlainCsv } from './plain-csv';
import { readParquetBytes } from './parquet-reader';
import type {
  ForcedType,
  ReadColumnType,
  ReadColumns,
  ReadFormat,
  ReadOptions,
  ReadWarning,
  TableSource,
} from './read-options';
import { checkTextContent, formatFromPath, sniffFormat } from './sniff-format';
import { ByteSource } from './source';
import { readXlsx } from './xlsx-reader';

/** A table with what was learned while reading it. */
export interface ReadResult {
  table: ColumnTable;
  format: ReadFormat;
  /** The CSV/TSV delimiter used (given or sniffed). */
  delimiter?: string;
  /** Type each column was read as, by name. */
  columnTypes: Record<string, ReadColumnType>;
  warnings: ReadWarning[];
}

const FORMATS: readonly ReadFormat[] = ['csv', 'tsv', 'xlsx', 'json', 'ndjson', 'parquet'];
const SNIFF_BYTES = 64 * 1024;
/** Largest CSV/TSV file read whole (and so by the plain reader when it can); larger ones are streamed. */
const PLAIN_CSV_MAX_BYTES = 1 << 30;

/**
 * Read a CSV/TSV, XLSX, JSON, NDJSON or Parquet file (path, bytes or stream) into an arquero
 * table. Missing values are null, numbers JS numbers, booleans true/false, dates Date (UTC),
 * everything else strings. Malformed input throws a ParseError whose `row` is the 1-based line.
 */
export async function readTable(source: TableSource, options: ReadOptions = {}): Promise<ColumnTable> {
  return (await readTableWithInfo(source, options)).table;
}

/** `readTable` plus the format, delimiter, column types and warnings. */
export async function readTableWithInfo(source: TableSource, options: ReadOptions = {}): Promise<ReadResult> {
  checkOptions(options);
  const { warnings, warn } = collector(options);
  const { src, head, format } = await openSource(source, options);
  return readOpened(src, head, format, options, warnings, warn);
}

/** Open a source and decide its format (given, from the file name, else sniffed from the first bytes). */
export async function openSource(
  source: TableSource,
  options: ReadOptions,
): Promise<{ src: ByteSource; head: Buffer; format: ReadFormat }> {
  const src = await ByteSource.open(source);
  const head = await src.head(SNIFF_BYTES);
  const format = options.format ?? (src.path ? formatFromPath(src.path) : undefined) ?? sniffFormat(head);
  if (format !== 'xlsx' && format !== 'parquet') checkTextContent(head, format);
  return { src, head, format };
}

/** Read a whole opened source. */
export async function readOpened(
  src: ByteSource,
  head: Buffer,
  format: ReadFormat,
  options: ReadOptions,
  warnings: ReadWarning[],
  warn: (w: ReadWarning) => void,
): Promise<ReadResult> {
  let cols: ReadColumns;
  let delimiter: string | undefined;
  switch (format) {
    case 'csv':
    case 'tsv': {
      const s = csvSettings(options, format, warn);
      if (head.length === 0) return emptyFileError();
      delimiter = chooseDelimiter(head, s);
      // A file of at most PLAIN_CSV_MAX_BYTES with the default settings is read whole by the plain
      // reader (several times faster, the same table); when it is not plain, it is streamed again
      // from the start by the full reader. Larger files and streams are streamed.
      let plain: ReadColumns | undefined;
      let source = src;
      if (src.path && plainCsvSettings(s, delimiter) && (await stat(src.path)).size <= PLAIN_CSV_MAX_BYTES) {
        // One read of the whole file (not 1 MB chunks joined: a second copy of it).
        await src.close();
        plain = readPlainCsv(await readFile(src.path), delimiter, s);
        if (!plain) source = await ByteSource.open(src.path);
      }
      cols = plain ?? (await readCsvChunks(source.chunks(), delimiter, s));
      break;
    }
    case 'xlsx':
      cols = await readXlsx(src.path ?? src.stream(), {
        sheet: options.sheet,
        nullValues: options.nullValues ?? [''],
        columnTypes: forcedTypes(options),
        allowEmpty: options.allowEmpty ?? false,
        warn,
      });
      break;
    case 'json':
      cols = readJsonBytes(await src.all(), jsonSettings(options));
      break;
    case 'ndjson':
      cols = readNdjsonBytes(await src.all(), jsonSettings(options));
      break;
    case 'parquet':
      cols = await readParquetBytes(await src.all(), {
        columnTypes: forcedTypes(options),
        allowEmpty: options.allowEmpty ?? false,
      });
      break;
  }
  return finish(cols, format, delimiter, warnings);
}

/**
 * Synchronous reading for CSV/TSV/JSON/NDJSON held in memory or in a file (XLSX and Parquet
 * readers are asynchronous: use `readTable`).
 */
export function readTableSync(source: string | Uint8Array, options: ReadOptions = {}): ColumnTable {
  return readTableSyncWithInfo(source, options).table;
}

/** `readTableSync` plus the format, delimiter, column types and warnings. */
export function readTableSyncWithInfo(source: string | Uint8Array, options: ReadOptions = {}): ReadResult {
  checkOptions(options);
  const { warnings, warn } = collector(options);
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = readFileSync(source);
    } catch (e) {
      throw new InputError('FILE_NOT_FOUND', `cannot open "${source}": ${(e as Error).message}`, { value: source });
    }
  } else bytes = source;
  const format =
    options.format ??
    (typeof source === 'string' ? formatFromPath(source) : undefined) ??
    sniffFormat(bytes.subarray(0, SNIFF_BYTES));
  if (format === 'xlsx' || format === 'parquet') {
    throw new InputError(
      'ASYNC_ONLY',
      `${format.toUpperCase()} files are read asynchronously: use await readTable(...)`,
      { value: format },
    );
  }
  checkTextContent(bytes.subarray(0, 16), format);
  let cols: ReadColumns;
  let delimiter: string | undefined;
  if (format === 'csv' || format === 'tsv') {
    if (bytes.length === 0) return emptyFileError();
    const s = csvSettings(options, format, warn);
    delimiter = chooseDelimiter(bytes.subarray(0, SNIFF_BYTES), s);
    cols = readPlainCsv(bytes, delimiter, s) ?? readCsvBytes(bytes, delimiter, s);
  } else if (format === 'json') cols = readJsonBytes(bytes, jsonSettings(options));
  else cols = readNdjsonBytes(bytes, jsonSettings(options));
  return finish(cols, format, delimiter, warnings);
}

/** Columns from a format reader as an arquero table. */
export function toTable(cols: ReadColumns): ColumnTable {
  const map = new Map<string, unknown[]>();
  for (let i = 0; i < cols.names.length; i++) map.set(cols.names[i], cols.columns[i]);
  return table(map, cols.names);
}

function finish(
  cols: ReadColumns,
  format: ReadFormat,
  delimiter: string | undefined,
  warnings: ReadWarning[],
): ReadResult {
  const columnTypes: Record<string, ReadColumnType> = {};
  for (let i = 0; i < cols.names.length; i++) columnTypes[cols.names[i]] = cols.types[i];
  const result: ReadResult = { table: toTable(cols), format, columnTypes, warnings };
  if (delimiter !== undefined) result.delimiter = delimiter;
  return result;
}

export function emptyFileError(): never {
  // Same error the CSV reader gives for a file with no records.
  throw new ParseError('EMPTY_FILE', 'the file is empty: expected a header line with column names', {
    row: 1,
    expected: 'a header line',
  });
}

export function collector(options: ReadOptions): { warnings: ReadWarning[]; warn: (w: ReadWarning) => void } {
  const warnings: ReadWarning[] = [];
  const warn = (w: ReadWarning): void => {
    warnings.push(w);
    options.onWarning?.(w);
  };
  return { warnings, warn };
}

export function csvSettings(o: ReadOptions, format: ReadFormat, warn: (w: ReadWarning) => void): CsvSettings {
  return {
    delimiter: o.delimiter ?? (format === 'tsv' ? '\t' : undefined),
    quote: o.quote ?? '"',
    decimalComma: o.decimal === ',',
    header: o.header ?? true,
    nullValues: o.nullValues ?? [''],
    columnTypes: forcedTypes(o),
    allowEmpty: o.allowEmpty ?? false,
    warn,
    badRows: o.badRows ?? 'fail',
  };
}

function jsonSettings(o: ReadOptions): {
  nullValues: readonly string[];
  columnTypes: Record<string, 'string' | 'number' | 'boolean' | 'date'>;
  allowEmpty: boolean;
} {
  return { nullValues: o.nullValues ?? [], columnTypes: forcedTypes(o), allowEmpty: o.allowEmpty ?? false };
}

export function checkOptions(o: ReadOptions): void {
  if (o.format !== undefined && !FORMATS.includes(o.format)) {
    throw new ConfigError('UNKNOWN_FORMAT', `format "${String(o.format)}" is not supported`, {
      value: o.format,
      expected: `one of: ${FORMATS.join(', ')}`,
    });
  }
  if (o.decimal !== undefined && o.decimal !== '.' && o.decimal !== ',') {
    throw new ConfigError('BAD_OPTION', `decimal must be '.' or ','`, { value: o.decimal, expected: "'.' or ','" });
  }
  if (o.delimiter !== undefined && (o.delimiter.length === 0 || o.delimiter === (o.quote ?? '"'))) {
    throw new ConfigError('BAD_OPTION', 'delimiter must be a non-empty string different from the quote character', {
      value: o.delimiter,
    });
  }
  if (o.decimal === ',' && o.delimiter === ',') {
    throw new ConfigError('BAD_OPTION', "decimal ',' needs a delimiter other than ',' (try ';')", {
      value: o.delimiter,
    });
  }
  for (const [name, t] of Object.entries(o.columnTypes ?? {})) {
    if (!['string', 'number', 'boolean', 'date'].includes(t)) {
      throw new ConfigError('BAD_OPTION', `columnTypes["${name}"] is "${String(t)}"`, {
        column: name,
        value: t,
        expected: 'string, number, boolean or date',
      });
    }
  }
}

/**
 * The readers' forced types by column: `columnTypes`, and with `asText` every other column as
 * text (a lookup that answers 'string' for any name the file turns out to have).
 */
function forcedTypes(o: ReadOptions): Record<string, ForcedType> {
  const given = o.columnTypes ?? {};
  if (!o.asText) return given;
  return new Proxy(given, {
    get: (t, name) => (typeof name === 'string' && Object.hasOwn(t, name) ? t[name] : 'string'),
  });
}
