import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { chooseDelimiter } from './csv-reader';
import type { ReadOptions } from './read-options';
import { collector, csvSettings, openSource } from './read-table';

/**
 * Where a data row of a CSV file starts, as the CSV reader (`readTableChunks`) would find it when
 * reading the file from the top: the byte, and the line numbers the reader would give the row.
 */
export interface CsvRowPosition {
  /** 0-based data row (the header is not a row); `rows` means the end of the file. */
  row: number;
  /** Byte offset of the row's first byte (empty lines before it are not part of it). */
  byte: number;
  /** 1-based line on which the row starts, as the reader numbers lines in its messages. */
  line: number;
  /** Line feed bytes before `byte` (the UTF-8 check numbers lines by them). */
  lineFeeds: number;
}

/**
 * Bytes [start, end) of a CSV file holding whole data rows, the first of them row `row` starting on
 * line `line` (with `lineFeeds` line feeds before `start`), read after the file's header (bytes
 * [0, header.end)) with `readTableChunks(path, { byteRange })`: row numbers and the line numbers in
 * messages and bad rows are those of the whole file. Made from two `csvRowOffsets` positions with
 * `csvByteRange`.
 */
export interface CsvByteRange {
  start: number;
  end: number;
  row: number;
  line: number;
  lineFeeds: number;
  header: CsvRowOffsets['header'];
}

/** The bytes of rows from.row..to.row-1 of a scanned file. */
export function csvByteRange(scan: CsvRowOffsets, from: CsvRowPosition, to: CsvRowPosition): CsvByteRange {
  return {
    start: from.byte,
    end: to.byte,
    row: from.row,
    line: from.line,
    lineFeeds: from.lineFeeds,
    header: scan.header,
  };
}

export interface CsvRowOffsets {
  /** Data rows the reader reads (empty lines are skipped, as it skips them). */
  rows: number;
  /** File size in bytes. */
  bytes: number;
  /** Where the header ends (the byte after its line break) and the line counts there. */
  header: { end: number; line: number; lineFeeds: number };
  /** The positions asked for with `at`, in its order. */
  at: CsvRowPosition[];
}

const LF = 10;
const CR = 13;

/**
 * Finds record boundaries in CSV bytes by the rules of the project's CSV reader (csv-parse with
 * `relax_quotes`, `skip_empty_lines`, record delimiters `\r\n`, `\n`, `\r`; a quote opens a field
 * only at its start, a doubled quote inside a quoted field is a quote; a BOM before the header is
 * dropped). Line numbers are counted as csv-parse counts them: one per record delimiter outside
 * quotes, one per `\r` or `\n` inside a quoted field.
 *
 * Input whose quoting the reader would have to repair — a quoted field closed by something other
 * than a delimiter or a line break, a file ending inside a quote, or a record spanning several lines
 * with another field count than the header (the reader re-reads such lines one by one, see
 * `badRows: 'collect'`) — makes the scanner give up (`irregular`): boundaries there could differ.
 */
export class CsvRecordScanner {
  /** Absolute offset of the next byte fed. */
  private pos = 0;
  private lines = 1;
  private lineFeeds = 0;
  private inQuote = false;
  /** A quote was seen inside a quoted field: the next byte says whether it closes the field. */
  private quoteSeen = false;
  /** The last byte was a `\r` record delimiter outside quotes: a `\n` right after belongs to it. */
  private afterCr = false;
  /** The header ended with a \r: a \n right after is part of the header's line break. */
  private headerOpen = false;
  private fieldStart = true;
  private recordBytes = 0;
  private fields = 1;
  private multiline = false;
  private start: CsvRowPosition = { row: 0, byte: 0, line: 1, lineFeeds: 0 };
  private headerFields = -1;
  /** Data rows seen so far (records after the header). */
  rows = 0;
  header: CsvRowOffsets['header'] | undefined;
  irregular: string | undefined;

  constructor(
    private readonly delimiter: number,
    private readonly quote: number,
    /** Called with each data row's start as the row ends. */
    private readonly onRow?: (start: CsvRowPosition) => void,
  ) {}

