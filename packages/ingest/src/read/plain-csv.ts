import { ColumnBuilder } from './column-builder';
import type { CsvSettings } from './csv-reader';
import { uniqueHeaderNames } from './header-names';
import type { ReadColumns, ReadWarning } from './read-options';

/** More header fields than this is left to the full reader (its TOO_MANY_COLUMNS error). */
const MAX_PLAIN_COLUMNS = 65_536;

const LF = 10;
const CR = 13;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/** 10^0 .. 10^22: every one exactly a double, so one multiplication or division by it rounds once. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

const UNDECIDED = 0;
const FAST_NUMBER = 1;
const BUILDER = 2;

/** Why the plain reader handed the file back (the full reader then reads it from the start). */
const GIVE_UP = Symbol('not plain');

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether a file may be read by `readPlainCsv`: the settings the reader uses by default (a header,
 * `''` as the only missing value, a point as the decimal mark, no forced types, bad rows fail).
 */
export function plainCsvSettings(s: CsvSettings, delimiter: string): boolean {
  return (
    delimiter.length === 1 &&
    delimiter !== '\n' &&
    delimiter !== '\r' &&
    s.quote.length === 1 &&
    s.header &&
    !s.decimalComma &&
    s.nullValues.length === 1 &&
    s.nullValues[0] === '' &&
    Object.keys(s.columnTypes).length === 0 &&
    (s.badRows ?? 'fail') === 'fail'
  );
}

/**
 * The common CSV read in one pass over its bytes, with the same result as the streaming reader
 * (`readCsvBytes` / `readCsvChunks`): same names, types and values. A file is "plain" when it has
 * no quote character at all, no byte-order mark, line ends `\n` or `\r\n`, every line the header's
 * field count and valid UTF-8. Plain decimal numbers (`-12`, `3.25`, `1e-7`) are parsed from the
 * bytes straight into a Float64Array (no string per cell); any other cell goes through the same
 * ColumnBuilder as the full reader. Anything else, including a number column that meets a cell
 * the fast grammar does not read, returns undefined, and the caller reads the file the full way:
 * the answer never depends on which reader ran, only the time does.
 *
 * Numbers: a mantissa of at most 15 significant digits with a decimal exponent within ±22 is
 * exact as a double, and so is the power of ten, so `m * 10^e` (or `m / 10^-e`) is rounded once,
 * as `Number(text)` rounds (Clinger's fast path). Longer mantissas (17-digit shortest forms of
 * arbitrary doubles) are read by `Number` on the cell's text.
 */
