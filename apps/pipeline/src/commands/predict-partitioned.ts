import { ConfigError } from '@campaign-ml/core';
import { Progress } from '../progress';
import { scorePartitioned } from '../queue/partitioned-predict';
import type { PredictFlags } from './predict';
import { withInterrupt } from './with-interrupt';

/** `campaign-ml predict --partitions P [--queue redis://…]`: score part by part, resumable. */
export async function runPartitionedPredict(o: PredictFlags): Promise<void> {
  if (o.partitions === undefined)
    throw new ConfigError('INVALID_OPTION', '--queue scores on workers part by part: give --partitions <n> too', {
      column: '--queue',
    });
  const progress = Progress.forStream(process.stderr, Boolean(o.quiet));
  const what = 'finished parts are kept; run the same command again to resume';
  const p = await withInterrupt(what, (signal) =>
    scorePartitioned({ ...o, partitions: o.partitions!, signal }, progress),
  );
  const rejected = p.rejected ? `; ${p.rejected} rejected → ${p.rejects} (with reasons)` : '; none rejected';
  const resumed = p.skipped ? ` (${p.skipped} finished by an earlier run)` : '';
  console.log(
    `${p.scored} of ${p.rows} rows scored in ${p.partitions} parts${resumed} → ${p.out}${rejected}; manifest ${p.manifest}`,
  );
}
