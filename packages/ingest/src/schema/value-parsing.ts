/**
 * Parsing of single string values into the table value conventions (see types.ts). Shared by
 * schema inference (which asks "does every value parse?") and coercion (which converts).
 * Each parser returns `undefined` when the string does not parse; callers decide what that means.
 */

/** How a column's date strings are written. `iso` covers YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]. */
export type DateFormat = 'iso' | 'ymd-slash' | 'dmy' | 'mdy';

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_RE = /^[+-]?\d+$/;
const ISO_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const YMD_SLASH_RE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const DMY_RE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

const TRUE_WORDS = new Set(['true', 'yes']);
const FALSE_WORDS = new Set(['false', 'no']);

/** A plain decimal number ("12", "-3.5", "1e3"); not "5k", "0x10", "Infinity" or "1,204". */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (!NUMBER_RE.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** True when the string is written as an integer (no decimal point or exponent). */
export function isIntegerString(s: string): boolean {
  return INTEGER_RE.test(s.trim());
}

/** true/false/yes/no in any letter case. */
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

/** Which format a date string is written in; dmy vs mdy is decided later over the whole column. */
export function dateShape(s: string): 'iso' | 'ymd-slash' | 'dm-or-md' | undefined {
  const t = s.trim();
  if (ISO_RE.test(t)) return 'iso';
  if (YMD_SLASH_RE.test(t)) return 'ymd-slash';
  if (DMY_RE.test(t)) return 'dm-or-md';
  return undefined;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, sec: number, frac: string | undefined): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return undefined;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms));
  // Rejects 2021-02-30 and the like, which Date.UTC would roll over into March.
  if (date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return undefined;
  if (y < 100) date.setUTCFullYear(y);
  return date;
}

function offsetMinutes(tz: string | undefined): number {
  if (!tz || tz.toUpperCase() === 'Z') return 0;
  const sign = tz[0] === '-' ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/**
 * Parse a date string written in `format` (ISO when omitted) into a UTC Date. Strings without a
 * zone are read as UTC; an explicit offset (Z, +02:00) is honoured.
 */
export function parseDate(s: string, format: DateFormat = 'iso'): Date | undefined {
  const t = s.trim();
  let m: RegExpExecArray | null;
  if (format === 'iso') {
    m = ISO_RE.exec(t);
    if (!m) return undefined;
    const date = utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7]);
    if (!date) return undefined;
    const off = offsetMinutes(m[8]);
    return off === 0 ? date : new Date(date.getTime() - off * 60000);
  }
  if (format === 'ymd-slash') {
    m = YMD_SLASH_RE.exec(t);
    return m ? utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7]) : undefined;
  }
  m = DMY_RE.exec(t);
  if (!m) return undefined;
  const [a, b] = [+m[1], +m[2]];
  const [d, mo] = format === 'dmy' ? [a, b] : [b, a];
  return utc(+m[3], mo, d, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7]);
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
