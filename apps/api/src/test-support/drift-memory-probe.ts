/**
 * Run by drift.test.ts as `node --expose-gc --import tsx drift-memory-probe.ts <bundle.json> <adds>`:
 * counts `adds` records into the API's drift window (BinnedWindow.add, as the server does per
 * scored row), one in ten with a category never seen in training, and prints the heap after a full
 * GC and the window's retained bytes at 10% of the adds and at the end, as JSON.
 */
import { readBundle } from '@campaign-ml/bundle/node';
import { BinnedWindow } from '@campaign-ml/drift';

async function main(): Promise<void> {
  const [file, addsArg] = process.argv.slice(2);
  const adds = Number(addsArg);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const bundle = await readBundle(file);
  const window = new BinnedWindow(bundle, { rows: 10_000, buckets: 10 });
  const countries = ['US', 'GB', 'DE', 'MX'];
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const samples: { adds: number; heapUsed: number; retainedBytes: number; rows: number }[] = [];
  for (let i = 0; i < adds; i++) {
    const record = {
      goal: 100 + (i % 10_000),
      backers_count: i % 50,
      country: i % 10 === 0 ? `new-${String(i).padStart(7, '0')}` : countries[i % 4],
      staff_pick: i % 3 === 0,
      launched_at: new Date(Date.UTC(2018, i % 12, 1 + (i % 27))),
    };
    window.add(record, (i % 1000) / 1000);
    if (i + 1 === adds / 10 || i + 1 === adds)
      samples.push({ adds: i + 1, heapUsed: heap(), retainedBytes: window.retainedBytes(), rows: window.rows });
  }
  process.stdout.write(JSON.stringify({ samples, seen: window.seen }));
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exit(1);
});
