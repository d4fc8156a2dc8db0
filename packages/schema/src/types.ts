/**
 * The schema of a table: one entry per column with its inferred (or overridden) type and role.
 * Shared by inference, validation, the feature pipeline and the bundle the API serves.
 *
 * Value conventions inside an arquero table produced by ingest:
 *  - missing is `null` (never undefined, never NaN in non-number columns);
 *  - number/integer columns hold JS numbers (NaN is never used for missing);
 *  - boolean columns hold true/false (the feature pipeline reads them as 1/0, missing as NaN);
 *  - datetime columns hold Date objects (UTC);
 *  - category/text/identifier columns hold strings.
 */
export type ColumnType = 'number' | 'integer' | 'boolean' | 'datetime' | 'category' | 'text' | 'identifier';

export const COLUMN_TYPES: readonly ColumnType[] = [
  'number',
  'integer',
  'boolean',
  'datetime',
  'category',
  'text',
  'identifier',
];

/** What a column is for. `feature` is the default. */
export type ColumnRole = 'feature' | 'target' | 'id' | 'time' | 'group' | 'weight' | 'ignore';

export const COLUMN_ROLES: readonly ColumnRole[] = ['feature', 'target', 'id', 'time', 'group', 'weight', 'ignore'];

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  role: ColumnRole;
  /** False when the column may be missing (null) in new data. */
  required: boolean;
  /** Count of missing values seen when the schema was inferred. */
  missing: number;
  /** Distinct values seen (category and boolean columns), sorted by frequency, most frequent first. */
  categories?: string[];
  /** Observed range (number, integer: values; datetime: ISO strings). */
  min?: number | string;
  max?: number | string;
  /** Number of distinct non-missing values seen. */
  distinct?: number;
  /**
   * How datetime strings were written when the schema was inferred from text ('iso', 'ymd-slash',
   * 'dmy', 'mdy'); coercion reads strings in this format.
   */
  dateFormat?: 'iso' | 'ymd-slash' | 'dmy' | 'mdy';
  /**
   * The decimal mark of number strings when it is a comma ("3,5"); absent means a dot. Thousands
   * separators, currency and percent signs are read either way (see parseNumeral).
   */
  decimal?: ',';
}

export interface Schema {
  columns: ColumnSchema[];
  /** Rows the schema was inferred from. */
  rows: number;
  /**
   * The strings that meant missing when the schema was inferred, when they were not the defaults
   * (DEFAULT_MISSING_TOKENS). Coercion and the record validator read them, so training, batch
   * scoring and the API treat the same strings as missing.
   */
  missingTokens?: string[];
}
