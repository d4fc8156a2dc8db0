import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Bundle } from '@campaign-ml/bundle';
import { readBundle } from '@campaign-ml/bundle/node';
import { InputError } from '@campaign-ml/core';
import { readTable } from '@campaign-ml/ingest';
import { Progress } from '../progress';
import { bundleImportedModel } from './bundle';

const root = path.resolve(__dirname, '../../../..');
const fixtures = path.join(root, 'packages/models/src/trees/__fixtures__');
const quiet = Progress.forStream(process.stderr, true);

/** The binary:logistic XGBoost fixture (tools/fixtures/xgboost-import.py): model, float32 rows, predict(). */
const xgb = JSON.parse(readFileSync(path.join(fixtures, 'xgboost/binary-logistic.json'), 'utf8')) as {
  model: string;
  featureNames: string[];
  X: (number | null)[][];
  prediction: number[];
};

/** A CSV of rows (null = blank) with a target column. */
function csv(columns: string[], rows: (number | string | null)[][]): string {
  return (
    [columns.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n'
  );
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'campaign-ml-bundle-'));
  await fs.writeFile(path.join(dir, 'model.json'), xgb.model);
  // The label: the fixture's own prediction, so both classes are present; words, to check the
  // positive class is found as training finds it ("yes").
  const rows = xgb.X.map((r, i) => [...r, xgb.prediction[i] > 0.5 ? 'yes' : 'no']);
  await fs.writeFile(path.join(dir, 'sample.csv'), csv([...xgb.featureNames, 'outcome'], rows));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const records = (): Record<string, unknown>[] =>
  xgb.X.map((r) => Object.fromEntries(xgb.featureNames.map((f, c) => [f, r[c]])));

