/**
 * Issue 12, item 7: without --positive, a binary target's positive label is the one whose name
 * marks the event (yes, true, 1, success*, churn, default, bad...), else the minority class; the
 * run says which and how to change it (metrics.json, report.html).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labelTable } from '../generators/label-table';
import { trainCli } from './pipeline-cli';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'positive-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('the positive class (CLI)', () => {
  it.each([
    ['Churned', 'Stayed', 0.7, 'Churned', 'name'],
    ['good', 'bad', 0.8, 'bad', 'name'],
    ['north', 'south', 0.75, 'south', 'minority'],
  ] as const)(
    '%s / %s (first %s of rows): positive %s by %s',
    async (a, b, share, want, rule) => {
      const t = labelTable([a, b], share);
      const file = path.join(dir, `${a}-${b}.csv`);
      await fs.writeFile(file, t.csv);
      const out = path.join(dir, `runs-${a}`);
      const { runDir } = await trainCli([
        '--data',
        file,
        '--target',
        t.target,
        '--models',
        'logistic',
        '--trials',
        '0',
        '--out',
        out,
      ]);
      const metrics = JSON.parse(await fs.readFile(path.join(runDir, 'metrics.json'), 'utf8')) as {
        positiveClass: string;
        positiveClassChoice: { rule: string; message: string };
      };
      expect(metrics.positiveClass).toBe(want);
      expect(metrics.positiveClassChoice).toMatchObject({ rule, message: expect.stringMatching(/--positive <label>/) });
      const html = await fs.readFile(path.join(runDir, 'report.html'), 'utf8');
      expect(html).toContain(`positive class &quot;${want}&quot;`);
    },
    300_000,
  );
});