  /** Scan the next bytes of the file; false once the scan gave up. */
  feed(chunk: Uint8Array): boolean {
    if (this.irregular) return false;
    let i = 0;
    const n = chunk.length;
    if (this.pos === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    const d = this.delimiter;
    const q = this.quote;
    for (; i < n; i++) {
      const b = chunk[i];
      if (this.inQuote) {
        if (!this.quoteSeen) {
          if (b === q) this.quoteSeen = true;
          else if (b === LF) {
            this.lines++;
            this.lineFeeds++;
            this.multiline = true;
          } else if (b === CR) {
            this.lines++;
            this.multiline = true;
          }
          continue;
        }
        this.quoteSeen = false;
        if (b === q) continue; // "" inside a quoted field: one quote
        // The quote before b closed the field: b must end it.
        this.inQuote = false;
        if (b !== d && b !== LF && b !== CR) return this.giveUp('a quoted field closes before the end of the field');
      }
      if (this.afterCr) {
        this.afterCr = false;
        if (b === LF) {
          // The \n of a \r\n record delimiter (already counted as one line).
          this.lineFeeds++;
          if (this.headerOpen) {
            this.header!.end++;
            this.header!.lineFeeds++;
          }
          this.headerOpen = false;
          continue;
        }
      }
      this.headerOpen = false;
      if (b === LF || b === CR) {
        if (b === LF) this.lineFeeds++;
        else this.afterCr = true;
        // An empty line is skipped, as the reader skips it.
        if (this.recordBytes > 0) {
          this.endRecord(this.pos + i + 1, b === CR);
          if (this.irregular) return false;
        }
        this.lines++;
        continue;
      }
      if (this.recordBytes++ === 0) {
        this.start = { row: this.rows, byte: this.pos + i, line: this.lines, lineFeeds: this.lineFeeds };
        this.fields = 1;
        this.multiline = false;
        this.fieldStart = true;
      }
      if (b === d) {
        this.fields++;
        this.fieldStart = true;
        continue;
      }
      // A quote opens a quoted field only at the field's start; elsewhere it is a plain character.
      if (this.fieldStart && b === q) this.inQuote = true;
      this.fieldStart = false;
    }
    this.pos += n;
    return this.irregular === undefined;
  }

  /** The end of the input: the last record may lack its line break. */
  end(): boolean {
    if (this.irregular) return false;
    if (this.inQuote && !this.quoteSeen) return this.giveUp('the file ends inside a quoted field');
    this.inQuote = false;
    if (this.recordBytes > 0) this.endRecord(this.pos, false);
    return this.irregular === undefined;
  }

  /** Where the file ends, as a row position (the end of the last part). */
  endPosition(size: number): CsvRowPosition {
    return { row: this.rows, byte: size, line: this.lines, lineFeeds: this.lineFeeds };
  }

  private endRecord(end: number, cr: boolean): void {
    this.recordBytes = 0;
    if (this.headerFields < 0) {
      this.headerFields = this.fields;
      // Line of the header's end plus its line break; a \n after a \r joins it (see feed).
      this.header = { end, line: this.lines + 1, lineFeeds: this.lineFeeds };
      this.headerOpen = cr;
      return;
    }
    if (this.multiline && this.fields !== this.headerFields) {
      this.giveUp(
        `the row on line ${this.start.line} spans several lines and has ${this.fields} fields (the header has ${this.headerFields})`,
      );
      return;
    }
    this.onRow?.(this.start);
    this.rows++;
  }

  private giveUp(why: string): false {
    this.irregular ??= why;
    return false;
  }
}

/**
 * One pass over a CSV/TSV file (`ReadOptions` as for `readTableChunks`: format, delimiter, quote):
 * how many data rows it has and where the rows `at` (0-based, ascending; `rows` for the end) start,
 * so a part of the file can be read alone with `readTableChunks(path, { byteRange })`. Undefined
 * when the file is not CSV/TSV (XLSX, JSON, Parquet are read whole), has no header line (`header:
 * false`), uses a delimiter or quote of more than one byte, or has quoting the reader repairs (see
 * `CsvRecordScanner`): such input is read from the top.
 */
export async function csvRowOffsets(
  path: string,
  options: ReadOptions & { at?: readonly number[] } = {},
): Promise<CsvRowOffsets | undefined> {
  const { warn } = collector({});
  const { src, head, format } = await openSource(path, options);
  await src.close();
  if (format !== 'csv' && format !== 'tsv') return undefined;
  const s = csvSettings(options, format, warn);
  if (!s.header || head.length === 0) return undefined;
  const delimiter = chooseDelimiter(head, s);
  if (Buffer.byteLength(delimiter) !== 1 || Buffer.byteLength(s.quote) !== 1) return undefined;
  const at = options.at ?? [];
  for (let k = 1; k < at.length; k++)
    if (!(at[k] >= at[k - 1])) throw new RangeError('csvRowOffsets: `at` must be ascending');
  const found: CsvRowPosition[] = [];
  let next = 0;
  const scanner = new CsvRecordScanner(delimiter.charCodeAt(0), s.quote.charCodeAt(0), (start) => {
    while (next < at.length && at[next] === start.row) {
      found.push(start);
      next++;
    }
  });
  const size = (await stat(path)).size;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
    if (!scanner.feed(chunk as Buffer)) return undefined;
  if (!scanner.end() || !scanner.header) return undefined;
  const last = scanner.endPosition(size);
  while (next < at.length) {
    if (at[next] !== scanner.rows)
      throw new RangeError(`csvRowOffsets: row ${at[next]} is past the file's ${scanner.rows} rows`);
    found.push(last);
    next++;
  }
  return { rows: scanner.rows, bytes: size, header: scanner.header, at: found };
}
