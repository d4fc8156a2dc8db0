import { AjvCompiler } from '@fastify/ajv-compiler';
import { describeValue, type Problem } from '@campaign-ml/core';
import type { JsonSchema } from './input-schema';

/** One ajv error, as Fastify's ajv reports it with `verbose: true`. */
export interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

export type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/**
 * Compile JSON Schemas with Fastify's own ajv (through @fastify/ajv-compiler), strict for an API:
 * no type coercion (so "NaN" or "5" in a number field is an error), no silent removal of extra
 * fields, no defaults, every error collected. One compiler per bundle, so a replaced bundle's
 * compiled code is garbage collected with it.
 */
export function createValidatorCompiler(): (schema: JsonSchema, url: string) => Validator {
  const build = AjvCompiler()(
    {},
    {
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        allErrors: true,
        verbose: true,
        allowUnionTypes: true,
      },
    },
  );
  return (schema, url) => build({ schema, method: 'POST', url, httpPart: 'body' }) as unknown as Validator;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  string: 'a string',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : String(t).split(',');
  return list.map((x) => TYPE_WORDS[x as string] ?? String(x)).join(' or ');
}

/** How a path in the body maps to a record index and field. */
export interface PathMapping {
  /** Leading path segments before the record index (e.g. ['records']); null: the body is one record. */
  recordsKey: string | null;
}

function fieldOf(path: string, mapping: PathMapping): { row?: number; column?: string; rest: string } {
  const parts = path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (mapping.recordsKey === null) return { row: 0, column: parts[0], rest: parts.slice(1).join('.') };
  if (parts[0] === mapping.recordsKey && parts.length >= 2 && /^\d+$/.test(parts[1]))
    return { row: Number(parts[1]), column: parts[2], rest: parts.slice(3).join('.') };
  return { column: parts.length ? parts.join('.') : undefined, rest: '' };
}

function where(row: number | undefined, mapping: PathMapping): string {
  return row === undefined || mapping.recordsKey === null ? '' : `record ${row}: `;
}

/** Turn ajv errors into core Problems that name the record (row) and field (column). */
export function problemsFromAjv(errors: readonly AjvError[], mapping: PathMapping): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) {
    const { row, column } = fieldOf(e.instancePath, mapping);
    const at = where(row, mapping);
    switch (e.keyword) {
      case 'required': {
        const field = String(e.params.missingProperty);
        const inRecord = column === undefined || mapping.recordsKey === null;
        const label = inRecord ? field : `${column}.${field}`;
        out.push({
          code: 'MISSING_FIELD',
          row,
          column: inRecord ? field : label,
          expected: 'a value',
          message: `${at}required field "${label}" is missing`,
        });
        break;
      }
      case 'additionalProperties': {
        const field = String(e.params.additionalProperty);
        const label = column === undefined || mapping.recordsKey === null ? field : `${column}.${field}`;
        out.push({
          code: 'EXTRA_FIELD',
          row,
          column: label,
          message: `${at}unknown field "${label}"; remove it (the model reads only the schema's columns, see GET /v1/model)`,
        });
        break;
      }
      case 'type': {
        const expected = typeWords(e.params.type);
        out.push({
          code: 'WRONG_TYPE',
          row,
          column,
          value: e.data,
          expected,
          message: `${at}field "${column ?? '(body)'}" expected ${expected}, found ${describeJson(e.data)}`,
        });
        break;
      }
      case 'enum': {
        const allowed = (e.params.allowedValues as unknown[]) ?? [];
        const shown = allowed.length > 8 ? `${allowed.slice(0, 8).join(', ')}, ...` : allowed.join(', ');
        out.push({
          code: 'UNKNOWN_CATEGORY',
          row,
          column,
          value: e.data,
          expected: `one of: ${shown}`,
          message: `${at}field "${column}" has ${describeJson(e.data)}, which is not one of the values the model knows (${shown})`,
        });
        break;
      }
      case 'pattern':
        out.push({
          code: 'WRONG_TYPE',
          row,
          column,
          value: e.data,
          expected: 'an ISO 8601 date',
          message: `${at}field "${column}" expected an ISO 8601 date such as "2018-05-25" or "2018-05-25T11:51:47Z", found ${describeJson(e.data)}`,
        });
        break;
      case 'maxItems':
      case 'minItems':
        out.push({
          code: 'BATCH_SIZE',
          column,
          value: Array.isArray(e.data) ? e.data.length : undefined,
          expected: `${e.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(e.params.limit)} items`,
          message: `"${column}" must have ${e.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(e.params.limit)} items`,
        });
        break;
      default:
        out.push({
          code: 'INVALID_VALUE',
          row,
          column,
          value: e.data,
          message: `${at}${column ? `field "${column}" ` : 'body '}${e.message ?? 'is invalid'}`,
        });
    }
  }
  return out;
}

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return describeValue(v);
}
