import type { FastifyInstance } from 'fastify';

/** GET /v1/model: what the served bundle is and what a record must look like. */
export async function modelInfoRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/model',
    {
      schema: {
        tags: ['v1'],
        summary:
          'The served model: task, classes, threshold (or per-group thresholds), metrics, fairness summary, input schema, provenance',
      },
    },
    async () => {
      const { runtime } = app.registry.current;
      const doc = runtime.bundle.document;
      return {
        bundleId: doc.id,
        bundleVersion: doc.version,
        createdAt: doc.createdAt,
        loadedAt: runtime.loadedAt.toISOString(),
        task: doc.task,
        target: doc.target,
        classes: doc.target.classes,
        threshold: runtime.bundle.threshold ?? null,
        groupThresholds: runtime.bundle.groupThresholds ?? null,
        fairness: doc.metrics.fairness ?? null,
        model: doc.model.name,
        metrics: doc.metrics,
        unknownCategories: runtime.options.unknownCategories,
        maxBatch: runtime.options.maxBatch,
        requiredColumns: runtime.bundle.requiredColumns,
        inputSchema: runtime.columns,
        requestSchema: runtime.recordSchema,
        provenance: doc.provenance,
      };
    },
  );
}
