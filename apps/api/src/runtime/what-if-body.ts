import { SchemaError } from '@campaign-ml/core';
import type {
  CounterfactualOptions,
  CounterfactualTarget,
  ColumnRange,
  RelationConstraint,
} from '@campaign-ml/explain';
import { createValidatorCompiler, problemsFromAjv, type Validator } from './compile-validator';
import type { JsonSchema } from './input-schema';
import type { ModelRuntime, RawRecord } from './model-runtime';

/** Most counterfactuals one request may ask for. */
export const MAX_WHAT_IF_K = 20;

/** Column types the what-if search can change. */
const CHANGEABLE = new Set(['number', 'integer', 'datetime', 'boolean', 'category']);

/** A /v1/what-if body after validation. */
export interface WhatIfBody {
  record: RawRecord;
  target: CounterfactualTarget;
  actionable?: string[];
  fixed?: string[];
  k?: number;
  seed?: number;
  ranges?: Record<string, ColumnRange>;
  monotone?: Record<string, 'increase' | 'decrease'>;
  relations?: RelationConstraint[];
}

/**
 * JSON Schema of a /v1/what-if body for the served bundle: the record as /v1/predict takes it, a
 * target (a probability of the positive class or of `class`, or a class), and optional actionable
 * and fixed column lists, k, seed, ranges, monotone directions and relations over input columns.
 */
export function whatIfBodySchema(rt: ModelRuntime): JsonSchema {
  const inputs = [...rt.bundle.features.inputColumns];
  const classes = rt.bundle.classes ?? [];
  const columnList = { type: 'array', items: { type: 'string', enum: inputs }, uniqueItems: true };
  const bound = { type: ['number', 'string'] };
  const byColumn = (value: JsonSchema): JsonSchema => ({
    type: 'object',
    propertyNames: { enum: inputs },
    additionalProperties: value,
  });
  const target: JsonSchema =
    rt.bundle.task === 'regression'
      ? {
          type: 'object',
          properties: { range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } },
          required: ['range'],
          additionalProperties: false,
        }
      : {
          type: 'object',
          properties: {
            probability: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
            class: { type: 'string', enum: classes },
          },
          anyOf: [{ required: ['probability'] }, { required: ['class'] }],
          additionalProperties: false,
        };
  return {
    type: 'object',
    properties: {
      record: rt.recordSchema,
      target,
      actionable: { ...columnList, minItems: 1 },
      fixed: columnList,
      k: { type: 'integer', minimum: 1, maximum: MAX_WHAT_IF_K },
      seed: { type: 'integer' },
      ranges: byColumn({
        type: 'object',
        properties: { min: bound, max: bound },
        additionalProperties: false,
      }),
      monotone: byColumn({ type: 'string', enum: ['increase', 'decrease'] }),
      relations: {
        type: 'array',
        maxItems: 20,
        items: {
          type: 'object',
          properties: {
            column: { type: 'string', enum: inputs },
            notBefore: { type: 'string', enum: inputs },
            notAfter: { type: 'string', enum: inputs },
          },
          required: ['column'],
          oneOf: [{ required: ['notBefore'] }, { required: ['notAfter'] }],
          additionalProperties: false,
        },
      },
    },
    required: ['record', 'target'],
    additionalProperties: false,
  };
}

const compiled = new WeakMap<ModelRuntime, Validator>();

/** Validate a /v1/what-if body against the served bundle; a SchemaError (400) names every bad field. */
export function parseWhatIfBody(rt: ModelRuntime, body: unknown): WhatIfBody {
  let validate = compiled.get(rt);
  if (!validate) {
    validate = createValidatorCompiler()(whatIfBodySchema(rt), '/v1/what-if');
    compiled.set(rt, validate);
  }
  if (!validate(body))
    throw new SchemaError(
      problemsFromAjv(validate.errors ?? [], { recordsKey: 'record' }),
      'The what-if request is not valid',
    );
  return body as WhatIfBody;
}

/** A string list from the bundle's training config (`explain.<key>`, `whatIf.<key>` or `<key>`), if any. */
function configList(config: unknown, key: string): string[] | undefined {
  const c = (config ?? {}) as Record<string, unknown>;
  for (const v of [
    (c.explain as Record<string, unknown> | undefined)?.[key],
    (c.whatIf as Record<string, unknown> | undefined)?.[key],
    c[key],
  ])
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/**
 * The search options for a request: actionable columns from the body, else from the bundle's
 * training config, else every input column (of a type the search can change) that is not fixed.
 */
export function whatIfOptions(rt: ModelRuntime, body: WhatIfBody): CounterfactualOptions {
  const config = rt.bundle.document.provenance?.config;
  const fixed = body.fixed ?? configList(config, 'fixed') ?? [];
  const types = new Map(rt.bundle.document.schema.columns.map((c) => [c.name, c.type]));
  const actionable =
    body.actionable ??
    configList(config, 'actionable') ??
    rt.bundle.features.inputColumns.filter((c) => !fixed.includes(c) && CHANGEABLE.has(types.get(c) ?? ''));
  return {
    actionable,
    fixed,
    target: body.target,
    k: body.k,
    seed: body.seed,
    ranges: body.ranges,
    monotone: body.monotone,
    relations: body.relations,
  };
}
