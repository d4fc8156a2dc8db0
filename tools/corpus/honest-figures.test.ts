/**
 * Issue 12, item 6: the headline figures say what they are — the majority-class baseline beside
 * accuracy (and a warning when accuracy is not above it), multiclass precision/recall/F1 marked
 * macro with weighted and per-class values, and the regression linear family titled Ridge.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { insuranceTable } from '../generators/insurance-table';
import { labelTable } from '../generators/label-table';
import { rareClassTable } from '../generators/rare-class-table';
import { pipelineCli, trainCli } from './pipeline-cli';

interface Metrics {
  best: { test: Record<string, number> };
  majorityBaseline?: { class: string; accuracy: number; beaten: boolean };
  perClass?: { class: string; precision: number; recall: number; f1: number; support: number }[];
  models: { model: string; title: string }[];
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'honest-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function run(name: string, text: string, args: string[]): Promise<{ m: Metrics; html: string }> {
  const file = path.join(dir, `${name}.csv`);
  await fs.writeFile(file, text);
  const { runDir } = await trainCli(['--data', file, ...args, '--trials', '0', '--out', path.join(dir, name)]);
  const m = JSON.parse(await fs.readFile(path.join(runDir, 'metrics.json'), 'utf8')) as Metrics;
  return { m, html: await fs.readFile(path.join(runDir, 'report.html'), 'utf8') };
}

describe('honest headline figures (CLI)', () => {
  it('binary with no signal and 5% positives: accuracy is not above the majority baseline, and the report says so', async () => {
    const t = labelTable(['yes', 'no'], 0.05, 3, 1000, 0);
    const { m, html } = await run('noise', t.csv, ['--target', t.target, '--models', 'logistic']);
    expect(m.majorityBaseline).toMatchObject({ class: 'no', beaten: false });
    expect(m.majorityBaseline!.accuracy).toBeGreaterThan(0.9);
    expect(m.best.test.accuracy).toBeLessThanOrEqual(m.majorityBaseline!.accuracy);
    expect(html).toMatch(/majority-class baseline accuracy/);
    expect(html).toMatch(/is not above the majority-class baseline/);
  }, 300_000);

  it('multiclass: macro labels, weighted averages and per-class values', async () => {
    const t = rareClassTable(12, 1500);
    const args = ['--target', t.target, '--task', 'multiclass', '--models', 'logistic'];
    const { m, html } = await run('multi', t.csv, args);
    expect(m.best.test).toEqual(
      expect.objectContaining({
        precision: expect.any(Number),
        precisionWeighted: expect.any(Number),
        recallWeighted: expect.any(Number),
        f1Weighted: expect.any(Number),
      }),
    );
    expect(m.perClass!.map((r) => r.class).sort()).toEqual(
      ['canceled', 'failed', 'live', 'purged', 'successful', 'suspended'].sort(),
    );
    expect(m.majorityBaseline!.class).toBe('successful');
    expect(html).toMatch(/test precision \(macro\)/);
    expect(html).toMatch(/Per class \(test part\)/);
  }, 300_000);

  it('regression: the linear family is titled Ridge', async () => {
    const t = insuranceTable(44, 400);
    const { m } = await run('ridge', t.csv, ['--target', t.target, '--models', 'dummy,logistic']);
    expect(m.models.map((r) => r.title)).toEqual(['Dummy (mean)', 'Ridge regression']);
    expect(m.majorityBaseline).toBeUndefined();
  }, 300_000);

  it('the summary line gives the majority baseline', async () => {
    const t = labelTable(['yes', 'no'], 0.3, 4, 300);
    const file = path.join(dir, 'summary.csv');
    await fs.writeFile(file, t.csv);
    const args = ['--data', file, '--target', t.target, '--models', 'logistic', '--trials', '0', '--quiet'];
    const { stdout } = await pipelineCli([
      'train',
      ...args,
      '--no-tracking',
      '--no-ensemble',
      '--out',
      path.join(dir, 's'),
    ]);
    expect(stdout).toMatch(/Majority-class baseline \(always "no"\): accuracy 0\.\d+; the model is above it/);
  }, 300_000);
});
