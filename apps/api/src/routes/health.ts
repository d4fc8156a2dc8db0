import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';

/**
 * GET /healthz: the process is up; it names the process (`pid`, and `worker`: the cluster worker id
 * under API_WORKERS > 1, 0 for a single process). GET /readyz: a bundle is loaded and its self-test prediction
 * (a record built from the schema, through validation, features and model) answers now.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness' } }, async () => ({
    status: 'ok',
    pid: process.pid,
    worker: cluster.worker?.id ?? 0,
  }));
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: bundle loaded and self-test passes' } },
    async (request, reply) => {
      const { runtime } = app.registry.current;
      try {
        runtime.selfTest();
        return { status: 'ready', bundleId: runtime.id };
      } catch (e) {
        request.log.error({ err: { message: (e as Error).message } }, 'readiness self-test failed');
        return reply.status(503).send({ status: 'not ready', bundleId: runtime.id, reason: (e as Error).message });
      }
    },
  );
}
