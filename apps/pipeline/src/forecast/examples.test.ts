import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTableWithInfo } from '@campaign-ml/ingest';
import { checkColumnsExist, readConfigFile } from '../config';

const examples = path.resolve(__dirname, '../../examples');
const shared = path.resolve(__dirname, '../../../../../shared/data');
const hasShared = existsSync(shared);

describe('example configs (apps/pipeline/examples)', () => {
  it.each(['engagement.yaml', 'kickstarter.yaml', 'marketing.yaml'])('%s is a valid config', async (file) => {
    const cfg = await readConfigFile(path.join(examples, file));
    expect(cfg.name).toBeTruthy();
    const data = typeof cfg.data === 'string' ? cfg.data : cfg.data.path!;
    expect(path.isAbsolute(data)).toBe(true);
  });

  it('engagement.yaml names columns of the embedded sample and a time series block', async () => {
    const cfg = await readConfigFile(path.join(examples, 'engagement.yaml'));
    const { table } = await readTableWithInfo(cfg.data as string);
    expect(() => checkColumnsExist(cfg, table.columnNames())).not.toThrow();
    expect(cfg.timeseries).toMatchObject({
      entity: 'profile_id',
      time: 'date',
      horizons: [7, 14, 21, 28],
      lags: 4,
      rolling: [4],
    });
  });

  const d = hasShared ? describe : describe.skip;
  d('with ../shared/data', () => {
    it.each(['kickstarter.yaml', 'marketing.yaml'])(
      '%s points at a real table that has the named columns',
      async (file) => {
        const cfg = await readConfigFile(path.join(examples, file));
        const src = typeof cfg.data === 'string' ? { path: cfg.data } : cfg.data;
        await fs.access(src.path!);
        const { table } = await readTableWithInfo(src.path!, { delimiter: src.delimiter });
        const names = table.columnNames();
        expect(() => checkColumnsExist(cfg, names)).not.toThrow();
        for (const c of [...Object.keys(cfg.features.roles), ...Object.keys(cfg.features.types)])
          expect(names).toContain(c);
      },
      // It reads the whole Kickstarter table; a busy CI machine takes longer than jest's 5 s.
      60_000,
    );
  });
});
