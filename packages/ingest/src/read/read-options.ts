import type { Readable } from 'node:stream';

/** What `readTable` accepts: a file path, the file's bytes, or a stream of its bytes. */
export type TableSource = string | Buffer | Uint8Array | Readable | NodeJS.ReadableStream;

/** File formats `readTable` understands. */
export type ReadFormat = 'csv' | 'tsv' | 'xlsx' | 'json' | 'ndjson' | 'parquet';

/** A type the user can force on a column (overrides inference). */
export type ForcedType = 'string' | 'number' | 'boolean' | 'date';

/** The type a column ended up with after reading. `empty` = every value was missing. */
export type ReadColumnType = 'number' | 'boolean' | 'date' | 'string' | 'empty';

/**
 * A CSV/TSV row that could not be read (with `badRows: 'collect'`): it stands in the table as a row
 * of nulls, so row numbers stay those of the input, and is listed here with its line.
 */
export interface BadRow {
  /** 0-based data row in the whole input (the index of its null row in the table). */
  row: number;
  /** 1-based line of the file where the row starts. */
  line: number;
  code: 'RAGGED_ROW' | 'UNCLOSED_QUOTE' | 'INVALID_UTF8';
  /** What is wrong and what to do, naming the line. */
  message: string;
}

/** Something worth knowing that did not stop the read (duplicate headers, renamed columns...). */
export interface ReadWarning {
  code: string;
  message: string;
  column?: string;
  row?: number;
}

export interface ReadOptions {
  /** Format; by default from the file extension, else sniffed from the content. */
  format?: ReadFormat;
  /** CSV field delimiter; by default sniffed among `,` `;` tab `|` (tab for .tsv). */
  delimiter?: string;
  /** Decimal separator for numbers in CSV/TSV text: '.' (default) or ','. */
  decimal?: '.' | ',';
  /** CSV quote character (default `"`; a quote inside a quoted field is doubled). */
  quote?: string;
  /** CSV: the first line holds the column names (default true); otherwise columns are `column_1`.... */
  header?: boolean;
  /** Text values read as missing (null). Default `['']`. */
  nullValues?: readonly string[];
  /** Force column types by name; a value that does not fit is a ParseError naming line and column. */
  columnTypes?: Record<string, ForcedType>;
  /**
   * Every column not named in `columnTypes` as text, exactly as written (typed values of XLSX,
   * JSON or Parquet as their text). For typing by a schema afterwards (`inferSchema` and
   * `coerceToSchema` of @campaign-ml/schema), as training and batch scoring do, so that a value is
   * typed by one grammar whichever door it comes in by.
   */
  asText?: boolean;
  /** XLSX: the sheet to read, by name (default: the first sheet). */
  sheet?: string;
  /** A header with no data rows gives an empty table with those columns instead of a ParseError. */
  allowEmpty?: boolean;
  /**
   * CSV/TSV: what a row that cannot be read does — a wrong number of fields, a quote never closed
   * on its line, invalid UTF-8. 'fail' (default): a ParseError naming its line. 'collect' (chunked
   * reads): it becomes a row of nulls listed in the chunk's `badRows`, and the lines after it are
   * read on (a quote left open is closed at the end of its line). A binary file still fails.
   */
  badRows?: 'fail' | 'collect';
  /** Called for each warning as it is found (warnings are also returned by `readTableWithInfo`). */
  onWarning?: (warning: ReadWarning) => void;
}

/** Raw column data produced by a format reader, before it becomes an arquero table. */
export interface ReadColumns {
  names: string[];
  columns: unknown[][];
  types: ReadColumnType[];
  rows: number;
  /** Rows that could not be read (`badRows: 'collect'`), as null rows of this batch. */
  badRows?: BadRow[];
}
