import { once } from 'node:events';
import { parse as parseAsync, type Options as CsvOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { ParseError } from '@campaign-ml/core';
import { ColumnBuilder } from './column-builder';
import { uniqueHeaderNames } from './header-names';
import type { BadRow, ForcedType, ReadColumns, ReadWarning } from './read-options';
import { DELIMITER_CANDIDATES, sniffDelimiter } from './sniff-delimiter';
import { Utf8Guard } from './utf8-guard';

export interface CsvSettings {
  delimiter?: string;
  quote: string;
  decimalComma: boolean;
  header: boolean;
  nullValues: readonly string[];
  columnTypes: Record<string, ForcedType>;
  allowEmpty: boolean;
  warn: (w: ReadWarning) => void;
  /** 'collect': unreadable rows become null rows listed in `badRows` (see ReadOptions.badRows). */
  badRows?: 'fail' | 'collect';
  /**
   * The bytes are the header followed by a part of the file further on (see CsvByteRange): after
   * the header, add `lines` to csv-parse's line numbers, `lineFeeds` to the UTF-8 check's and
   * `rows` to row numbers, so every number is the whole file's.
   */
  range?: { lines: number; lineFeeds: number; rows: number };
}

const RAGGED_LIMIT = 100;
/** More columns than this in the first line is taken as a wrong delimiter or a non-table file. */
export const MAX_COLUMNS = 65_536;

/** Receives parsed records one at a time and builds typed columns; never holds rows. */
class CsvSink {
  private builders: ColumnBuilder[] = [];
  private names: string[] = [];
  private expected = -1;
  private seenHeader = false;
  private lastEnd = 0;
  private records = 0;
  private readonly ragged: { line: number; fields: number }[] = [];
  private raggedCount = 0;
  private readonly nullSet: Set<string> | null;
  /** Rows in the builders now (since the last batch). */
  private batchRows = 0;
  /** Rows before the current batch. */
  private rowsBefore = 0;
  /** Full batches waiting to be taken (row-batch mode only). */
  readonly batches: ReadColumns[] = [];
  /** Input bytes parsed through the last row of each batch in `batches`. */
  readonly batchBytes: number[] = [];
  private bytes = 0;
  /** Unreadable rows of the current batch (collect mode). */
  private bad: BadRow[] = [];
  /** Lines holding invalid UTF-8 (collect mode; filled by the guard before their bytes are parsed). */
  readonly badUtf8 = new Map<number, string>();
  private delimiter = ',';

  /** With `maxBatchRows`, every `maxBatchRows` data rows are finished into `batches` and the builders start anew. */
  constructor(
    private readonly s: CsvSettings,
    private readonly maxBatchRows = Infinity,
  ) {
    this.nullSet = s.nullValues.length === 1 && s.nullValues[0] === '' ? null : new Set(s.nullValues);
  }

  /** Data rows taken in finished batches so far. */
  get rowsBatched(): number {
    return this.rowsBefore;
  }

  /** Line where the next record starts (for errors raised by the CSV parser itself). */
  get nextLine(): number {
    return this.lastEnd + 1;
  }

  get collecting(): boolean {
    return this.s.badRows === 'collect';
  }

  /** The delimiter in use (collect mode re-reads the lines of a broken record with it). */
  useDelimiter(delimiter: string): void {
    this.delimiter = delimiter;
  }

  /** What csv-parse's line numbers miss after the header when the input is a part of a file. */
  get lineShift(): number {
    return this.seenHeader ? (this.s.range?.lines ?? 0) : 0;
  }

  /** A record from csv-parse, its line counted in the bytes the parser saw. */
  onParsed(record: string[], parsedLine: number, bytes = 0, raw?: string): void {
    this.onRecord(record, parsedLine + this.lineShift, bytes, raw);
  }

  onRecord(record: string[], endLine: number, bytes = 0, raw?: string): void {
    this.records++;
    this.bytes = bytes;
    if (!this.seenHeader) {
      this.seenHeader = true;
      this.start(record);
      if (this.s.header) {
        this.lastEnd = endLine + (this.s.range?.lines ?? 0);
        return;
      }
    }
    if (this.collecting) {
      const first = endLine - newlinesIn(record);
      this.lastEnd = endLine;
      // A record over several lines whose field count is wrong, or whose quoted field "closes"
      // mid-field (what relax_quotes tolerates), is a quote left open: re-read its lines one by one.
      if (
        raw !== undefined &&
        first < endLine &&
        (record.length !== this.expected || !quotesWellFormed(raw, this.delimiter, this.s.quote))
      ) {
        this.salvage(raw, first);
        this.lastEnd = endLine;
        return;
      }
      const utf8 = this.badUtf8Between(first, endLine);
      if (utf8 !== undefined) return this.pushBad(first, 'INVALID_UTF8', utf8);
      if (record.length !== this.expected)
        return this.pushBad(first, 'RAGGED_ROW', this.raggedMessage(first, record.length));
    }
    if (record.length !== this.expected) {
      this.raggedCount++;
      if (this.ragged.length < 5) this.ragged.push({ line: endLine - newlinesIn(record), fields: record.length });
      if (this.raggedCount >= RAGGED_LIMIT) this.throwRagged(true);
      this.lastEnd = endLine;
      return;
    }
    this.pushRow(record, endLine);
    this.lastEnd = endLine;
  }

  private pushRow(record: string[], endLine: number): void {
    const builders = this.builders;
    const nullSet = this.nullSet;
    for (let c = 0; c < builders.length; c++) {
      const text = record[c];
      if (nullSet === null ? text.length === 0 : nullSet.has(text)) builders[c].pushNull();
      else builders[c].pushText(text, endLine);
    }
    this.endRow();
  }

  private endRow(): void {
    if (++this.batchRows >= this.maxBatchRows) {
      this.batches.push(this.take());
      this.batchBytes.push(this.bytes);
    }
  }

  /** An unreadable row: nulls in every column, listed with its line and reason. */
  private pushBad(line: number, code: BadRow['code'], message: string): void {
    this.bad.push({ row: (this.s.range?.rows ?? 0) + this.rowsBefore + this.batchRows, line, code, message });
    for (const b of this.builders) b.pushNull();
    this.endRow();
  }

  /** The invalid-UTF-8 message of the first bad line in first..last, if any. */
  private badUtf8Between(first: number, last: number): string | undefined {
    if (this.badUtf8.size === 0) return undefined;
    for (let line = first; line <= last; line++) {
      const why = this.badUtf8.get(line);
      if (why !== undefined) return `line ${line} ${why}; the row was not read`;
    }
    return undefined;
  }

  private raggedMessage(line: number, fields: number): string {
    return `line ${line} has ${fields} fields but the header has ${this.expected}; check its delimiters and quotes`;
  }

  /**
   * A record spanning several lines with the wrong field count or a quote closing mid-field, or
   * one the input ended inside: a quote opened on its first line and never closed there. That
   * line is read on its own (a bad row unless it reads whole), and the lines the quote swallowed
   * are parsed again as CSV, so a later multi-line field still reads as one.
   */
  salvage(raw: string, firstLine: number): void {
    const m = /\r\n|\n|\r/.exec(raw);
    const head = m ? raw.slice(0, m.index) : raw;
    const rest = m ? raw.slice(m.index + m[0].length) : '';
    this.readLineAlone(head, firstLine);
    if (rest.trim() !== '') this.reparse(rest, firstLine + 1);
  }

  private readLineAlone(text: string, line: number): void {
    if (text.trim() === '') return;
    const utf8 = this.badUtf8Between(line, line);
    if (utf8 !== undefined) return this.pushBad(line, 'INVALID_UTF8', utf8);
    let fields: string[] | undefined;
    try {
      fields = (parseSync(text, this.lenient()) as string[][])[0] ?? [];
    } catch {
      fields = undefined;
    }
    if (fields === undefined)
      this.pushBad(
        line,
        'UNCLOSED_QUOTE',
        `line ${line} opens a quoted field that is not closed on its line; the row was not read (close or remove the quote)`,
      );
    else if (fields.length !== this.expected) this.pushBad(line, 'RAGGED_ROW', this.raggedMessage(line, fields.length));
    else this.pushRow(fields, line);
  }

  /** Parse `text` (whose first line is file line `firstLine`) record by record, as the stream is. */
  private reparse(text: string, firstLine: number): void {
    const bytes = this.bytes;
    const end = this.lastEnd;
    this.lastEnd = firstLine - 1;
    try {
      parseSync(text, {
        ...this.lenient(),
        raw: true,
        skip_empty_lines: true,
        record_delimiter: ['\r\n', '\n', '\r'],
        on_record: (rec: { record: string[] }, ctx: { lines: number; raw?: string }) => {
          this.onRecord(rec.record, firstLine - 1 + ctx.lines, bytes, ctx.raw);
          return null;
        },
      } as never);
    } catch (e) {
      if (!unclosedAtEnd(e)) throw e;
      this.salvage((e as { raw: string }).raw, this.lastEnd + 1);
    }
    this.bytes = bytes;
    this.lastEnd = end;
  }

  private lenient(): {
    delimiter: string;
    quote: string;
    escape: string;
    relax_quotes: true;
    relax_column_count: true;
  } {
    return {
      delimiter: this.delimiter,
      quote: this.s.quote,
      escape: this.s.quote,
      relax_quotes: true,
      relax_column_count: true,
    };
  }

  /** The rows built since the last batch, as columns; the builders start anew with the same settings. */
  private take(): ReadColumns {
    const rows = this.batchRows;
    const out: ReadColumns = {
      names: this.names,
      columns: this.builders.map((b) => b.finish()),
      types: this.builders.map((b) => b.type),
      rows,
    };
    if (this.collecting) out.badRows = this.bad;
    this.bad = [];
    this.rowsBefore += rows;
    this.batchRows = 0;
    this.builders = this.names.map(
      (name) => new ColumnBuilder(name, { forced: this.s.columnTypes[name], decimalComma: this.s.decimalComma }),
    );
    return out;
  }

  finish(): ReadColumns {
    if (!this.seenHeader) {
      throw new ParseError('EMPTY_FILE', 'the file is empty: expected a header line with column names', {
        row: 1,
        expected: 'a header line',
      });
    }
    if (this.raggedCount > 0) this.throwRagged(false);
    const rows = this.batchRows;
    if (rows + this.rowsBefore === 0 && !this.s.allowEmpty) {
      throw new ParseError(
        'NO_ROWS',
        `the file has a header (${this.names.length} columns: ${this.names.slice(0, 5).join(', ')}${this.names.length > 5 ? ', ...' : ''}) but no data rows; pass { allowEmpty: true } to get an empty table`,
        { row: 2, expected: 'at least one data row' },
      );
    }
    const out: ReadColumns = {
      names: this.names,
      columns: this.builders.map((b) => b.finish()),
      types: this.builders.map((b) => b.type),
      rows,
    };
    if (this.collecting) out.badRows = this.bad;
    return out;
  }

  private start(first: string[]): void {
    if (first.length > MAX_COLUMNS) {
      throw new ParseError(
        'TOO_MANY_COLUMNS',
        `line 1 splits into ${first.length} fields (more than ${MAX_COLUMNS}); is the delimiter right, and is this a table?`,
        { row: 1, value: first.length, expected: `at most ${MAX_COLUMNS} columns` },
      );
    }
    this.expected = first.length;
    this.names = this.s.header ? uniqueHeaderNames(first, this.s.warn) : first.map((_, i) => `column_${i + 1}`);
    this.builders = this.names.map(
      (name) => new ColumnBuilder(name, { forced: this.s.columnTypes[name], decimalComma: this.s.decimalComma }),
    );
  }

  private throwRagged(stopped: boolean): never {
    const first = this.ragged[0];
    const more = this.ragged.slice(1).map((r) => r.line);
    const total = stopped ? `at least ${this.raggedCount}` : String(this.raggedCount);
    throw new ParseError(
      'RAGGED_ROW',
      `line ${first.line} has ${first.fields} fields but the header has ${this.expected}` +
        (more.length > 0 ? ` (also lines ${more.join(', ')}; ${total} such lines)` : '') +
        '; check the delimiter and quoting, or fix those lines',
      { row: first.line, value: first.fields, expected: `${this.expected} fields` },
    );
  }
}

/**
 * Counts delimiters in the first line as bytes arrive, so a file whose first line would split into
 * millions of fields fails at once instead of after csv-parse has built them all.
 */
class FirstLineGuard {
  private fields = 1;
  private inQuote = false;
  private done = false;
  private readonly delim: number;
  private readonly quote: number;

  constructor(delimiter: string, quote: string) {
    this.delim = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
    this.quote = quote.charCodeAt(0);
  }

  check(chunk: Uint8Array): void {
    if (this.done || this.delim < 0) return;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === this.quote) this.inQuote = !this.inQuote;
      else if (!this.inQuote) {
        if (b === 10 || b === 13) {
          this.done = true;
          return;
        }
        if (b === this.delim && ++this.fields > MAX_COLUMNS) {
          throw new ParseError(
            'TOO_MANY_COLUMNS',
            `line 1 splits into more than ${MAX_COLUMNS} fields; is the delimiter right, and is this a table?`,
            { row: 1, expected: `at most ${MAX_COLUMNS} columns` },
          );
        }
      }
    }
  }
}

