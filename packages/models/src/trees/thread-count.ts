import { ConfigError } from '@campaign-ml/core';

/** The environment variable that sets how many threads a tree fit uses (default: every core). */
export const THREADS_ENV = 'CAMPAIGN_ML_THREADS';

/** Cores of this machine (1 where the os module is missing, e.g. in a browser). */
function cores(): number {
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  if (!os) return 1;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length || 1;
}

/**
 * Threads for one fit: the `threads` parameter when it is a positive integer; 0 or undefined
 * means CAMPAIGN_ML_THREADS, or every core when that is unset. A bad value of either is a
 * ConfigError naming it.
 */
export function resolveThreads(owner: string, threads: number | undefined): number {
  if (threads !== undefined && threads !== 0) {
    if (!Number.isInteger(threads) || threads < 0)
      throw new ConfigError('INVALID_PARAM', `${owner}: threads is ${String(threads)}; expected an integer >= 0`, {
        column: 'threads',
        value: threads,
        expected: 'an integer >= 0 (0 = CAMPAIGN_ML_THREADS or every core)',
      });
    return threads;
  }
  const env = typeof process !== 'undefined' ? process.env?.[THREADS_ENV] : undefined;
  if (env === undefined || env.trim() === '') return cores();
  const v = Number(env.trim());
  if (!Number.isInteger(v) || v < 1)
    throw new ConfigError(
      'INVALID_ENV',
      `${THREADS_ENV} is ${JSON.stringify(env)}; expected a positive integer (threads per fit), or unset for every core`,
      { column: THREADS_ENV, value: env, expected: 'a positive integer' },
    );
  return v;
}

/**
 * A Node built-in module, or undefined where there is none (browsers, workers without Node):
 * no static import, so the package stays importable and bundleable everywhere.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  const p = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }) : undefined;
  if (!p || typeof p.getBuiltinModule !== 'function') return undefined;
  try {
    return p.getBuiltinModule(id) as T | undefined;
  } catch {
    return undefined;
  }
}
