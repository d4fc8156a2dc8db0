import { ConfigError } from '@campaign-ml/core';
import { Progress } from '../progress';
import { scorePartitioned } from '../queue/partitioned-predict';
import type { PredictFlags } from './predict';
import { withInterrupt } from './with-interrupt';

/** `campaign-ml predict --partitions P [--queue redis://…]`: score part by part, resumable. */
export async function runPartitionedPredict(o: PredictFlags): Promise<void> {
  if (o.partitions === undefined)
    throw new ConfigError(
      'INVALID_OPTION',
      `${o.queue ? '--queue scores on workers' : '--part scores one part'} of a partitioned run: give --partitions <n> too`,
      { column: o.queue ? '--queue' : '--part' },
    );
  const progress = Progress.forStream(process.stderr, Boolean(o.quiet));
  const what = 'finished parts are kept; run the same command again to resume';
  const p = await withInterrupt(what, (signal) =>
    scorePartitioned({ ...o, partitions: o.partitions!, signal }, progress),
  );
  if (p.part !== undefined) {
    console.log(
      `part ${p.part + 1} of ${p.partitions}: ${p.scored} of ${p.rows} rows scored${p.skipped ? ' (finished by an earlier run)' : ''}${
        p.rejected ? `, ${p.rejected} rejected` : ''
      } → ${p.out}; when every part is done, the same command without --part checks the manifest and joins them`,
    );
    return;
  }
  const rejected = p.rejected ? `; ${p.rejected} rejected → ${p.rejects} (with reasons)` : '; none rejected';
  const resumed = p.skipped ? ` (${p.skipped} finished by an earlier run)` : '';
  console.log(
    `${p.scored} of ${p.rows} rows scored in ${p.partitions} parts${resumed} → ${p.out}${rejected}; manifest ${p.manifest}`,
  );
}
