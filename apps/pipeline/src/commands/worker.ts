import { safeUrl } from '../queue/connection';
import { startQueueWorkers } from '../queue/queue-worker';

/** The `worker` command's flags (see main.ts). */
export interface WorkerFlags {
  queue: string;
  queuePrefix: string;
  concurrency: number;
  lockMs: number;
  stalledMs: number;
  quiet?: boolean;
}

/**
 * `campaign-ml worker`: take fold fits and scoring parts off the queue until SIGINT or SIGTERM,
 * which let the jobs in hand finish (a second signal stops at once; the jobs then stall and other
 * workers take them).
 */
export async function runWorker(f: WorkerFlags): Promise<void> {
  const log = f.quiet ? undefined : (line: string) => process.stdout.write(`${line}\n`);
  const workers = await startQueueWorkers({
    url: f.queue,
    prefix: f.queuePrefix,
    concurrency: f.concurrency,
    lockMs: f.lockMs,
    stalledMs: f.stalledMs,
    log,
  });
  process.stdout.write(`worker ${process.pid} ready on ${safeUrl(f.queue)} (prefix ${f.queuePrefix})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  await workers.close();
}
