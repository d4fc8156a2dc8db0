import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const main = path.join(__dirname, 'main.ts');
const sample = path.join(root, 'data/kickstarter-sample.csv');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [main, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('campaign-ml CLI', () => {
  let dir: string;
  let runDir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-cli-'));
    const r = await cli([
      'train',
      '--data',
      sample,
      '--target',
      'state',
      '--positive',
      'successful',
      '--exclude-labels',
      'canceled,live',
      '--models',
      'dummy,logistic',
      '--trials',
      '2',
      '--out',
      path.join(dir, 'runs'),
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    runDir = (JSON.parse(r.stdout) as { runDir: string }).runDir;
  }, 180_000);
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('train writes bundle.json, metrics.json and a self-contained report.html, and tracks the run', async () => {
    expect((await fs.readdir(runDir)).sort()).toEqual(['bundle.json', 'metrics.json', 'report.html', 'trials.json']);
    const metrics = JSON.parse(await fs.readFile(path.join(runDir, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ task: 'binary', best: { model: 'logistic' } });
    expect(metrics.best.test.rocAuc).toBeGreaterThan(0.75);
    const html = await fs.readFile(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/ROC curve/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toMatch(
      /cut at 0\.5, so the models compare alike; the result above cuts the best model at its CV-chosen threshold \(0\.\d{4}\)/,
    );
    // Tuned parameters read as "C = 0.1234", not as a JSON blob.
    expect(html).toMatch(/<td class="t">C = \d+(\.\d{1,4})?(e-?\d+)?<\/td>/);
    const latest = JSON.parse(await fs.readFile(path.join(dir, 'runs', 'latest.json'), 'utf8'));
    expect(latest.path).toBe(runDir);
    expect(await fs.realpath(path.join(dir, 'runs', 'latest', 'bundle.json'))).toBe(
      await fs.realpath(path.join(runDir, 'bundle.json')),
    );
    expect((await fs.readdir(path.join(dir, 'runs'))).filter((f) => f.startsWith('.staging'))).toEqual([]);
    expect(await fs.readdir(path.join(dir, 'mlruns'))).toContain('0');
  });

  it('predict scores good rows and sends bad ones to the rejects file with the reason', async () => {
    const lines = (await fs.readFile(sample, 'utf8')).split('\n').slice(0, 21);
    const header = lines[0].split(',');
    const goal = header.indexOf('goal');
    const cells = lines[3].split(',');
    cells[goal] = 'lots';
    lines[3] = cells.join(',');
    const input = path.join(dir, 'new.csv');
    await fs.writeFile(input, `${lines.join('\n')}\n`);
    const out = path.join(dir, 'pred.csv');
    const rejects = path.join(dir, 'rejects.csv');
    const r = await cli([
      'predict',
      '--bundle',
      path.join(runDir, 'bundle.json'),
      '--data',
      input,
      '--out',
      out,
      '--rejects',
      rejects,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/19 of 20 rows scored .*1 rejected/);
    const pred = (await fs.readFile(out, 'utf8')).trim().split('\n');
    expect(pred[0]).toBe('row,id,prediction,p_failed,p_successful,warnings');
    expect(pred).toHaveLength(20);
    const rej = await fs.readFile(rejects, 'utf8');
    expect(rej).toMatch(/^row,reasons\n3,.*goal.*lots/);
  }, 60_000);

  it('evaluate re-scores labelled data and writes the same kind of report', async () => {
    const out = path.join(dir, 'eval');
    const r = await cli([
      'evaluate',
      '--bundle',
      path.join(runDir, 'bundle.json'),
      '--data',
      sample,
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const m = JSON.parse(await fs.readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(m.best.test.rocAuc).toBeGreaterThan(0.75);
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/Confusion matrix/);
    expect(html).toMatch(/permutation of input columns \(drop in test ROC AUC\)/);
  }, 60_000);

  it('explains a bad config and exits with 2', async () => {
    const cfg = path.join(dir, 'bad.yaml');
    await fs.writeFile(cfg, `data: ${sample}\ntarget: State\ntuning:\n  trials: many\n`);
    const r = await cli(['train', '--config', cfg, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tuning.trials: /);
    const r2 = await cli(['train', '--data', sample, '--target', 'State', '--quiet']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/target: column "State" is not in the data \(did you mean "state"\?\)/);
  }, 60_000);
});
