import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { chooseDelimiter, readCsvRowBatches } from './csv-reader';
import type { CsvByteRange } from './csv-row-offsets';
import type { BadRow, ReadFormat, ReadOptions, TableSource } from './read-options';
import { checkOptions, collector, csvSettings, emptyFileError, openSource, readOpened, toTable } from './read-table';

export interface ChunkedReadOptions extends ReadOptions {
  /** Rows per chunk (default 10,000). */
  chunkRows?: number;
  /**
   * CSV/TSV files only: read the header and then only bytes [start, end) of the file (whole rows,
   * as `csvRowOffsets` finds them), not the rows before. Chunk offsets, bad rows and line numbers in
   * messages are the whole file's. Other formats refuse it.
   */
  byteRange?: CsvByteRange;
}

/** A slice of consecutive rows of the input. */
export interface TableChunk {
  table: ColumnTable;
  /** 0-based index of the chunk's first row in the whole input (row numbers stay global). */
  offset: number;
  format: ReadFormat;
  /** True when the input is read as it arrives (CSV/TSV); false when it was read whole and sliced. */
  streamed: boolean;
  /** Input bytes consumed so far (streamed inputs). */
  bytesRead?: number;
  /** Size of the input file, when the source is a path. */
  bytesTotal?: number;
  /** Rows in the whole input, when it was read whole (not streamed). */
  rowsTotal?: number;
  /** With `badRows: 'collect'` (CSV/TSV): the chunk's unreadable rows, null rows in `table` (rows of the whole input). */
  badRows?: BadRow[];
}

/**
 * Read a table in chunks of `chunkRows` rows. CSV/TSV stream: memory holds one chunk, whatever the
 * file's size. XLSX, JSON, NDJSON and Parquet are read whole and then sliced (their readers need
 * the whole input). Every chunk has the same column names; CSV/TSV chunks are typed one by one, so
 * force `columnTypes` (or coerce each chunk to a schema) when a column's type must not depend on
 * which rows share its chunk. Stopping early (break, return) closes the file.
 */
export async function* readTableChunks(
  source: TableSource,
  options: ChunkedReadOptions = {},
): AsyncGenerator<TableChunk> {
  const chunkRows = options.chunkRows ?? 10_000;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new ConfigError('BAD_OPTION', `chunkRows must be a positive integer, got ${String(chunkRows)}`, {
      value: chunkRows,
      expected: 'an integer >= 1',
    });
  }
  checkOptions(options);
  const { warnings, warn } = collector(options);
  const { src, head, format } = await openSource(source, options);
  if (options.byteRange && (typeof source !== 'string' || (format !== 'csv' && format !== 'tsv'))) {
    await src.close();
    throw new ConfigError(
      'BAD_OPTION',
      `byteRange reads a part of a CSV/TSV file; this input is ${typeof source === 'string' ? format : 'not a file'}`,
      {
        value: format,
        expected: 'a CSV or TSV file path',
      },
    );
  }
  const bytesTotal = src.path ? (await stat(src.path)).size : undefined;
  try {
    if (format === 'csv' || format === 'tsv') {
      const s = csvSettings(options, format, warn);
      if (head.length === 0) emptyFileError();
      const delimiter = chooseDelimiter(head, s);
      const range = options.byteRange;
      if (range) {
        s.range = {
          lines: range.line - range.header.line,
          lineFeeds: range.lineFeeds - range.header.lineFeeds,
          rows: range.row,
        };
        await src.close();
      }
      const chunks = range ? rangeChunks(src.path!, range) : src.chunks();
      for await (const batch of readCsvRowBatches(chunks, delimiter, s, chunkRows)) {
        yield {
          table: toTable(batch.columns),
          offset: batch.offset,
          format,
          streamed: true,
          bytesRead: batch.bytesRead,
          bytesTotal,
          ...(batch.columns.badRows ? { badRows: batch.columns.badRows } : {}),
        };
      }
      return;
    }
    const whole = (await readOpened(src, head, format, options, warnings, warn)).table;
    const n = whole.numRows();
    if (n === 0) yield { table: whole, offset: 0, format, streamed: false, bytesTotal, rowsTotal: 0 };
    for (let start = 0; start < n; start += chunkRows) {
      const end = Math.min(n, start + chunkRows);
      const table = start === 0 && end === n ? whole : whole.slice(start, end).reify();
      yield { table, offset: start, format, streamed: false, bytesTotal, rowsTotal: n };
    }
  } finally {
    await src.close();
  }
}

/** The header bytes, then bytes [start, end) of the file. */
async function* rangeChunks(path: string, range: CsvByteRange): AsyncGenerator<Uint8Array> {
  const header = Buffer.alloc(range.header.end);
  const file = await open(path, 'r');
  try {
    const { bytesRead } = await file.read(header, 0, header.length, 0);
    if (bytesRead !== header.length) throw new Error(`${path} is shorter than its header (${header.length} bytes)`);
  } finally {
    await file.close();
  }
  yield header;
  if (range.end > range.start)
    yield* createReadStream(path, {
      start: range.start,
      end: range.end - 1,
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>;
}
