import type { ColumnTable } from 'arquero';
import type { FittedColumnPipeline } from '@campaign-ml/features';
import { coerceToSchema, inferSchema, type Schema } from '@campaign-ml/schema';
import { missingTokensOf, type PipelineConfig } from '../config';

/** The schema stage: every column's type and role, inferred from the table, as the config overrides them. */
export function inferTrainingSchema(table: ColumnTable, cfg: PipelineConfig): Schema {
  const { types, roles } = cfg.features;
  const missingTokens = missingTokensOf(cfg);
  return inferSchema(table, { target: cfg.target, types: types as never, roles: roles as never, missingTokens });
}

/**
 * Every column but the target in the schema's types (booleans true/false, which the features read
 * as 1/0; dates as Dates; blanks and missing tokens as null). A value the schema cannot read is a
 * SchemaError naming its row, column and value.
 */
export function typeFeatures(table: ColumnTable, schema: Schema): ColumnTable {
  return coerceToSchema(table, { ...schema, columns: schema.columns.filter((c) => c.role !== 'target') });
}

/**
 * The schema a bundle serves: the input columns (the target left out), each required only when
 * the fitted pipeline reads it.
 */
export function servedSchema(schema: Schema, pipeline: FittedColumnPipeline, target?: string): Schema {
  const inputColumns = new Set(pipeline.inputColumns);
  return {
    rows: schema.rows,
    ...(schema.missingTokens ? { missingTokens: schema.missingTokens } : {}),
    columns: schema.columns
      .filter((c) => c.name !== target)
      .map((c) => ({ ...c, required: inputColumns.has(c.name) && c.required })),
  };
}
