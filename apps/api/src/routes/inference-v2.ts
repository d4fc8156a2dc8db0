import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { predictionsToOutputs, tensorsToRecords, type V2InferRequest } from '../runtime/v2-tensors';
import { v2Datatypes } from '../runtime/input-schema';
import { passThroughValidator } from './predict';

/**
 * The Open Inference Protocol v2 (KServe) REST routes: health, model metadata and readiness, and
 * `infer` with one named tensor per input column (BYTES for categories, text and ISO dates, FP64
 * for numbers, INT64 for integers, BOOL for booleans), answering `label` and `probabilities`.
 */
export async function inferenceV2Routes(app: FastifyInstance, opts: { modelName: string }): Promise<void> {
  const name = opts.modelName;
  const params = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
  const unknownModel = (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) =>
    reply.status(404).send({
      error: {
        code: 'MODEL_NOT_FOUND',
        message: `no model "${request.params.name}"; this server serves "${name}"`,
        requestId: request.id,
      },
    });

  app.get('/v2/health/live', { schema: { tags: ['v2'] } }, async () => ({ live: true }));
  app.get('/v2/health/ready', { schema: { tags: ['v2'] } }, async (_request, reply) => {
    try {
      app.registry.current.runtime.selfTest();
      return { ready: true };
    } catch {
      return reply.status(503).send({ ready: false });
    }
  });
  app.get('/v2', { schema: { tags: ['v2'] } }, async () => ({ name: 'campaign-ml', version: '1', extensions: [] }));

  app.get<{ Params: { name: string } }>(
    '/v2/models/:name',
    { schema: { tags: ['v2'], params } },
    async (request, reply) => {
      if (request.params.name !== name) return unknownModel(request, reply);
      const rt = app.registry.current.runtime;
      const k = rt.classes.length;
      return {
        name,
        versions: [rt.id],
        platform: 'campaign-ml',
        inputs: rt.columns.map((c) => ({
          name: c.name,
          datatype: v2Datatypes(c)[0],
          shape: [-1],
          parameters: { type: c.type, required: rt.bundle.requiredColumns.includes(c.name) },
        })),
        outputs: [
          { name: 'label', datatype: rt.bundle.task === 'regression' ? 'FP64' : 'BYTES', shape: [-1] },
          ...(k
            ? [{ name: 'probabilities', datatype: 'FP64', shape: [-1, k], parameters: { classes: [...rt.classes] } }]
            : []),
        ],
      };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/v2/models/:name/ready',
    { schema: { tags: ['v2'], params } },
    async (request, reply) => {
      if (request.params.name !== name) return unknownModel(request, reply);
      try {
        app.registry.current.runtime.selfTest();
        return { name, ready: true };
      } catch {
        return reply.status(503).send({ name, ready: false });
      }
    },
  );

  app.post<{ Params: { name: string }; Body: V2InferRequest }>(
    '/v2/models/:name/infer',
    {
      schema: {
        tags: ['v2'],
        summary: 'Open Inference Protocol v2 inference',
        params,
        body: app.registry.current.runtime.inferSchema,
      },
      validatorCompiler: passThroughValidator,
    },
    async (request, reply) => {
      if (request.params.name !== name) return unknownModel(request, reply);
      const served = app.registry.current;
      const rt = served.runtime;
      const records = tensorsToRecords(rt, request.body);
      const preds = await served.predict(records);
      app.metrics.observePredictions('/v2/models/:name/infer', preds);
      return {
        model_name: name,
        model_version: rt.id,
        ...(typeof request.body.id === 'string' ? { id: request.body.id } : {}),
        parameters: rt.bundle.threshold !== undefined ? { threshold: rt.bundle.threshold } : {},
        outputs: predictionsToOutputs(rt, preds, request.body.outputs),
      };
    },
  );
}
