import cluster, { type Worker } from 'node:cluster';
import type { ApiConfig } from './config';

export interface ClusterOptions {
  /** Wait before replacing a worker that died (ms); doubles while replacements keep dying young. Default 200. */
  restartDelayMs?: number;
}

/** One pino-shaped JSON line on stderr (the primary has no Fastify logger). */
function log(config: ApiConfig, level: 'info' | 'warn' | 'error', msg: string, extra: object = {}): void {
  const levels = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
  if (levels[level] < levels[config.logLevel]) return;
  process.stderr.write(
    `${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, role: 'primary', ...extra, msg })}\n`,
  );
}

/**
 * The primary of `API_WORKERS` > 1 (node:cluster): forks that many copies of this entry point
 * (each one is a complete server: it loads and self-tests the bundle, watches MODEL_PATH for hot
 * reloads and answers on the shared port, connections handed out round-robin by the primary).
 * - a worker that dies is replaced (after `restartDelayMs`, doubling while replacements die within
 *   a second of starting, at most 10 s);
 * - if the first workers cannot start (bad bundle), the primary stops the others and exits 1;
 * - SIGHUP is forwarded to every worker (each reloads its bundle);
 * - SIGTERM/SIGINT: workers drain their in-flight requests and exit, then the primary exits 0
 *   (1 if a worker is still running SHUTDOWN_TIMEOUT_MS + 5 s later: it is killed).
 */
export function runPrimary(config: ApiConfig, options: ClusterOptions = {}): void {
  const baseDelay = options.restartDelayMs ?? 200;
  let delay = baseDelay;
  let everListened = false;
  let stopping = false;
  const startedAt = new Map<number, number>();

  const fork = (): Worker => {
    const w = cluster.fork();
    startedAt.set(w.id, Date.now());
    w.once('listening', () => {
      everListened = true;
      log(config, 'info', 'worker listening', { worker: w.id, workerPid: w.process.pid });
    });
    return w;
  };
  const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
  const finish = (code: number): void => {
    for (const w of alive()) w.process.kill('SIGKILL');
    process.exit(code);
  };

  cluster.on('exit', (w, code, signal) => {
    const lived = Date.now() - (startedAt.get(w.id) ?? 0);
    startedAt.delete(w.id);
    if (stopping) {
      if (alive().length === 0) process.exit(0);
      return;
    }
    if (!everListened) {
      log(config, 'error', 'a worker could not start; stopping', { worker: w.id, code, signal });
      stopping = true;
      finish(1);
      return;
    }
    delay = lived < 1000 ? Math.min(delay * 2, 10_000) : baseDelay;
    log(config, 'warn', 'worker died; replacing it', { worker: w.id, workerPid: w.process.pid, code, signal, delay });
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  process.on('SIGHUP', () => {
    for (const w of alive()) w.process.kill('SIGHUP');
  });
  const stop = (signal: NodeJS.Signals) => (): void => {
    if (stopping) return;
    stopping = true;
    log(config, 'info', 'shutting down: workers drain in-flight requests', { signal });
    const workers = alive();
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      log(config, 'error', 'workers still running after the shutdown timeout; killing them');
      finish(1);
    }, config.shutdownTimeoutMs + 5000).unref();
  };
  process.once('SIGTERM', stop('SIGTERM'));
  process.once('SIGINT', stop('SIGINT'));

  log(config, 'info', 'starting workers', { workers: config.workers });
  for (let i = 0; i < config.workers; i++) fork();
}
