/**
 * The one value grammar: how a string becomes a number, a boolean or a date, and which strings
 * mean missing. File readers (ingest), schema inference, coercion, the record validator, the API
 * and batch scoring all read values through these functions, so a value is typed the same way at
 * training and at scoring. Each parser returns `undefined` when the string does not fit; callers
 * decide what that means (another type, or a problem naming row, column and value).
 */

/** How a column's date strings are written. `iso` covers YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]. */
export type DateFormat = 'iso' | 'ymd-slash' | 'dmy' | 'mdy';

/** The decimal mark of a column's numbers: `.` (default) or `,` (European exports). */
export type DecimalMark = '.' | ',';

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_RE = /^[+-]?\d+$/;
// Thousands groups of three, an optional fraction: 1,204 / 1,204,000.50 (dot) or 1.204,5 / 1 204,5 (comma).
const GROUPED_DOT_RE = /^[+-]?\d{1,3}(?:[,\u00a0\u202f' ]\d{3})+(?:\.\d*)?$/;
const GROUPED_COMMA_RE = /^[+-]?\d{1,3}(?:[.\u00a0\u202f' ]\d{3})+(?:,\d*)?$/;
const COMMA_DECIMAL_RE = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;
// A currency sign before or after the number, a percent sign after it: $1,204.00, 12 €, 45%, -$3.
const AFFIXED_RE = /^([+-]?)\s*([$€£¥₹]?)\s*([+-]?[\d.,\u00a0\u202f' ]*\d[\d.,]*)\s*([$€£¥₹%]?)$/;

/** A plain decimal number ("12", "-3.5", "1e3"); not "5k", "0x10", "Infinity", "1e999" or "1,204". */
export function parseNumber(s: string): number | undefined {
  let t = s;
  if (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32) t = t.trim();
  if (!NUMBER_RE.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * A number as spreadsheets and reports write it: what `parseNumber` reads, plus thousands
 * separators (`1,204,000`; `1.204,5` with a comma decimal mark), a currency sign (`$`, `€`, `£`,
 * `¥`, `₹`) before or after, and a percent sign after (`45%` reads 45: the unit stays as written).
 * With `decimal: ','`, `3,5` is 3.5. Never reads hex, `Infinity`, or a value that overflows.
 */
export function parseNumeral(s: string, decimal: DecimalMark = '.'): number | undefined {
  if (decimal === '.') {
    const plain = parseNumber(s);
    if (plain !== undefined) return plain;
  }
  const m = AFFIXED_RE.exec(s.trim());
  if (!m) return undefined;
  const [, sign, before, body, after] = m;
  if (before && after) return undefined;
  let text: string;
  if (decimal === '.') {
    if (NUMBER_RE.test(body)) text = body;
    else if (GROUPED_DOT_RE.test(body)) text = body.replace(/[,\u00a0\u202f' ]/g, '');
    else return undefined;
  } else if (COMMA_DECIMAL_RE.test(body)) text = body.replace(',', '.');
  else if (GROUPED_COMMA_RE.test(body)) text = body.replace(/[.\u00a0\u202f' ]/g, '').replace(',', '.');
  else return undefined;
  if (sign && /^[+-]/.test(text)) return undefined;
  const v = Number(sign === '-' ? `-${text}` : text);
  return Number.isFinite(v) ? v : undefined;
}

/** True when the string is written as an integer (no decimal point or exponent). */
export function isIntegerString(s: string): boolean {
  return INTEGER_RE.test(s.trim());
}

/** `007`, `02134`: digits with a leading zero. Such a column is a code (a category), not a number. */
export function hasLeadingZero(s: string): boolean {
  return /^0\d/.test(s.trim());
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 't', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f', 'off']);

/** true/false, yes/no, y/n, t/f, on/off in any letter case (not 1/0: those are numbers first). */
export function parseBooleanWord(s: string): boolean | undefined {
  const t = s.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
}

/** Like parseBooleanWord, also accepting "1"/"0" (used when coercing to a boolean column). */
export function parseBooleanLoose(s: string): boolean | undefined {
  const t = s.trim();
  if (t === '1') return true;
  if (t === '0') return false;
  return parseBooleanWord(t);
}

const TIME = '(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?';
const ZONE = '\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)?';
const ISO_RE = new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})${TIME}${ZONE}$`, 'i');
const YMD_SLASH_RE = new RegExp(`^(\\d{4})\\/(\\d{1,2})\\/(\\d{1,2})${TIME}${ZONE}$`, 'i');
const DMY_RE = new RegExp(`^(\\d{1,2})[/.-](\\d{1,2})[/.-](\\d{4})${TIME}$`);

/** Which format a date string is written in; dmy vs mdy is decided later over the whole column. */
export function dateShape(s: string): 'iso' | 'ymd-slash' | 'dm-or-md' | undefined {
  const t = s.trim();
  if (ISO_RE.test(t)) return 'iso';
  if (YMD_SLASH_RE.test(t)) return 'ymd-slash';
  if (DMY_RE.test(t)) return 'dm-or-md';
  return undefined;
}

/** Milliseconds of a fraction of a second, truncated: ".9999" is 999 ms, never the next second. */
function fractionMs(frac: string | undefined): number {
  return frac ? Number(`${frac}00`.slice(0, 3)) : 0;
}

function utc(y: number, mo: number, d: number, m: RegExpExecArray, at: number): Date | undefined {
  const h = +(m[at] ?? 0);
  const mi = +(m[at + 1] ?? 0);
  const sec = +(m[at + 2] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec, fractionMs(m[at + 3])));
  // Rejects 2021-02-30 and the like, which Date.UTC would roll over into March.
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return undefined;
  if (y < 100) date.setUTCFullYear(y);
  return date;
}

function withZone(date: Date | undefined, tz: string | undefined): Date | undefined {
  if (!date || !tz || tz.toUpperCase() === 'Z') return date;
  const sign = tz[0] === '-' ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  const offH = Number(digits.slice(0, 2));
  const offM = Number(digits.slice(2, 4) || '0');
  if (offH > 23 || offM > 59) return undefined;
  return new Date(date.getTime() - sign * (offH * 60 + offM) * 60000);
}

/**
 * Parse a date string written in `format` (ISO when omitted) into a UTC Date. Strings without a
 * zone are read as UTC; an explicit offset (Z, +02:00) is honoured. Impossible dates (2021-02-30,
 * 25:00) are undefined. Fractions of a second are truncated to milliseconds.
 */
export function parseDate(s: string, format: DateFormat = 'iso'): Date | undefined {
  const t = s.trim();
  let m: RegExpExecArray | null;
  if (format === 'iso' || format === 'ymd-slash') {
    m = (format === 'iso' ? ISO_RE : YMD_SLASH_RE).exec(t);
    return m ? withZone(utc(+m[1], +m[2], +m[3], m, 4), m[8]) : undefined;
  }
  m = DMY_RE.exec(t);
  if (!m) return undefined;
  const [a, b] = [+m[1], +m[2]];
  const [d, mo] = format === 'dmy' ? [a, b] : [b, a];
  return utc(+m[3], mo, d, m, 4);
}

/**
 * A date in the column's format; ISO 8601 is always accepted too (it cannot be mistaken for
 * another format), so a JSON client may send "2018-05-25" to a model trained on "25/05/2018".
 */
export function parseDateIn(s: string, format: DateFormat | undefined): Date | undefined {
  const d = parseDate(s, format ?? 'iso');
  return d !== undefined || format === undefined || format === 'iso' ? d : parseDate(s, 'iso');
}

/**
 * The one date format every string in `values` is written in, or undefined when they disagree or
 * some do not look like dates. Day-first vs month-first is decided by a first part above 12
 * (day-first) or a second part above 12 (month-first); month-first wins when nothing decides.
 */
export function detectDateFormat(values: readonly string[]): DateFormat | undefined {
  let shape: 'iso' | 'ymd-slash' | 'dm-or-md' | undefined;
  let dayFirst = false;
  let monthFirst = false;
  for (const v of values) {
    const s = dateShape(v);
    if (!s || (shape && s !== shape)) return undefined;
    shape = s;
    if (s === 'dm-or-md') {
      const m = DMY_RE.exec(v.trim());
      if (m && +m[1] > 12) dayFirst = true;
      if (m && +m[2] > 12) monthFirst = true;
    }
  }
  if (!shape || (dayFirst && monthFirst)) return undefined;
  const format: DateFormat = shape !== 'dm-or-md' ? shape : dayFirst ? 'dmy' : 'mdy';
  for (const v of values) if (!parseDate(v, format)) return undefined;
  return format;
}
