import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import { COLUMN_ROLES, COLUMN_TYPES, type ColumnRole, type ColumnSchema, type ColumnType, type Schema } from './types';
import { columnValues } from './column-values';
import { duplicatesIdentifier, hiddenIdentifierReason } from './hidden-identifier';
import { missingPredicate } from './missing-tokens';
import {
  type DateFormat,
  type DecimalMark,
  dateShape,
  detectDateFormat,
  hasLeadingZero,
  isIntegerString,
  parseBooleanLoose,
  parseBooleanWord,
  parseDate,
  parseNumeral,
} from './value-grammar';

export interface InferSchemaOptions {
  /** Force a column's type (inference still records its statistics under that type). */
  types?: Record<string, ColumnType>;
  /** Set a column's role; identifier columns default to `id`, everything else to `feature`. */
  roles?: Record<string, ColumnRole>;
  /** Shorthand for `roles: { [target]: 'target' }`. */
  target?: string;
  /**
   * A string column with at most this many distinct values may be a category; also the cap on
   * how many categories are recorded (most frequent first). Default 200.
   */
  maxCategories?: number;
  /** ...and its distinct values are at most this share of its non-missing values. Default 0.05. */
  categoryRatio?: number;
  /** Columns with at most this many distinct strings are categories whatever the ratio. Default 20. */
  smallCategoryCount?: number;
  /** Strings longer than this on average are text, not categories. Default 30. */
  textLength?: number;
  /**
   * Integer-valued columns with at most this many distinct values are `integer` (counts, codes,
   * years, hours); with more they are continuous amounts and infer as `number` (goal, Income), so
   * new data with a fraction still validates. Default 200.
   */
  integerMaxDistinct?: number;
  /** Numbers that are exactly 0 and 1 (both present) infer as boolean. Default true. */
  zeroOneAsBoolean?: boolean;
  /** Names that mark an identifier when the column is unique per row. */
  identifierPattern?: RegExp;
  /** Names that mark a count (a 0/1 count stays integer). */
  countPattern?: RegExp;
  /** Strings that mean missing (besides blanks). Default DEFAULT_MISSING_TOKENS. */
  missingTokens?: readonly string[];
}

const DEFAULT_ID_PATTERN = /^(?:id|.*[_\s.-]id|.*[a-z]Id|.*ID|id[_\s.-].*|uuid|guid|key)$/;
const DEFAULT_COUNT_PATTERN = /(?:count|^num|^n_|_n$|qty|quantity|total|number)/i;

/** What the first pass over a column found: how many values of each kind. */
interface KindCounts {
  missing: number;
  numbers: number;
  integers: number;
  booleans: number;
  dates: number;
  strings: number;
  numericStrings: number;
  integerStrings: number;
  /** Strings that read as numbers only with a decimal comma ("3,5"), and those that read either way. */
  commaOnlyStrings: number;
  commaStrings: number;
  /** Digit strings with a leading zero ("007"): codes, not amounts. */
  leadingZeroStrings: number;
  booleanStrings: number;
  dateStrings: string[];
  zeroOne: number;
  hasZero: boolean;
  hasOne: boolean;
}

