/**
 * Text -> value parsers used to type columns. Each returns `undefined` when the text does not fit,
 * so callers can fall back without exceptions in hot loops.
 */

const NUMBER_DOT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NUMBER_COMMA = /^[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number written plainly (`12`, `-3.5`, `.5`, `1e-3`); no hex, no Infinity, no thousands separators. */
export function parseNumberText(text: string, decimalComma = false): number | undefined {
  let t = text;
  if (t.charCodeAt(0) === 32 || t.charCodeAt(t.length - 1) === 32) t = t.trim();
  if (decimalComma) {
    if (!NUMBER_COMMA.test(t)) return undefined;
    return Number(t.replace(',', '.'));
  }
  if (!NUMBER_DOT.test(t)) return undefined;
  return Number(t);
}

/** The spellings read as booleans, in code order (code = index + 1). */
export const BOOLEAN_SPELLINGS = ['true', 'false', 'True', 'False', 'TRUE', 'FALSE'] as const;

/** 1..6 for a boolean spelling (odd = true), 0 when the text is not boolean-like. */
export function booleanCode(text: string): number {
  switch (text) {
    case 'true':
      return 1;
    case 'false':
      return 2;
    case 'True':
      return 3;
    case 'False':
      return 4;
    case 'TRUE':
      return 5;
    case 'FALSE':
      return 6;
    default:
      return 0;
  }
}

/** Looser boolean reading used only when the user forces a column to boolean. */
export function parseForcedBoolean(text: string): boolean | undefined {
  switch (text.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
    case 't':
    case 'y':
      return true;
    case 'false':
    case '0':
    case 'no':
    case 'f':
    case 'n':
      return false;
    default:
      return undefined;
  }
}

// YYYY-MM-DD or YYYY/MM/DD, optional time HH:MM[:SS[.fff]] after 'T' or ' ', optional Z or +HH:MM.
const DATE_RE = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO-like date or date-time -> milliseconds since epoch (UTC when no offset is written).
 * Rejects impossible dates (2021-02-30, 25:00).
 */
export function parseDateText(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if (first < 48 || first > 57 || text.length < 10 || text.length > 40) return undefined;
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const year = +m[1];
  const month = +m[3];
  const day = +m[4];
  if (month < 1 || month > 12 || day < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > maxDay) return undefined;
  const hour = m[5] ? +m[5] : 0;
  const minute = m[6] ? +m[6] : 0;
  const second = m[7] ? +m[7] : 0;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[8] ? Math.floor(+`0.${m[8]}` * 1000 + 1e-7) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) {
    const d = new Date(t);
    d.setUTCFullYear(year);
    t = d.getTime();
  }
  const zone = m[9];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offH = +digits.slice(0, 2);
    const offM = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (offH > 23 || offM > 59) return undefined;
    t -= sign * (offH * 60 + offM) * 60000;
  }
  return t;
}
