import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Prediction } from '@campaign-ml/bundle';
import { sharedPlugin } from './shared-plugin';

/** What routes report to the metrics plugin. */
export interface ApiMetrics {
  readonly registry: Registry;
  /** Count predictions by label and record the positive-class (binary) or top probability. */
  observePredictions(route: string, preds: readonly Prediction[]): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
  interface FastifyRequest {
    startTime?: bigint;
  }
}

export interface MetricsOptions {
  /** Node.js process metrics (event loop lag, heap, GC). Default true. */
  defaultMetrics?: boolean;
}

/**
 * Prometheus metrics on GET /metrics, in a registry of this app's own: request counts by route
 * template, method and status; a latency histogram; predictions by label and a histogram of the
 * predicted probability; bundle reloads by result and the served bundle as an info gauge.
 */
export const metricsPlugin = sharedPlugin<MetricsOptions>('metrics', async (app: FastifyInstance, opts) => {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route template, method and status code',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const predictions = new Counter({
    name: 'predictions_total',
    help: 'Predictions served by predicted label',
    labelNames: ['route', 'label'],
    registers: [registry],
  });
  const probability = new Histogram({
    name: 'prediction_probability',
    help: 'Predicted probability of the positive class (binary) or of the predicted class (multiclass)',
    buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'model_reloads_total',
    help: 'Bundle reload attempts by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const info = new Gauge({
    name: 'model_info',
    help: 'The served bundle (value 1)',
    labelNames: ['bundle_id'],
    registers: [registry],
  });
  info.set({ bundle_id: app.registry.current.runtime.id }, 1);
  app.registry.onReload((r) => {
    reloads.inc({ result: r.ok ? 'ok' : 'refused' });
    if (r.ok) {
      info.reset();
      info.set({ bundle_id: r.bundleId }, 1);
    }
  });

  const metrics: ApiMetrics = {
    registry,
    observePredictions(route, preds) {
      const runtime = app.registry.current.runtime;
      const classes = runtime.classes;
      const positive = classes.length === 2 ? classes[1] : undefined;
      for (const p of preds) {
        predictions.inc({ route, label: String(p.label) });
        if (p.probabilities)
          probability.observe(positive !== undefined ? p.probabilities[positive] : p.probabilities[String(p.label)]);
      }
    },
  };
  app.decorate('metrics', metrics);

  // Callback hooks, not async ones: they run on every request, and an async hook costs a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    request.startTime = process.hrtime.bigint();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    requests.inc({ route, method, status: String(reply.statusCode) });
    if (request.startTime !== undefined)
      latency.observe({ route, method }, Number(process.hrtime.bigint() - request.startTime) / 1e9);
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
});
