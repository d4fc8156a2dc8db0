import type { FastifyInstance } from 'fastify';
import { SchemaError } from '@campaign-ml/core';
import { explainTable, type ExplainedRecords, type RecordExplanation } from '@campaign-ml/explain';
import type { ComputeLane } from '../runtime/compute-lane';
import { ExplainBatcher } from '../runtime/explain-batcher';
import type { JsonSchema } from '../runtime/input-schema';
import type { ModelRuntime, RawRecord } from '../runtime/model-runtime';
import { passThroughValidator } from './predict';

const SPACES = ['margin', 'probability'] as const;
const OPTIONS = new Set(['record', 'records', 'topK', 'space']);

/** The documented body: one record or a batch, with the number of columns listed and the space. */
function explainBodySchema(rt: ModelRuntime): JsonSchema {
  return {
    type: 'object',
    properties: {
      record: rt.recordSchema,
      records: (rt.batchSchema as { properties: { records: JsonSchema } }).properties.records,
      topK: { type: 'integer', minimum: 1, description: 'Columns listed per record, largest first (default: all).' },
      space: {
        type: 'string',
        enum: [...SPACES],
        description:
          "'probability' (classifiers' default) or 'margin' (log-odds of tree and linear models; a regressor's value).",
      },
    },
    oneOf: [{ required: ['record'] }, { required: ['records'] }],
    additionalProperties: false,
  };
}

interface ExplainBody {
  records: RawRecord[];
  single: boolean;
  topK?: number;
  space?: (typeof SPACES)[number];
}

/** The body's own fields checked here; the records by the served runtime's compiled validators. */
function parseExplainBody(rt: ModelRuntime, body: unknown): ExplainBody {
  const problem = (column: string, message: string, expected: string) =>
    new SchemaError([{ code: 'INVALID_FIELD', column, expected, message }], 'The explain request is not valid');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw problem('body', 'the body must be an object with "record" or "records"', 'an object');
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!OPTIONS.has(k)) throw problem(k, `unknown field "${k}" (use record, records, topK, space)`, 'no such field');
  }
  if ('record' in b === 'records' in b) {
    throw problem('record', 'give exactly one of "record" (an object) or "records" (an array)', 'record or records');
  }
  if (b.topK !== undefined && !(Number.isInteger(b.topK) && (b.topK as number) >= 1)) {
    throw problem(
      'topK',
      `field "topK" expected a whole number of at least 1, found ${JSON.stringify(b.topK)}`,
      'an integer >= 1',
    );
  }
  if (b.space !== undefined && !SPACES.includes(b.space as never)) {
    throw problem(
      'space',
      `field "space" expected "margin" or "probability", found ${JSON.stringify(b.space)}`,
      SPACES.join(' | '),
    );
  }
  const parsed = 'record' in b ? rt.parsePredictBody(b.record) : rt.parsePredictBody({ records: b.records });
  return {
    ...parsed,
    ...(b.topK !== undefined ? { topK: b.topK as number } : {}),
    ...(b.space !== undefined ? { space: b.space as ExplainBody['space'] } : {}),
  };
}

function recordBody(e: ExplainedRecords, r: RecordExplanation) {
  return { space: e.space, method: e.method, ...r };
}

/**
 * POST /v1/explain: why the served bundle scores a record (or up to MAX_BATCH records) as it does:
 * contributions per input column, with the base value and the prediction, additive in `space`.
 * The records are validated exactly like /v1/predict's (a 400 names the field).
 */
export async function explainRoutes(
  app: FastifyInstance,
  opts: { backgroundRows?: number; lane: ComputeLane },
): Promise<void> {
  const runtime = app.registry.current.runtime;
  // Requests queued behind one another in the lane share one call when their explainer allows it.
  const batcher = new ExplainBatcher(opts.lane, explainTable);
  app.post(
    '/v1/explain',
    {
      schema: {
        tags: ['v1'],
        summary: 'Explain the prediction of one record or a batch (SHAP values per input column)',
        description:
          'Body: { "record": {...} } or { "records": [...] }, with optional "topK" and "space". Tree models get exact TreeSHAP, linear models exact linear SHAP, the weighted ensemble its members\' exact values weighted; other models the permutation explainer. baseValue + Σ contributions = prediction.',
        body: explainBodySchema(runtime),
      },
      validatorCompiler: passThroughValidator,
    },
    async (request) => {
      const rt = app.registry.current.runtime;
      const body = parseExplainBody(rt, request.body);
      const table = rt.toTable(body.records);
      const why = await batcher.run(rt.bundle, table, {
        ...(opts.backgroundRows !== undefined ? { backgroundRows: opts.backgroundRows } : {}),
        ...(body.topK !== undefined ? { topK: body.topK } : {}),
        ...(body.space !== undefined ? { space: body.space } : {}),
      });
      const head = { bundleId: rt.id, bundleVersion: rt.version };
      if (body.single) return { ...head, ...recordBody(why, why.records[0]) };
      return { ...head, space: why.space, method: why.method, explanations: why.records };
    },
  );
}
