/**
 * Issue 12, item 1: on a multiclass target with rare classes that are artefacts of the data
 * (`live`: the newest 1% of rows; `purged`: one small country), the launch date, deadline and
 * country are reported as warnings naming the class, not dropped; the real leaks still are.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectLeakage, dropLeaks } from '@campaign-ml/features';
import { readTableSync } from '@campaign-ml/ingest';
import { rareClassTable } from '../generators/rare-class-table';
import { trainCli } from './pipeline-cli';

const t = rareClassTable();
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rare-class-'));
  await fs.writeFile(path.join(dir, 'rare.csv'), t.csv);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('leakage on a multiclass target with rare classes (library)', () => {
  it('reports columns known before the event as warnings driven by the rare class, and keeps them', () => {
    const table = readTableSync(path.join(dir, 'rare.csv'));
    const findings = detectLeakage(table, { target: 'state', task: 'multiclass' });
    const by = new Map(findings.map((f) => [f.column, f]));
    for (const c of t.leaks) expect(by.get(c)).toMatchObject({ severity: 'leak', drivenBy: { class: 'successful' } });
    expect(by.get('launched_at')).toMatchObject({ severity: 'warning', drivenBy: { class: 'live' } });
    expect(by.get('deadline')).toMatchObject({ severity: 'warning', drivenBy: { class: 'live' } });
    expect(by.get('country')).toMatchObject({ severity: 'warning', drivenBy: { class: 'purged' } });
    // Per-class evidence: the rare class separates, the support-weighted mean does not.
    const launched = by.get('launched_at')!;
    expect(launched.perClass!.find((p) => p.class === 'live')!.score).toBeGreaterThan(0.98);
    expect(launched.weighted!).toBeLessThan(0.7);
    expect(launched.reason).toMatch(/only "live" \(1\.0% of rows\)/);
    const kept = dropLeaks(table, findings).columnNames();
    expect(kept).toEqual(expect.arrayContaining([...t.beforeEvent, 'goal', 'category']));
    for (const c of t.leaks) expect(kept).not.toContain(c);
  });

  it('still drops a column that separates a rare class when the threshold share is lowered below it', () => {
    const table = readTableSync(path.join(dir, 'rare.csv'));
    const findings = detectLeakage(table, { target: 'state', task: 'multiclass', minClassShare: 0.005 });
    expect(findings.find((f) => f.column === 'launched_at')).toMatchObject({ severity: 'leak' });
  });
});

describe('leakage on a multiclass target with rare classes (CLI)', () => {
  it('trains on the launch date, deadline and country and says which class drove each warning', async () => {
    const { runDir } = await trainCli([
      '--data',
      path.join(dir, 'rare.csv'),
      '--target',
      'state',
      '--task',
      'multiclass',
      '--models',
      'logistic',
      '--trials',
      '0',
      '--out',
      path.join(dir, 'runs'),
    ]);
    const metrics = JSON.parse(await fs.readFile(path.join(runDir, 'metrics.json'), 'utf8')) as {
      leakage: { column: string; severity: string; drivenBy?: { class: string } }[];
      features: { names: string[] };
    };
    const names = metrics.features.names;
    for (const c of t.beforeEvent) expect(names.some((n) => n === c || n.startsWith(`${c}`))).toBe(true);
    for (const c of t.leaks) expect(names.some((n) => n.startsWith(c))).toBe(false);
    expect(metrics.leakage.find((f) => f.column === 'country')).toMatchObject({
      severity: 'warning',
      drivenBy: { class: 'purged' },
    });
    const html = await fs.readFile(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toMatch(/warning \(kept\)/);
    expect(html).toMatch(/live \(1\.0% of rows\)/);
  }, 300_000);
});
