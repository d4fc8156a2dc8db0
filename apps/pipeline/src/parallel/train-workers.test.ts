import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../config';
import { Progress } from '../progress';
import { train, type TrainResult } from '../train/train';

// The first 800 rows of the embedded sample keep the test fast; every stage still runs.
const sample = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'train-workers-')), 'kickstarter-head.csv');
const lines = fs.readFileSync(path.resolve(__dirname, '../../../../data/kickstarter-sample.csv'), 'utf8').split('\n');
fs.writeFileSync(sample, lines.slice(0, 801).join('\n') + '\n');
afterAll(() => fs.rmSync(path.dirname(sample), { recursive: true, force: true }));

const cfg = parseConfig({
  data: sample,
  target: 'state',
  positive: 'successful',
  excludeLabels: ['canceled', 'live'],
  models: ['logistic', 'gradientBoosting'],
  tuning: { trials: 2, folds: 3 },
  tracking: { enabled: false },
});

class Lines extends Progress {
  readonly lines: string[] = [];
  constructor() {
    super('quiet');
  }
  override info(line: string): void {
    this.lines.push(line);
  }
}

async function runWith(workers: string): Promise<{ result: TrainResult; lines: string[] }> {
  const saved = process.env.CAMPAIGN_ML_WORKERS;
  process.env.CAMPAIGN_ML_WORKERS = workers;
  try {
    const progress = new Lines();
    return { result: await train(cfg, progress), lines: progress.lines };
  } finally {
    if (saved === undefined) delete process.env.CAMPAIGN_ML_WORKERS;
    else process.env.CAMPAIGN_ML_WORKERS = saved;
  }
}

/** Everything but wall-clock times. */
const comparable = (r: TrainResult) =>
  JSON.stringify({
    ...r.metrics,
    stageTimesMs: undefined,
    models: r.metrics.models.map((m) => ({
      ...m,
      baseline: { ...m.baseline, fitMs: 0 },
      tuned: m.tuned && { ...m.tuned, trials: m.tuned.trials.map((t) => ({ ...t, durationMs: 0 })) },
    })),
  });

describe('train with CAMPAIGN_ML_WORKERS=1 vs 2 on the embedded sample', () => {
  it('gives identical CV scores, tuning trials, threshold, test metrics and test scores', async () => {
    const one = await runWith('1');
    const two = await runWith('2');
    expect(one.lines.some((l) => /worker threads/.test(l))).toBe(false);
    expect(two.lines).toContain('cross-validation folds on 2 worker threads');
    expect(two.lines.some((l) => /main thread only/.test(l))).toBe(false);
    // Every tuned family ran its two trials (the weighted ensemble, when built, is not tuned).
    expect(
      two.result.metrics.models.filter((m) => m.model !== 'ensemble').every((m) => m.tuned?.trials.length === 2),
    ).toBe(true);
    expect(comparable(two.result)).toBe(comparable(one.result));
    expect(Buffer.from(two.result.testScores.buffer).equals(Buffer.from(one.result.testScores.buffer))).toBe(true);
    expect(two.result.bundle.model).toEqual(one.result.bundle.model);
  }, 120_000);
});
