import cluster from 'node:cluster';
import { runPrimary } from './cluster';
import { readConfig } from './config';
import { startServer } from './server';

/**
 * Entry point: `npx nx run api:serve` or `node apps/api/dist/main.js`. Configuration comes from
 * the environment (see README); a missing or invalid bundle or setting exits with code 1 and a
 * message saying what to fix. With API_WORKERS > 1 this process becomes the cluster primary and
 * forks that many servers (each runs this file again as a cluster worker).
 */
async function main(): Promise<void> {
  const config = readConfig(process.env);
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary(config);
    return;
  }
  await startServer(config, { signals: true });
}

main().catch((e: unknown) => {
  const err = e as { name?: string; code?: string; message?: string; problems?: { message: string }[] };
  const more =
    err.problems && err.problems.length > 1
      ? `\n  - ${err.problems
          .slice(0, 10)
          .map((p) => p.message)
          .join('\n  - ')}`
      : '';
  process.stderr.write(
    `campaign-ml api failed to start: ${err.name ?? 'Error'}${err.code ? ` [${err.code}]` : ''}: ${err.message ?? String(e)}${more}\n`,
  );
  process.exit(1);
});
