import * as fs from 'node:fs';
import type { ColumnTable } from 'arquero';
import type { FastifyInstance } from 'fastify';
import type { Prediction } from '@campaign-ml/bundle';
import type { ApiConfig } from '../config';
import { ModelRuntime, type RawRecord } from '../runtime/model-runtime';
import { PredictionBatcher } from '../runtime/prediction-batcher';
import { sharedPlugin } from './shared-plugin';

/** What is being served: a runtime and the batcher that scores through it. */
export interface ServedModel {
  readonly runtime: ModelRuntime;
  predict(records: readonly RawRecord[]): Promise<Prediction[]>;
}

export interface ReloadResult {
  ok: boolean;
  bundleId: string;
  /** Why the new bundle was refused. */
  error?: string;
}

/** Holds the served bundle and swaps it atomically on reload. */
export interface ModelRegistry {
  /** The model to use for a request: read it once per request, then use only that. */
  readonly current: ServedModel;
  /** Load, validate and self-test MODEL_PATH, then swap it in; on failure keep the old one. */
  reload(reason: string): Promise<ReloadResult>;
  /** Listeners (metrics) told about every reload attempt. */
  onReload(listener: (r: ReloadResult & { reason: string }) => void): void;
  /**
   * Listeners (the drift window) told about every batch scored for /v1/predict and v2 infer: the
   * runtime that scored it, the typed rows and their predictions. Called after scoring, before
   * the response; a listener that throws is logged and never fails the request.
   */
  onScored(listener: ScoredListener): void;
}

export type ScoredListener = (runtime: ModelRuntime, table: ColumnTable, predictions: readonly Prediction[]) => void;

declare module 'fastify' {
  interface FastifyInstance {
    registry: ModelRegistry;
  }
}

export interface ModelRegistryOptions {
  config: ApiConfig;
  /** An already loaded runtime (the start-up load); otherwise MODEL_PATH is loaded. */
  initial?: ModelRuntime;
}

function serve(
  runtime: ModelRuntime,
  scored: (runtime: ModelRuntime, table: ColumnTable, p: Prediction[]) => void,
): ServedModel {
  const batcher = new PredictionBatcher((records) => {
    const { table, predictions } = runtime.score(records);
    scored(runtime, table, predictions);
    return predictions;
  });
  return Object.freeze({ runtime, predict: (records: readonly RawRecord[]) => batcher.predict(records) });
}

/**
 * The model registry: loads the bundle (start-up fails if it is missing or broken), and reloads it
 * when MODEL_PATH changes (polled; bundles are replaced by atomic rename) or on request (SIGHUP).
 * A reload builds and self-tests a complete new runtime before one reference assignment swaps it
 * in, so a request sees either the old model or the new one, never a mix; in-flight requests
 * finish on the model they started with. Reloads run one at a time; a broken bundle is refused.
 */
export const modelRegistryPlugin = sharedPlugin<ModelRegistryOptions>(
  'model-registry',
  async (app: FastifyInstance, opts) => {
    const { config } = opts;
    const runtimeOptions = { unknownCategories: config.unknownCategories, maxBatch: config.maxBatch };
    const listeners: ((r: ReloadResult & { reason: string }) => void)[] = [];
    const scoredListeners: ScoredListener[] = [];
    const scored = (runtime: ModelRuntime, table: ColumnTable, predictions: Prediction[]): void => {
      for (const l of scoredListeners) {
        try {
          l(runtime, table, predictions);
        } catch (e) {
          app.log.error(
            { err: { code: (e as { code?: string }).code, message: (e as Error).message } },
            'a scored-rows listener failed',
          );
        }
      }
    };
    let current = serve(opts.initial ?? (await ModelRuntime.load(config.modelPath, runtimeOptions)), scored);
    let chain: Promise<unknown> = Promise.resolve();

    const doReload = async (reason: string): Promise<ReloadResult> => {
      let result: ReloadResult;
      try {
        const next = await ModelRuntime.load(config.modelPath, runtimeOptions);
        const previous = current.runtime.id;
        current = serve(next, scored);
        result = { ok: true, bundleId: next.id };
        app.log.info({ reason, bundleId: next.id, previous }, 'bundle reloaded');
      } catch (e) {
        result = { ok: false, bundleId: current.runtime.id, error: (e as Error).message };
        app.log.error(
          {
            reason,
            err: { code: (e as { code?: string }).code, message: (e as Error).message },
            keptBundleId: current.runtime.id,
          },
          'new bundle refused; the previous one keeps serving',
        );
      }
      for (const l of listeners) l({ ...result, reason });
      return result;
    };

    const registry: ModelRegistry = {
      get current() {
        return current;
      },
      reload(reason) {
        const p = chain.then(() => doReload(reason));
        chain = p.catch(() => undefined);
        return p;
      },
      onReload(listener) {
        listeners.push(listener);
      },
      onScored(listener) {
        scoredListeners.push(listener);
      },
    };
    app.decorate('registry', registry);

    if (config.reloadIntervalMs > 0) {
      let lastKey = '';
      const key = (s: fs.Stats): string => `${s.ino}:${s.size}:${s.mtimeMs}`;
      try {
        lastKey = key(fs.statSync(config.modelPath));
      } catch {
        /* the file was loaded a moment ago; a later change is picked up */
      }
      const onChange = (s: fs.Stats): void => {
        if (s.nlink === 0 && s.size === 0 && s.mtimeMs === 0) return; // removed: keep serving the loaded one
        const k = key(s);
        if (k === lastKey) return;
        lastKey = k;
        void registry.reload('file changed');
      };
      fs.watchFile(config.modelPath, { interval: config.reloadIntervalMs, persistent: false }, onChange);
      app.addHook('onClose', async () => {
        fs.unwatchFile(config.modelPath, onChange);
      });
    }
  },
);