/**
 * Whether every quoted field of `raw` (one record's text) closes right before a delimiter, a line
 * break or the end; a doubled quote inside is an escaped quote. Quotes inside unquoted fields are
 * plain characters.
 */
function quotesWellFormed(raw: string, delimiter: string, quote: string): boolean {
  let i = 0;
  const n = raw.length;
  let fieldStart = true;
  while (i < n) {
    if (fieldStart && raw[i] === quote) {
      i++;
      for (;;) {
        const q = raw.indexOf(quote, i);
        if (q < 0) return false;
        if (raw[q + 1] === quote) {
          i = q + 2;
          continue;
        }
        const next = raw[q + 1];
        if (next !== undefined && next !== '\n' && next !== '\r' && !raw.startsWith(delimiter, q + 1)) return false;
        i = q + 1;
        break;
      }
      fieldStart = false;
      continue;
    }
    if (raw.startsWith(delimiter, i)) {
      i += delimiter.length;
      fieldStart = true;
    } else {
      fieldStart = raw[i] === '\n' || raw[i] === '\r';
      i++;
    }
  }
  return true;
}

function newlinesIn(record: string[]): number {
  let n = 0;
  for (const f of record) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

/** Choose the delimiter: the user's, else sniffed from the first bytes. */
export function chooseDelimiter(head: Uint8Array, s: CsvSettings): string {
  if (s.delimiter) return s.delimiter;
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 65536)).toString('utf8');
  const candidates = s.decimalComma ? DELIMITER_CANDIDATES.filter((d) => d !== ',') : DELIMITER_CANDIDATES;
  return sniffDelimiter(text, candidates, s.quote);
}