describe('pipeline bundle --xgboost', () => {
  it("scores the sample as XGBoost's predict() did, through predictRecords and scoreTable, after a JSON round trip", async () => {
    const { document, rows } = await bundleImportedModel(
      { xgboost: path.join(dir, 'model.json'), data: path.join(dir, 'sample.csv'), target: 'outcome' },
      quiet,
    );
    expect(rows).toBe(xgb.X.length);
    expect(document.task).toBe('binary');
    expect(document.target).toEqual({ column: 'outcome', classes: ['no', 'yes'], positiveClass: 'yes' });
    expect(document.model.name).toBe('xgboost');
    expect(document.model.threshold).toBe(0.5);
    expect(document.metrics.imported).toMatchObject({ from: 'xgboost', objective: 'binary:logistic', trees: 30 });
    expect(Object.keys(document.reference!.inputs).sort()).toEqual([...xgb.featureNames].sort());
    // every model feature is required only if the sample never misses it; the target is not an input
    expect(document.schema.columns.map((c) => c.name)).toEqual(xgb.featureNames);

    const bundle = Bundle.fromJSON(JSON.stringify(document));
    expect(bundle.requiredColumns).toEqual(xgb.featureNames);
    const preds = bundle.predictRecords(records());
    preds.forEach((p, i) => {
      expect(Math.abs(p.probabilities!.yes - xgb.prediction[i])).toBeLessThan(5e-5);
      expect(p.label).toBe(xgb.prediction[i] >= 0.5 ? 'yes' : 'no');
    });
    const table = bundle.recordsToTable(records());
    const scores = bundle.scoreTable(table);
    xgb.prediction.forEach((p, i) => expect(Math.abs(scores[2 * i + 1] - p)).toBeLessThan(5e-5));
    // and the same bits as the imported model straight on the fixture rows
    const again = Bundle.fromJSON(JSON.stringify(bundle.toJSON()));
    expect(Array.from(again.scoreTable(table))).toEqual(Array.from(scores));
  });

  it('reads a boolean feature column (true/false) as 1/0', async () => {
    const v = xgb.featureNames.indexOf('video');
    const rows = xgb.X.map((r, i) => [
      ...r.map((x, c) => (c === v && x !== null ? (x === 1 ? 'true' : 'false') : x)),
      xgb.prediction[i] > 0.5 ? 'yes' : 'no',
    ]);
    await fs.writeFile(path.join(dir, 'bool.csv'), csv([...xgb.featureNames, 'outcome'], rows));
    const { document } = await bundleImportedModel(
      { xgboost: path.join(dir, 'model.json'), data: path.join(dir, 'bool.csv'), target: 'outcome' },
      quiet,
    );
    expect(document.schema.columns.find((c) => c.name === 'video')!.type).toBe('boolean');
    const bundle = Bundle.fromJSON(document);
    const recs = records().map((r) => ({ ...r, video: r.video === null ? null : r.video === 1 }));
    bundle
      .predictRecords(recs)
      .forEach((p, i) => expect(Math.abs(p.probabilities!.yes - xgb.prediction[i])).toBeLessThan(5e-5));
  });

  it('names a feature of the model the sample lacks', async () => {
    const without = xgb.featureNames.filter((f) => f !== 'ratio');
    const rows = xgb.X.map((r, i) => [...r.filter((_, c) => xgb.featureNames[c] !== 'ratio'), i % 2]);
    await fs.writeFile(path.join(dir, 'partial.csv'), csv([...without, 'outcome'], rows));
    const err = await bundleImportedModel(
      { xgboost: path.join(dir, 'model.json'), data: path.join(dir, 'partial.csv'), target: 'outcome' },
      quiet,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).column).toBe('ratio');
    expect((err as InputError).message).toMatch(/"ratio"/);
  });

  it('refuses a sample whose target has a different number of classes than the model', async () => {
    const rows = xgb.X.map((r, i) => [...r, ['a', 'b', 'c'][i % 3]]);
    await fs.writeFile(path.join(dir, 'three.csv'), csv([...xgb.featureNames, 'outcome'], rows));
    await expect(
      bundleImportedModel(
        { xgboost: path.join(dir, 'model.json'), data: path.join(dir, 'three.csv'), target: 'outcome' },
        quiet,
      ),
    ).rejects.toThrow(/binary|3 labels/);
  });

  it('writes bundle.json from the command line', async () => {
    const out = path.join(dir, 'cli-bundle.json');
    const { stdout } = await promisify(execFile)(
      path.join(root, 'node_modules/.bin/tsx'),
      [
        path.join(__dirname, '../main.ts'),
        'bundle',
        '--xgboost',
        path.join(dir, 'model.json'),
        '--data',
        path.join(dir, 'sample.csv'),
        '--target',
        'outcome',
        '--threshold',
        '0.4',
        '--out',
        out,
        '-q',
      ],
      { cwd: root },
    );
    expect(stdout).toMatch(/xgboost model, 30 trees, 6 features, task binary \(no \/ yes\)/);
    const bundle = await readBundle(out);
    expect(bundle.threshold).toBe(0.4);
    const p = bundle.predictRecords(records().slice(0, 5));
    p.forEach((q, i) => expect(Math.abs(q.probabilities!.yes - xgb.prediction[i])).toBeLessThan(5e-5));
  }, 60_000);
});

describe('pipeline bundle --lightgbm', () => {
  it("scores a LightGBM multiclass model's published probabilities", async () => {
    const base = path.join(fixtures, 'lightgbm/boosters/multiclass');
    const input = JSON.parse(readFileSync(path.join(base, 'input.json'), 'utf8')) as {
      data: (number | null)[][];
      labels: number[];
    };
    const expected = JSON.parse(readFileSync(path.join(base, 'expected.json'), 'utf8')) as { proba: number[][] };
    const names = Array.from({ length: 10 }, (_, i) => `Column_${i}`);
    await fs.writeFile(
      path.join(dir, 'lgb.csv'),
      csv(
        [...names, 'label'],
        input.data.map((r, i) => [...r, input.labels[i]]),
      ),
    );
    const { document } = await bundleImportedModel(
      { lightgbm: path.join(base, 'model.txt'), data: path.join(dir, 'lgb.csv'), target: 'label' },
      quiet,
    );
    expect(document.task).toBe('multiclass');
    expect(document.target.classes).toEqual(['0', '1', '2']);
    const bundle = Bundle.fromJSON(JSON.stringify(document));
    const table = await readTable(path.join(dir, 'lgb.csv'), { asText: true });
    const typed = bundle.validator().table(table.select(names)).table;
    const scores = bundle.scoreTable(typed);
    expected.proba.forEach((row, i) => row.forEach((p, k) => expect(scores[i * 3 + k]).toBeCloseTo(p, 12)));
  });
});