function countKinds(values: ArrayLike<unknown>, isMissing: (v: unknown) => boolean): KindCounts {
  const k: KindCounts = {
    missing: 0,
    numbers: 0,
    integers: 0,
    booleans: 0,
    dates: 0,
    strings: 0,
    numericStrings: 0,
    integerStrings: 0,
    commaOnlyStrings: 0,
    commaStrings: 0,
    leadingZeroStrings: 0,
    booleanStrings: 0,
    dateStrings: [],
    zeroOne: 0,
    hasZero: false,
    hasOne: false,
  };
  let collectDates = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) {
      k.missing++;
      continue;
    }
    if (typeof v === 'number') {
      k.numbers++;
      if (Number.isInteger(v)) k.integers++;
      if (v === 0 || v === 1) {
        k.zeroOne++;
        if (v === 0) k.hasZero = true;
        else k.hasOne = true;
      }
    } else if (typeof v === 'boolean') {
      k.booleans++;
    } else if (v instanceof Date) {
      k.dates++;
    } else if (typeof v === 'string') {
      k.strings++;
      const n = parseNumeral(v);
      const comma = parseNumeral(v, ',');
      if (comma !== undefined) {
        k.commaStrings++;
        if (n === undefined) k.commaOnlyStrings++;
      }
      if (n !== undefined || comma !== undefined) {
        if (hasLeadingZero(v)) k.leadingZeroStrings++;
      }
      if (n !== undefined) {
        k.numericStrings++;
        if (isIntegerString(v) || (Number.isInteger(n) && !/\.\d*\D*$/.test(v))) k.integerStrings++;
        if (n === 0 || n === 1) {
          k.zeroOne++;
          if (n === 0) k.hasZero = true;
          else k.hasOne = true;
        }
      } else if (parseBooleanWord(v) !== undefined) {
        k.booleanStrings++;
      } else if (collectDates) {
        // Keep collecting only while every other string could be a date (saves memory otherwise).
        if (dateShape(v)) k.dateStrings.push(v);
        else {
          collectDates = false;
          k.dateStrings = [];
        }
      }
    }
  }
  return k;
}

type Guess = { type: ColumnType; dateFormat?: DateFormat; decimal?: ',' } | 'stringy';

function guessType(
  name: string,
  k: KindCounts,
  n: number,
  o: Required<Pick<InferSchemaOptions, 'zeroOneAsBoolean'>> & { countPattern: RegExp },
): Guess {
  const m = n - k.missing;
  if (m === 0) return { type: 'category' };
  // Words (yes/no, Y/N, TRUE/FALSE, on/off), possibly mixed with 1/0.
  if (k.booleans + k.booleanStrings > 0 && k.booleans + k.booleanStrings + k.zeroOne === m) return { type: 'boolean' };
  // A column of codes written with leading zeros (zip codes, "007") is a category: as numbers
  // they would lose their zeros and read the same at training and scoring only by luck.
  if (k.leadingZeroStrings > 0 && k.numbers + Math.max(k.numericStrings, k.commaStrings) === m) return 'stringy';
  if (k.commaOnlyStrings > 0 && k.numbers + k.commaStrings === m) {
    return { type: 'number', decimal: ',' };
  }
  if (k.numbers + k.numericStrings === m) {
    if (o.zeroOneAsBoolean && k.zeroOne === m && k.hasZero && k.hasOne && !o.countPattern.test(name))
      return { type: 'boolean' };
    return { type: k.integers + k.integerStrings === m ? 'integer' : 'number' };
  }
  if (k.dates === m) return { type: 'datetime' };
  if (k.dates + k.dateStrings.length === m && k.dateStrings.length === k.strings) {
    const dateFormat = detectDateFormat(k.dateStrings);
    if (dateFormat) return { type: 'datetime', dateFormat };
  }
  return 'stringy';
}

/** Convert one non-missing value to the canonical string used for categories. */
function asString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function sortedByFrequency(counts: Map<string, number>, cap: number): string[] {
  // Map keeps first-seen order and Array.prototype.sort is stable: ties stay in first-seen order.
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, cap)
    .map((e) => e[0]);
}

interface Stats {
  distinct: number;
  min?: number | string;
  max?: number | string;
  categories?: string[];
  meanLength?: number;
  whitespaceShare?: number;
}

function numericStats(values: ArrayLike<unknown>, isMissing: (v: unknown) => boolean, decimal: DecimalMark): Stats {
  const seen = new Set<number>();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    const x = typeof v === 'number' ? v : typeof v === 'string' ? parseNumeral(v, decimal) : undefined;
    if (x === undefined) continue;
    seen.add(x);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return seen.size ? { distinct: seen.size, min, max } : { distinct: 0 };
}

function booleanStats(values: ArrayLike<unknown>, isMissing: (v: unknown) => boolean): Stats {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    const b =
      typeof v === 'boolean'
        ? v
        : typeof v === 'string'
          ? parseBooleanLoose(v)
          : v === 1
            ? true
            : v === 0
              ? false
              : undefined;
    if (b === undefined) continue;
    const key = b ? 'true' : 'false';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { distinct: counts.size, categories: sortedByFrequency(counts, 2) };
}

