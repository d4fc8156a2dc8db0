import * as os from 'node:os';
import { ConfigError } from '@campaign-ml/core';

/**
 * How many worker threads cross-validation uses: CAMPAIGN_ML_WORKERS when set (1 = everything on
 * the main thread, as before workers existed), else min(2, available cores).
 */
export function workerCount(env: Record<string, string | undefined> = process.env): number {
  const raw = env.CAMPAIGN_ML_WORKERS;
  if (raw === undefined || raw.trim() === '') return Math.max(1, Math.min(2, os.availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(
      'INVALID_OPTION',
      `CAMPAIGN_ML_WORKERS must be a positive integer (1 = no worker threads), got "${raw}"`,
      {
        column: 'CAMPAIGN_ML_WORKERS',
        value: raw,
        expected: 'an integer >= 1',
      },
    );
  }
  return n;
}