export function readPlainCsv(
  bytes: Uint8Array,
  delimiter: string,
  s: CsvSettings,
  warn: (w: ReadWarning) => void = s.warn,
): ReadColumns | undefined {
  if (!plainCsvSettings(s, delimiter)) return undefined;
  try {
    return read(bytes, delimiter.charCodeAt(0), s.quote.charCodeAt(0), warn);
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function read(bytes: Uint8Array, d: number, quote: number, warn: (w: ReadWarning) => void): ReadColumns | undefined {
  const n = bytes.length;
  if (n === 0 || bytes.indexOf(quote) !== -1) return undefined;
  if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // Header.
  let nl = buf.indexOf(LF);
  if (nl <= 0) return undefined;
  const headerEnd = bytes[nl - 1] === CR ? nl - 1 : nl;
  const header = decode(bytes, 0, headerEnd);
  if (header.includes('\r') || header.length === 0) return undefined;
  const fields = header.split(String.fromCharCode(d));
  if (fields.length > MAX_PLAIN_COLUMNS) return undefined;
  const warnings: ReadWarning[] = [];
  const names = uniqueHeaderNames(fields, (w) => warnings.push(w));
  const k = names.length;

  // Rows: at most one per remaining line.
  let lines = 0;
  for (let i = nl + 1; i < n; i = nl + 1) {
    nl = buf.indexOf(LF, i);
    lines++;
    if (nl < 0) break;
  }
  const mode = new Uint8Array(k);
  const pendingNulls = new Int32Array(k);
  const nums: Float64Array[] = new Array(k);
  const nulls: (Uint8Array | undefined)[] = new Array(k);
  const builders: (ColumnBuilder | undefined)[] = new Array(k);
  const caches = Array.from({ length: k }, () => new Map<number, string>());

  let pos = headerEnd + (bytes[headerEnd] === CR ? 2 : 1);
  let row = 0;
  let line = 1;
  while (pos < n) {
    line++;
    // Empty lines are skipped, as csv-parse's skip_empty_lines does.
    if (bytes[pos] === LF) {
      pos++;
      continue;
    }
    if (bytes[pos] === CR && bytes[pos + 1] === LF) {
      pos += 2;
      continue;
    }
    for (let c = 0; c < k; c++) {
      const start = pos;
      const m = mode[c];
      let end: number;
      if (m !== BUILDER) {
        // The fast grammar, read while scanning: [+-]? digits [. digits] [(e|E) [+-]? digits].
        let i = pos;
        let b = i < n ? bytes[i] : LF;
        let negative = false;
        if (b === MINUS || b === PLUS) {
          negative = b === MINUS;
          b = ++i < n ? bytes[i] : LF;
        }
        let mantissa = 0;
        let significant = 0;
        let digits = 0;
        let scale = 0;
        while (b >= ZERO && b <= NINE) {
          if (significant > 0 || b !== ZERO) {
            mantissa = mantissa * 10 + (b - ZERO);
            significant++;
          }
          digits++;
          b = ++i < n ? bytes[i] : LF;
        }
        if (b === DOT) {
          b = ++i < n ? bytes[i] : LF;
          while (b >= ZERO && b <= NINE) {
            if (significant > 0 || b !== ZERO) {
              mantissa = mantissa * 10 + (b - ZERO);
              significant++;
            }
            digits++;
            scale--;
            b = ++i < n ? bytes[i] : LF;
          }
        }
        let ok = digits > 0;
        if (ok && (b === LOWER_E || b === UPPER_E)) {
          b = ++i < n ? bytes[i] : LF;
          let expNegative = false;
          if (b === MINUS || b === PLUS) {
            expNegative = b === MINUS;
            b = ++i < n ? bytes[i] : LF;
          }
          let exp = 0;
          let expDigits = 0;
          while (b >= ZERO && b <= NINE) {
            if (exp < 100_000) exp = exp * 10 + (b - ZERO);
            expDigits++;
            b = ++i < n ? bytes[i] : LF;
          }
          ok = expDigits > 0;
          scale += expNegative ? -exp : exp;
        }
        const terminated = b === d || b === LF || (b === CR && i + 1 < n && bytes[i + 1] === LF) || i >= n;
        if (i === start && terminated) {
          // An empty cell: missing.
          end = i;
          if (m === UNDECIDED) pendingNulls[c]++;
          else (nulls[c] ??= new Uint8Array(nums[c].length))[row] = 1;
        } else if (ok && terminated) {
          end = i;
          let v: number;
          if (significant === 0) v = 0;
          else if (significant <= 15 && scale >= 0 && scale <= 22) v = mantissa * POW10[scale];
          else if (significant <= 15 && scale < 0 && scale >= -22) v = mantissa / POW10[-scale];
          else {
            v = Number(latin1(buf, negative || bytes[start] === PLUS ? start + 1 : start, end));
            if (!Number.isFinite(v)) {
              // parseNumber refuses what overflows: the full reader decides what the column is.
              if (m === FAST_NUMBER) throw GIVE_UP;
              mode[c] = BUILDER;
              builders[c] = builderWithNulls(names[c], pendingNulls[c]);
              pos = next(bytes, n, d, builderCell(bytes, buf, n, d, start, builders[c]!, line, caches[c]), c === k - 1);
              continue;
            }
          }
          if (m === UNDECIDED) {
            mode[c] = FAST_NUMBER;
            nums[c] = new Float64Array(lines);
            if (pendingNulls[c] > 0) nulls[c] = new Uint8Array(lines).fill(1, 0, row);
          }
          nums[c][row] = negative ? -v : v;
        } else {
          // Not a plain number: a number column ends here (the full reader decides); an undecided
          // one becomes a builder column.
          if (m === FAST_NUMBER) throw GIVE_UP;
          mode[c] = BUILDER;
          builders[c] = builderWithNulls(names[c], pendingNulls[c]);
          pos = next(bytes, n, d, builderCell(bytes, buf, n, d, start, builders[c]!, line, caches[c]), c === k - 1);
          continue;
        }
      } else {
        end = builderCell(bytes, buf, n, d, start, builders[c]!, line, caches[c]);
      }
      pos = next(bytes, n, d, end, c === k - 1);
    }
    row++;
  }
  if (row === 0) return undefined;

  const rows = row;
  const columns: unknown[][] = new Array(k);
  const types: ReadColumns['types'] = new Array(k);
  for (let c = 0; c < k; c++) {
    if (mode[c] === FAST_NUMBER) {
      const v = nums[c];
      const isNull = nulls[c];
      const out: (number | null)[] = new Array(rows);
      if (isNull) for (let r = 0; r < rows; r++) out[r] = isNull[r] ? null : v[r];
      else for (let r = 0; r < rows; r++) out[r] = v[r];
      columns[c] = out;
      types[c] = 'number';
    } else {
      const b = builders[c] ?? builderWithNulls(names[c], rows);
      columns[c] = b.finish();
      types[c] = b.type;
    }
  }
  for (const w of warnings) warn(w);
  return { names, columns, types, rows };
}

/** Texts a builder column has seen, by a hash of their bytes: a repeated category costs no new string. */
const TEXT_CACHE_LIMIT = 4096;

/** A cell of a builder column from `start` pushed as text (or missing); returns where it ends. */
function builderCell(
  bytes: Uint8Array,
  buf: Buffer,
  n: number,
  d: number,
  start: number,
  builder: ColumnBuilder,
  line: number,
  cache: Map<number, string>,
): number {
  let i = start;
  let high = 0;
  let hash = 0x811c9dc5;
  while (i < n) {
    const b = bytes[i];
    if (b === d || b === LF || b === CR) break;
    high |= b;
    hash = Math.imul(hash ^ b, 0x01000193);
    i++;
  }
  if (i === start) {
    builder.pushNull();
    return i;
  }
  if (high & 0x80) {
    builder.pushText(decode(bytes, start, i), line);
    return i;
  }
  let text = cache.get(hash);
  if (text === undefined || !sameText(text, bytes, start, i)) {
    text = latin1(buf, start, i);
    if (cache.size < TEXT_CACHE_LIMIT && !cache.has(hash)) cache.set(hash, text);
  }
  builder.pushText(text, line);
  return i;
}

/** Whether an ASCII text is the bytes [start, end). */
function sameText(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let j = 0; j < text.length; j++) if (text.charCodeAt(j) !== bytes[start + j]) return false;
  return true;
}

/** A builder for a column whose first `nulls` rows were missing. */
function builderWithNulls(name: string, nulls: number): ColumnBuilder {
  const b = new ColumnBuilder(name);
  for (let r = 0; r < nulls; r++) b.pushNull();
  return b;
}

/** Where the cell after one ending at `end` starts (the next line's first, after the last column). */
function next(bytes: Uint8Array, n: number, d: number, end: number, last: boolean): number {
  const b = end < n ? bytes[end] : LF;
  if (!last) {
    if (b !== d) throw GIVE_UP; // too few fields on this line
    return end + 1;
  }
  if (end >= n) return n;
  if (b === LF) return end + 1;
  if (b === CR && bytes[end + 1] === LF) return end + 2;
  throw GIVE_UP; // more fields than the header, or a lone \r
}

/** Buffer's own latin1 slice (the binding `toString('latin1', ...)` ends in, without its checks). */
const latin1 = (buf: Buffer, start: number, end: number): string =>
  (buf as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);

/** UTF-8 text of bytes[start, end), or give up on invalid UTF-8 (the full reader names the line). */
function decode(bytes: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    throw GIVE_UP;
  }
}