function parserOptions(delimiter: string, s: CsvSettings, sink: CsvSink): CsvOptions {
  sink.useDelimiter(delimiter);
  const collect = s.badRows === 'collect';
  return {
    // Collect mode keeps each record's raw text, to re-read the lines of a broken one.
    raw: collect,
    delimiter,
    quote: s.quote,
    escape: s.quote,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    // With `raw`, csv-parse hands over `{ record, raw }` instead of the record.
    on_record: (rec: string[] | { record: string[] }, ctx: { lines: number; bytes: number; raw?: string }) => {
      sink.onParsed(Array.isArray(rec) ? rec : rec.record, ctx.lines, ctx.bytes, ctx.raw);
      return null;
    },
  } as CsvOptions;
}

/** Turn a csv-parse error into a ParseError with the line; our own errors pass through. */
function translate(e: unknown, sink: CsvSink): Error {
  if (e instanceof ParseError) return e;
  const err = e as Error & { code?: string; lines?: number };
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new ParseError(
      'UNCLOSED_QUOTE',
      `line ${sink.nextLine} opens a quoted field that is never closed (the file ends inside it); add the closing quote`,
      { row: sink.nextLine, expected: 'a closing quote' },
    );
  }
  if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
    const row = err.lines !== undefined ? err.lines + sink.lineShift : sink.nextLine;
    return new ParseError('CSV_SYNTAX', `line ${row}: ${err.message}`, { row });
  }
  return err;
}

