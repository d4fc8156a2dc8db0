import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runWeeklyFeatures } from './weekly-features';

const sample = path.resolve(__dirname, '../../../../data/engagement-sample.csv');

async function count(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const r = await db.runAndReadAll(`SELECT count(*) FROM read_parquet('${file}')`);
    return Number(r.getRows()[0][0]);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe('pipeline weekly-features', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weekly-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const base = {
    data: sample,
    entity: 'profile_id',
    time: 'date',
    target: 'engagement',
    horizons: '7,14,21,28',
    lags: '4',
    rolling: '4',
    memoryLimit: '256MB',
    quiet: true,
  };

  it('writes the same number of weekly rows to Parquet with either engine', async () => {
    const a = path.join(dir, 'duckdb.parquet');
    const b = path.join(dir, 'memory.parquet');
    await runWeeklyFeatures({ ...base, engine: 'duckdb', out: a });
    await runWeeklyFeatures({ ...base, engine: 'memory', out: b });
    const n = await count(a);
    expect(n).toBeGreaterThan(1000);
    expect(await count(b)).toBe(n);
  });

  it('names a bad option', async () => {
    await expect(runWeeklyFeatures({ ...base, engine: 'spark', out: path.join(dir, 'x.parquet') })).rejects.toThrow(
      /--engine is "spark"/,
    );
    await expect(
      runWeeklyFeatures({ ...base, horizons: '7,x', engine: 'duckdb', out: path.join(dir, 'x.parquet') }),
    ).rejects.toThrow(/--horizons takes whole numbers/);
  });
});
