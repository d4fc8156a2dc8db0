import type { ColumnSchema, Schema } from '@campaign-ml/schema';
import type { UnknownCategoryPolicy } from '../config';

/** A JSON Schema object (draft-07, as Fastify's ajv and OpenAPI 3 read it). */
export type JsonSchema = Record<string, unknown>;

/** ISO 8601 date or date-time (space or T, optional seconds, fraction and zone). */
export const ISO_DATE_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}(?::?\\d{2})?)?)?$';

/** Whether the schema's category list is complete (not capped at inference), so it can be an enum. */
export function hasCompleteCategories(col: ColumnSchema): boolean {
  return col.type === 'category' && Array.isArray(col.categories) && col.distinct === col.categories.length;
}

function valueSchema(col: ColumnSchema, policy: UnknownCategoryPolicy): JsonSchema {
  switch (col.type) {
    case 'number':
      return { type: 'number' };
    case 'integer':
      return { type: 'integer' };
    case 'boolean':
      return { type: 'boolean' };
    case 'datetime':
      return {
        type: 'string',
        pattern: ISO_DATE_PATTERN,
        description: 'ISO 8601 date or date-time (UTC unless a zone is given)',
      };
    case 'identifier':
      return { type: ['string', 'integer'] };
    case 'category':
      return policy === 'reject' && hasCompleteCategories(col)
        ? { type: 'string', enum: [...col.categories!] }
        : { type: 'string' };
    default:
      return { type: 'string' };
  }
}

/** The fields a record may carry: every schema column except the target. */
export function recordColumns(schema: Schema, target: string): ColumnSchema[] {
  return schema.columns.filter((c) => c.role !== 'target' && c.name !== target);
}

/**
 * JSON Schema of one raw record, generated from the bundle's input schema: a property per column
 * with its JSON type (dates as ISO strings, categories as an enum unless unknown categories are
 * scored as unseen), `required` = the columns the feature pipeline reads, null allowed where the
 * schema says the column may be missing, and no other fields.
 */
export function recordJsonSchema(
  columns: readonly ColumnSchema[],
  required: readonly string[],
  policy: UnknownCategoryPolicy,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const col of columns) {
    const v = valueSchema(col, policy);
    if (!col.required) {
      const t = v.type;
      v.type = Array.isArray(t) ? [...t, 'null'] : [t, 'null'];
      if (Array.isArray(v.enum)) v.enum = [...v.enum, null];
    }
    properties[col.name] = v;
  }
  const names = new Set(columns.map((c) => c.name));
  return {
    type: 'object',
    properties,
    required: required.filter((r) => names.has(r)),
    additionalProperties: false,
  };
}

/** `{ records: [record, ...] }` with 1..maxBatch records. */
export function batchJsonSchema(record: JsonSchema, maxBatch: number): JsonSchema {
  return {
    type: 'object',
    properties: { records: { type: 'array', minItems: 1, maxItems: maxBatch, items: record } },
    required: ['records'],
    additionalProperties: false,
  };
}

/** Open Inference Protocol v2 datatypes a column accepts. */
export function v2Datatypes(col: ColumnSchema): readonly string[] {
  switch (col.type) {
    case 'number':
      return ['FP64', 'FP32', 'FP16', 'INT64', 'INT32', 'INT16', 'INT8', 'UINT64', 'UINT32', 'UINT16', 'UINT8'];
    case 'integer':
      return ['INT64', 'INT32', 'INT16', 'INT8', 'UINT64', 'UINT32', 'UINT16', 'UINT8', 'FP64'];
    case 'boolean':
      return ['BOOL'];
    case 'identifier':
      return ['BYTES', 'INT64'];
    default:
      return ['BYTES'];
  }
}

/** The v2 inference request: one named tensor per input column. Element types are checked per record. */
export function v2InferJsonSchema(columns: readonly ColumnSchema[], maxBatch: number): JsonSchema {
  return {
    type: 'object',
    properties: {
      id: { type: 'string', maxLength: 256 },
      parameters: { type: 'object' },
      inputs: {
        type: 'array',
        minItems: 1,
        maxItems: columns.length,
        items: {
          type: 'object',
          properties: {
            name: { type: 'string', enum: columns.map((c) => c.name) },
            shape: {
              type: 'array',
              minItems: 1,
              maxItems: 2,
              items: { type: 'integer', minimum: 0, maximum: maxBatch },
            },
            datatype: {
              type: 'string',
              enum: [
                'BOOL',
                'BYTES',
                'FP16',
                'FP32',
                'FP64',
                'INT8',
                'INT16',
                'INT32',
                'INT64',
                'UINT8',
                'UINT16',
                'UINT32',
                'UINT64',
              ],
            },
            parameters: { type: 'object' },
            data: { type: 'array', maxItems: maxBatch },
          },
          required: ['name', 'shape', 'datatype', 'data'],
          additionalProperties: false,
        },
      },
      outputs: {
        type: 'array',
        maxItems: 2,
        items: {
          type: 'object',
          properties: { name: { type: 'string', enum: ['label', 'probabilities'] }, parameters: { type: 'object' } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    required: ['inputs'],
    additionalProperties: false,
  };
}