/** Stream CSV bytes through csv-parse, checking UTF-8 on the way and building columns directly. */
export async function readCsvChunks(
  chunks: AsyncIterable<Uint8Array>,
  delimiter: string,
  s: CsvSettings,
): Promise<ReadColumns> {
  // With no batch limit the reader yields exactly one batch: every row.
  for await (const batch of readCsvRowBatches(chunks, delimiter, s, Infinity)) return batch.columns;
  throw new Error('the CSV reader yielded no batch');
}

/** One batch of CSV rows and how far into the input the reader is. */
export interface CsvRowBatch {
  columns: ReadColumns;
  /** 0-based index of the batch's first data row in the whole input. */
  offset: number;
  /** Input bytes up to the batch's last row (for progress). */
  bytesRead: number;
}

/**
 * Stream CSV bytes through csv-parse and yield the rows in batches of `batchRows` (the last one may
 * be shorter; a header-only input yields one empty batch when `allowEmpty`). Each batch is typed on
 * its own, so a column can come out as numbers in one batch and as strings in another: force types
 * with `columnTypes` (e.g. 'string' everywhere and `coerceToSchema` per batch) when that matters.
 * Memory holds one batch plus one byte chunk's rows. Errors carry whole-input line numbers; rows
 * with the wrong field count fail at the end, after the earlier batches were yielded.
 */
