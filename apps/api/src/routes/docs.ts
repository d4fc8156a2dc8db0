import type { FastifyInstance } from 'fastify';
import { whatIfBodySchema } from '../runtime/what-if-body';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

type OpenApiDoc = {
  paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
};

/**
 * Put the served bundle's request schemas into the OpenAPI document (routes declare the start-up
 * bundle's; a hot reload may change columns or categories).
 */
function withCurrentSchemas(app: FastifyInstance, spec: Record<string, unknown>): Record<string, unknown> {
  const doc = structuredClone(spec) as OpenApiDoc;
  const rt = app.registry.current.runtime;
  const set = (path: string, schema: unknown): void => {
    const body = doc.paths?.[path]?.post?.requestBody?.content?.['application/json'];
    if (body) body.schema = schema;
  };
  set('/v1/predict', rt.predictBodySchema);
  set('/v2/models/{name}/infer', rt.inferSchema);
  set('/v1/what-if', whatIfBodySchema(rt));
  return doc as Record<string, unknown>;
}

/** OpenAPI 3 document from the route schemas (GET /openapi.json) and swagger-ui at /docs (assets served locally). */
export async function registerDocs(app: FastifyInstance, opts: { apiKeys: boolean; version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'campaign-ml API',
        description: 'Predict campaign success from raw campaign fields with a campaign-ml bundle.',
        version: opts.version,
      },
      components: opts.apiKeys
        ? { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } }
        : {},
      security: opts.apiKeys ? [{ apiKey: [] }] : [],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecification: (spec) => withCurrentSchemas(app, spec),
    transformSpecificationClone: false,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () =>
    withCurrentSchemas(app, app.swagger() as unknown as Record<string, unknown>),
  );
}
