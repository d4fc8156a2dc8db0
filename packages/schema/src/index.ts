export { COLUMN_ROLES, COLUMN_TYPES } from './types';
export type { ColumnRole, ColumnSchema, ColumnType, Schema } from './types';
export {
  dateShape,
  detectDateFormat,
  hasLeadingZero,
  isIntegerString,
  parseBooleanLoose,
  parseBooleanWord,
  parseDate,
  parseDateIn,
  parseNumber,
  parseNumeral,
} from './value-grammar';
export type { DateFormat, DecimalMark } from './value-grammar';
export { DEFAULT_MISSING_TOKENS, missingPredicate } from './missing-tokens';
export { inferSchema } from './infer-schema';
export type { InferSchemaOptions } from './infer-schema';
export { columnConverter, EXPECTED, expectedOf } from './column-converter';
export type { ColumnConverter } from './column-converter';
export { coerceToSchema } from './coerce-to-schema';
export type { CoerceOptions } from './coerce-to-schema';
export { assertValid, validate } from './validate';
export type { ValidateOptions, ValidationResult } from './validate';
export { compileRecordValidator } from './record-validator';
export type { RecordValidator, RecordValidatorOptions, ValidatedRows } from './record-validator';
