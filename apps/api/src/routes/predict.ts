import type { FastifyInstance } from 'fastify';

/** Route-level validator that lets the body through: the served runtime validates it (see below). */
export const passThroughValidator = () => (value: unknown) => ({ value });

/**
 * POST /v1/predict: one raw record, or `{ "records": [...] }` (1..MAX_BATCH). Validation uses the
 * schemas compiled for the bundle being served (they change with hot reloads, so the route's
 * declared schema is documentation); the same model validates and scores a request.
 */
export async function predictRoutes(app: FastifyInstance): Promise<void> {
  const runtime = app.registry.current.runtime;
  app.post(
    '/v1/predict',
    {
      schema: {
        tags: ['v1'],
        summary: 'Predict one record or a batch of records',
        description:
          'Records are raw campaign fields as in the training table (dates as ISO 8601 strings). The request schema is generated from the served bundle; see GET /v1/model.',
        body: runtime.predictBodySchema,
      },
      validatorCompiler: passThroughValidator,
    },
    async (request) => {
      const served = app.registry.current;
      const rt = served.runtime;
      const { records, single } = rt.parsePredictBody(request.body);
      const preds = await served.predict(records);
      app.metrics.observePredictions('/v1/predict', preds);
      if (single) return { bundleId: rt.id, bundleVersion: rt.version, ...preds[0] };
      return { bundleId: rt.id, bundleVersion: rt.version, predictions: preds };
    },
  );
}
