import type { FastifyInstance } from 'fastify';
import { counterfactuals } from '@campaign-ml/explain';
import type { ComputeLane } from '../runtime/compute-lane';
import { parseWhatIfBody, whatIfBodySchema, whatIfOptions } from '../runtime/what-if-body';
import { passThroughValidator } from './predict';

/**
 * POST /v1/what-if: what-to-change advice for one record. Up to k changed records (counterfactuals)
 * that reach the target, changing only actionable columns, with their changes, probability,
 * proximity and sparsity, and the set's DiCE metrics. Validation is the served bundle's (the
 * route's declared schema is documentation, as for /v1/predict).
 */
export async function whatIfRoutes(app: FastifyInstance, opts: { lane: ComputeLane }): Promise<void> {
  app.post(
    '/v1/what-if',
    {
      schema: {
        tags: ['v1'],
        summary: 'What to change in a record to reach a target (counterfactual advice)',
        description:
          'Body: { record, target: { probability } | { class }, actionable?, fixed?, k?, seed?, ranges?, monotone?, relations? }. ' +
          "actionable defaults to the bundle's training config (explain.actionable) or else every input column not fixed. " +
          "Changed values stay inside the training data's observed range and categories.",
        body: whatIfBodySchema(app.registry.current.runtime),
      },
      validatorCompiler: passThroughValidator,
    },
    async (request) => {
      const rt = app.registry.current.runtime;
      const body = parseWhatIfBody(rt, request.body);
      const result = await opts.lane.run(() => counterfactuals(rt.bundle, body.record, whatIfOptions(rt, body)));
      return {
        bundleId: rt.id,
        bundleVersion: rt.version,
        targetClass: result.targetClass,
        original: result.original,
        counterfactuals: result.counterfactuals,
        metrics: result.metrics,
      };
    },
  );
}