function dateStats(
  values: ArrayLike<unknown>,
  isMissing: (v: unknown) => boolean,
  format: DateFormat | undefined,
): Stats {
  const seen = new Set<number>();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    const d = v instanceof Date ? v : typeof v === 'string' ? parseDate(v, format) : undefined;
    if (!d) continue;
    const t = d.getTime();
    seen.add(t);
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return seen.size
    ? { distinct: seen.size, min: new Date(min).toISOString(), max: new Date(max).toISOString() }
    : { distinct: 0 };
}

function stringStats(values: ArrayLike<unknown>, isMissing: (v: unknown) => boolean, cap: number): Stats {
  const counts = new Map<string, number>();
  let length = 0;
  let spaced = 0;
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    const s = asString(v);
    m++;
    length += s.length;
    if (/\s/.test(s)) spaced++;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return {
    distinct: counts.size,
    categories: sortedByFrequency(counts, cap),
    meanLength: m ? length / m : 0,
    whitespaceShare: m ? spaced / m : 0,
  };
}

function checkOverrides(table: ColumnTable, options: InferSchemaOptions): void {
  const names = new Set(table.columnNames());
  for (const [col, type] of Object.entries(options.types ?? {})) {
    if (!names.has(col))
      throw new ConfigError('UNKNOWN_COLUMN', `types names column "${col}", which the table does not have`, {
        column: col,
        expected: `one of: ${[...names].join(', ')}`,
      });
    if (!COLUMN_TYPES.includes(type))
      throw new ConfigError('UNKNOWN_TYPE', `types.${col} is "${String(type)}", not a column type`, {
        column: col,
        value: type,
        expected: `one of: ${COLUMN_TYPES.join(', ')}`,
      });
  }
  const roles = { ...(options.roles ?? {}) };
  if (options.target !== undefined) roles[options.target] = 'target';
  for (const [col, role] of Object.entries(roles)) {
    if (!names.has(col))
      throw new ConfigError('UNKNOWN_COLUMN', `roles names column "${col}", which the table does not have`, {
        column: col,
        expected: `one of: ${[...names].join(', ')}`,
      });
    if (!COLUMN_ROLES.includes(role))
      throw new ConfigError('UNKNOWN_ROLE', `roles.${col} is "${String(role)}", not a column role`, {
        column: col,
        value: role,
        expected: `one of: ${COLUMN_ROLES.join(', ')}`,
      });
  }
}

/**
 * Infer each column's type, role and statistics from a table. Strings are looked through: "12.5"
 * counts as a number, "True"/"no" as a boolean, "2017-06-03 16:05:54" as a datetime, so a table
 * read as plain text infers the same schema as a typed one. See README.schema.md for the rules.
 */