export async function* readCsvRowBatches(
  chunks: AsyncIterable<Uint8Array>,
  delimiter: string,
  s: CsvSettings,
  batchRows: number,
): AsyncGenerator<CsvRowBatch> {
  const sink = new CsvSink(s, batchRows);
  const guard = new Utf8Guard(sink.collecting ? sink.badUtf8 : undefined);
  const wide = new FirstLineGuard(delimiter, s.quote);
  const parser = parseAsync(parserOptions(delimiter, s, sink));
  let failure: unknown;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.resume();
  const ended = once(parser, 'end');
  ended.catch(() => undefined);
  let bytesRead = 0;
  let offset = s.range?.rows ?? 0;
  let yielded = false;
  let first = true;
  const take = function* (): Generator<CsvRowBatch> {
    while (sink.batches.length > 0) {
      const columns = sink.batches.shift() as ReadColumns;
      const bytes = sink.batchBytes.shift() as number;
      yielded = true;
      yield { columns, offset, bytesRead: bytes };
      offset += columns.rows;
    }
  };
  let finished = false;
  try {
    try {
      for await (const chunk of chunks) {
        guard.check(chunk);
        // With a range, the first chunk is the header; the rest starts further on in the file.
        if (first && s.range) guard.skipLines(s.range.lineFeeds);
        first = false;
        wide.check(chunk);
        if (failure) break;
        bytesRead += chunk.length;
        if (!parser.write(chunk)) await once(parser, 'drain');
        if (failure) break;
        yield* take();
      }
      if (!failure) {
        guard.end();
        parser.end();
        await ended;
      }
    } catch (e) {
      failure ??= e;
    }
    if (failure && sink.collecting && unclosedAtEnd(failure)) {
      // The input ended inside a quoted field: re-read the lines it swallowed.
      sink.salvage((failure as { raw: string }).raw, sink.nextLine);
      failure = undefined;
    }
    if (failure) throw translate(failure, sink);
    yield* take();
    const last = sink.finish();
    if (last.rows > 0 || !yielded) yield { columns: last, offset, bytesRead };
    finished = true;
  } finally {
    if (!finished) parser.destroy();
  }
}

function unclosedAtEnd(e: unknown): boolean {
  const err = e as { code?: string; raw?: unknown };
  return err.code === 'CSV_QUOTE_NOT_CLOSED' && typeof err.raw === 'string';
}

/** The same, synchronously, for bytes already in memory. */
export function readCsvBytes(bytes: Uint8Array, delimiter: string, s: CsvSettings): ReadColumns {
  const sink = new CsvSink(s);
  const guard = new Utf8Guard();
  guard.check(bytes);
  guard.end();
  new FirstLineGuard(delimiter, s.quote).check(bytes);
  try {
    parseSync(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      parserOptions(delimiter, s, sink) as never,
    );
  } catch (e) {
    throw translate(e, sink);
  }
  return sink.finish();
}
