import type { FastifyError, FastifyInstance } from 'fastify';
import { CampaignMlError, SchemaError, type Problem } from '@campaign-ml/core';
import { sharedPlugin } from './shared-plugin';

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; requestId: string; problems?: readonly Problem[] };
}

/** Problems listed in one response (the message says how many there were). */
const MAX_PROBLEMS = 100;

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
};

function clientMessage(err: FastifyError, status: number): string {
  if (status === 413) return `${err.message}; send fewer records per request (see MAX_BATCH / BODY_LIMIT)`;
  if (status === 415) return `${err.message}; send the body as JSON with "Content-Type: application/json"`;
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return `the body is not valid JSON: ${err.message}`;
  return err.message;
}

/**
 * One error format for every route: `{ error: { code, message, requestId, problems? } }`.
 * Bad input (core SchemaError/InputError, Fastify's body, media type and size errors) is a 4xx
 * that names the field; anything else is a logged 500 that reveals nothing.
 */
export const errorsPlugin = sharedPlugin('errors', async (app: FastifyInstance) => {
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    let status: number;
    let body: ErrorBody['error'];
    if (err instanceof CampaignMlError) {
      status = 400;
      const problems = err instanceof SchemaError ? err.problems : [err.toJSON()];
      body = { code: err.code, message: err.message, requestId: request.id, problems: problems.slice(0, MAX_PROBLEMS) };
    } else if (err.validation) {
      status = 400;
      body = {
        code: 'INVALID_REQUEST',
        message: `${err.validationContext ?? 'request'} ${err.message}`,
        requestId: request.id,
      };
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      body = {
        code:
          (err.code && FASTIFY_CODES[err.code]) ??
          (err instanceof SyntaxError ? 'MALFORMED_JSON' : (err.code ?? 'BAD_REQUEST')),
        message: clientMessage(err, status),
        requestId: request.id,
      };
    } else {
      status = 500;
      request.log.error({ err }, 'request failed');
      body = {
        code: 'INTERNAL',
        message: `internal error; quote request id ${request.id} when reporting it`,
        requestId: request.id,
      };
    }
    if (status < 500) request.log.info({ code: body.code, status }, 'request rejected');
    return reply.status(status).send({ error: body });
  });

  app.setNotFoundHandler(async (request, reply) => {
    return reply.status(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${request.url.split('?')[0]}; see /docs`,
        requestId: request.id,
      },
    });
  });
});
