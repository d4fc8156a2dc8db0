import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { sharedPlugin } from './shared-plugin';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify genReqId: the caller's x-request-id when it is a sane token, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && SAFE_ID.test(h) ? h : randomUUID();
}

/** Echo the request id on every response as x-request-id. */
export const requestIdPlugin = sharedPlugin('request-id', async (app: FastifyInstance) => {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
});