export function inferSchema(table: ColumnTable, options: InferSchemaOptions = {}): Schema {
  checkOverrides(table, options);
  const maxCategories = options.maxCategories ?? 200;
  const categoryRatio = options.categoryRatio ?? 0.05;
  const smallCategoryCount = options.smallCategoryCount ?? 20;
  const textLength = options.textLength ?? 30;
  const idPattern = options.identifierPattern ?? DEFAULT_ID_PATTERN;
  const countPattern = options.countPattern ?? DEFAULT_COUNT_PATTERN;
  const zeroOneAsBoolean = options.zeroOneAsBoolean ?? true;
  const integerMaxDistinct = options.integerMaxDistinct ?? 200;
  const isMissing = missingPredicate(options.missingTokens);
  const n = table.numRows();

  const unforcedUnique: { col: ColumnSchema; values: ArrayLike<unknown> }[] = [];
  const idColumns: { col: ColumnSchema; values: ArrayLike<unknown> }[] = [];
  const columns = table.columnNames().map((name, position): ColumnSchema => {
    const values = columnValues(table, name);
    const kinds = countKinds(values, isMissing);
    const m = n - kinds.missing;
    const forced = options.types?.[name];
    const guess = guessType(name, kinds, n, { zeroOneAsBoolean, countPattern });
    let type: ColumnType;
    let dateFormat: DateFormat | undefined;
    let decimal: ',' | undefined;
    let stats: Stats;
    if (forced) {
      type = forced;
      if (forced === 'datetime') {
        dateFormat =
          guess !== 'stringy' && guess.dateFormat
            ? guess.dateFormat
            : (detectDateFormat(kinds.dateStrings) ?? (kinds.strings ? 'iso' : undefined));
      }
    } else if (guess === 'stringy') {
      const s = stringStats(values, isMissing, maxCategories);
      const unique = s.distinct === m && kinds.missing === 0;
      const noSpaces = s.whitespaceShare === 0;
      if (unique && m >= 2 && (idPattern.test(name) || (m >= 20 && noSpaces && (s.meanLength ?? 0) <= 64)))
        type = 'identifier';
      else if ((s.meanLength ?? 0) > textLength) type = 'text';
      else if (s.distinct <= maxCategories && (s.distinct <= smallCategoryCount || s.distinct <= categoryRatio * m))
        type = 'category';
      else type = 'text';
      stats = s;
    } else {
      type = guess.type;
      dateFormat = guess.dateFormat;
      decimal = guess.decimal;
    }
    if (forced && (forced === 'number' || forced === 'integer') && guess !== 'stringy') decimal = guess.decimal;
    stats ??= statsFor(type, values, isMissing, dateFormat, maxCategories, decimal ?? '.');
    if (!forced && type === 'integer') {
      if (idPattern.test(name) && stats.distinct === m && kinds.missing === 0 && m >= 2) type = 'identifier';
      else if (stats.distinct > integerMaxDistinct) type = 'number';
    }
    // Row numbers, unique monotone integers and a saved index are identifiers whatever their name.
    if (
      !forced &&
      options.target !== name &&
      (type === 'integer' || type === 'number') &&
      kinds.missing === 0 &&
      stats.distinct === m &&
      hiddenIdentifierReason(name, position, values, isMissing, decimal ?? '.') !== undefined
    )
      type = 'identifier';

    const role: ColumnRole =
      options.target === name ? 'target' : (options.roles?.[name] ?? (type === 'identifier' ? 'id' : 'feature'));
    const col: ColumnSchema = {
      name,
      type,
      role,
      required: kinds.missing === 0,
      missing: kinds.missing,
      distinct: stats.distinct,
    };
    if ((type === 'category' || type === 'boolean') && stats.categories) col.categories = stats.categories;
    if ((type === 'number' || type === 'integer' || type === 'datetime') && stats.min !== undefined) {
      col.min = stats.min;
      col.max = stats.max;
    }
    if (type === 'datetime' && dateFormat) col.dateFormat = dateFormat;
    if ((type === 'number' || type === 'integer') && decimal) col.decimal = decimal;
    if (!forced && options.target !== name && !options.roles?.[name] && kinds.missing === 0 && stats.distinct === m)
      unforcedUnique.push({ col, values });
    if (type === 'identifier' || role === 'id') idColumns.push({ col, values });
    return col;
  });
  // A unique column that repeats an identifier (value for value, or at a constant offset) is one too.
  const ids = idColumns;
  for (const u of unforcedUnique) {
    if (u.col.type === 'identifier' || u.col.role !== 'feature') continue;
    if (ids.some((id) => duplicatesIdentifier(u.values, id.values, isMissing))) {
      u.col.type = 'identifier';
      u.col.role = 'id';
      delete u.col.min;
      delete u.col.max;
      delete u.col.categories;
      delete u.col.decimal;
    }
  }
  return options.missingTokens ? { columns, rows: n, missingTokens: [...options.missingTokens] } : { columns, rows: n };
}

function statsFor(
  type: ColumnType,
  values: ArrayLike<unknown>,
  isMissing: (v: unknown) => boolean,
  dateFormat: DateFormat | undefined,
  cap: number,
  decimal: DecimalMark,
): Stats {
  switch (type) {
    case 'number':
    case 'integer':
      return numericStats(values, isMissing, decimal);
    case 'boolean':
      return booleanStats(values, isMissing);
    case 'datetime':
      return dateStats(values, isMissing, dateFormat);
    default:
      return stringStats(values, isMissing, cap);
  }
}
