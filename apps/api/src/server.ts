import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from './config';
import { buildApp, type BuildOptions } from './app';
import { ModelRuntime } from './runtime/model-runtime';

export interface RunningServer {
  app: FastifyInstance;
  /** The address the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stop accepting connections, let in-flight requests finish (up to shutdownTimeoutMs), close. */
  close(): Promise<void>;
}

/**
 * Load the bundle (throws a clear error when it is missing or invalid), build the app and listen.
 * With `signals`, SIGHUP reloads the bundle and SIGTERM/SIGINT shut down gracefully.
 */
export async function startServer(
  config: ApiConfig,
  options: BuildOptions & { signals?: boolean } = {},
): Promise<RunningServer> {
  const runtime =
    options.runtime ??
    (await ModelRuntime.load(config.modelPath, {
      unknownCategories: config.unknownCategories,
      maxBatch: config.maxBatch,
    }));
  const app = await buildApp(config, { ...options, runtime });
  const url = await app.listen({ port: config.port, host: config.host });
  app.log.info({ bundleId: runtime.id, url }, 'serving bundle');
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const timer = setTimeout(() => {
        app.log.error('shutdown timed out; closing open connections');
        app.server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      timer.unref();
      // Keep-alive connections that finish their last request after close() began stay open
      // until their keep-alive timeout; close each as soon as it goes idle.
      const idle = setInterval(() => app.server.closeIdleConnections(), 50);
      idle.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        clearInterval(idle);
      }
    })();
    return closing;
  };
  if (options.signals) {
    const onHup = (): void => void app.registry.reload('SIGHUP');
    const onStop = (signal: string) => (): void => {
      app.log.info({ signal }, 'shutting down: draining in-flight requests');
      close().then(
        () => process.exit(0),
        (e: unknown) => {
          app.log.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', onStop('SIGTERM'));
    process.once('SIGINT', onStop('SIGINT'));
  }
  return { app, url, close };
}
