import type { FastifyInstance } from 'fastify';

/**
 * GET /v1/drift: the live window's robust drift report (driftReport's shape, plus `window` and
 * `status: 'ready'`), or `status: 'collecting'` until the window holds DRIFT_MIN_ROWS rows,
 * `'unavailable'` when the bundle keeps no reference, `'off'` when DRIFT_WINDOW=0.
 */
export async function driftRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/drift',
    {
      schema: {
        tags: ['v1'],
        summary: 'Drift of the recently scored records against the bundle reference',
        description:
          'Counts of the last DRIFT_WINDOW records scored by /v1/predict and v2 infer over bins frozen from the bundle reference: per input column a chi-square test and PSI (drifted when p < 0.05 and PSI >= 0.1), the prediction distribution, and the dataset verdict. status is "collecting" until DRIFT_MIN_ROWS records are counted.',
      },
    },
    async () => app.drift.report(),
  );
}
