import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sharedPlugin } from './shared-plugin';

export interface AuthOptions {
  /** Accepted keys; empty turns auth off. */
  apiKeys: readonly string[];
  /** Paths that never need a key (liveness/readiness probes). */
  publicPaths?: readonly string[];
}

export const PUBLIC_PATHS = ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready'];

function presented(headers: Record<string, string | string[] | undefined>): string | undefined {
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key) return key;
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Optional API-key auth: with keys configured, every route except the health probes needs
 * `x-api-key: <key>` or `Authorization: Bearer <key>` (compared in constant time); otherwise 401.
 */
export const authPlugin = sharedPlugin<AuthOptions>('auth', async (app: FastifyInstance, opts) => {
  if (opts.apiKeys.length === 0) return;
  const keys = opts.apiKeys.map((k) => Buffer.from(k));
  const open = new Set(opts.publicPaths ?? PUBLIC_PATHS);
  app.addHook('onRequest', async (request, reply) => {
    if (open.has(request.url.split('?')[0])) return;
    const given = presented(request.headers);
    if (given !== undefined) {
      const g = Buffer.from(given);
      let ok = false;
      for (const k of keys) if (k.length === g.length && timingSafeEqual(k, g)) ok = true;
      if (ok) return;
    }
    reply.header('www-authenticate', 'Bearer');
    return reply.status(401).send({
      error: {
        code: 'UNAUTHORIZED',
        message:
          given === undefined
            ? 'an API key is required: send "x-api-key: <key>" or "Authorization: Bearer <key>"'
            : 'the API key is not valid',
        requestId: request.id,
      },
    });
  });
});
