import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { ApiConfig } from './config';
import type { ModelRuntime } from './runtime/model-runtime';
import { authPlugin } from './plugins/auth';
import { driftWindowPlugin } from './plugins/drift-window';
import { errorsPlugin } from './plugins/errors';
import { metricsPlugin } from './plugins/metrics';
import { modelRegistryPlugin } from './plugins/model-registry';
import { requestId, requestIdPlugin } from './plugins/request-id';
import { registerDocs } from './routes/docs';
import { driftRoutes } from './routes/drift';
import { explainRoutes } from './routes/explain';
import { ComputeLane } from './runtime/compute-lane';
import { healthRoutes } from './routes/health';
import { inferenceV2Routes } from './routes/inference-v2';
import { modelInfoRoutes } from './routes/model-info';
import { predictRoutes } from './routes/predict';
import { whatIfRoutes } from './routes/what-if';

export const API_VERSION = '0.1.0';

export interface BuildOptions {
  /** A runtime already loaded (main.ts loads it first to fail fast with a clear message). */
  runtime?: ModelRuntime;
  /** Logger override (tests pass false). Default: pino at config.logLevel, no payloads. */
  logger?: boolean | Record<string, unknown>;
  /** Node.js process metrics in /metrics. Default true. */
  defaultMetrics?: boolean;
}

/** Build the Fastify app: it only registers plugins, each holding one concern. */
export async function buildApp(config: ApiConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], remove: true },
    },
    bodyLimit: config.bodyLimit,
    genReqId: requestId,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  // JSON only: text/plain bodies are refused with 415 instead of reaching validation as strings.
  app.removeContentTypeParser('text/plain');

  await app.register(errorsPlugin);
  await app.register(requestIdPlugin);
  await app.register(modelRegistryPlugin, { config, initial: options.runtime });
  await app.register(metricsPlugin, { defaultMetrics: options.defaultMetrics });
  await app.register(driftWindowPlugin, {
    rows: config.driftWindow,
    buckets: config.driftBuckets,
    minRows: config.driftMinRows,
  });
  await app.register(authPlugin, { apiKeys: config.apiKeys });
  if (config.corsOrigins.length) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-request-id'],
      exposedHeaders: ['x-request-id'],
    });
  }
  await registerDocs(app, { apiKeys: config.apiKeys.length > 0, version: API_VERSION });
  await app.register(healthRoutes);
  await app.register(modelInfoRoutes);
  await app.register(predictRoutes);
  // Explanations and what-if searches take one lane, in arrival order; predictions never wait on it.
  const lane = new ComputeLane();
  await app.register(explainRoutes, { backgroundRows: config.explainBackgroundRows, lane });
  await app.register(whatIfRoutes, { lane });
  await app.register(driftRoutes);
  await app.register(inferenceV2Routes, { modelName: config.modelName });
  return app;
}
