import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../config';
import { Progress } from '../progress';
import { train } from '../train/train';
import { explainBundle, type ExplainDocument } from './explain';

const root = path.resolve(__dirname, '../../../..');
const sample = path.join(root, 'data/marketing-sample.csv');
const real = path.resolve(root, '../shared/data/marketing/marketing_campaign.csv');
const quiet = () => new Progress('quiet');

/** The iFood-like marketing table's config (as examples/marketing.yaml), logistic regression only, no tuning. */
const marketing = (data: string) =>
  parseConfig({
    data: { path: data, delimiter: ';' },
    target: 'Response',
    task: 'binary',
    positive: '1',
    features: { roles: { ID: 'id' }, drop: ['Z_CostContact', 'Z_Revenue'], types: { Dt_Customer: 'datetime' } },
    models: ['logistic'],
    tuning: { trials: 0, folds: 3 },
    tracking: { enabled: false },
    ensemble: { enabled: false },
  });

const count = (html: string, cls: string) => html.match(new RegExp(`class="${cls}"`, 'g'))?.length ?? 0;

/** A page that opens offline: no script, no external stylesheet, image or font. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/(src|href)="https?:/i);
  expect(html).not.toMatch(/@import|url\(/i);
}

async function trainedBundle(data: string, dir: string): Promise<string> {
  const result = await train(marketing(data), quiet());
  const file = path.join(dir, 'bundle.json');
  await fs.writeFile(file, JSON.stringify(result.bundle));
  return file;
}

describe('pipeline explain on the embedded iFood-like sample', () => {
  let dir: string;
  let doc: ExplainDocument;
  let html: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-explain-'));
    const bundle = await trainedBundle(sample, dir);
    const { document } = await explainBundle({ bundle, data: sample, top: 4, out: dir, maxRows: 400 }, quiet());
    doc = document;
    html = await fs.readFile(path.join(dir, 'explain.html'), 'utf8');
  }, 120_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes explain.json with k importance columns, k panels and k sentences', async () => {
    const json = JSON.parse(await fs.readFile(path.join(dir, 'explain.json'), 'utf8')) as ExplainDocument;
    expect(json).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(doc.target).toBe('Response');
    expect(doc.rows).toBe(2240);
    expect(doc.rankedBy).toBe('permutation importance');
    expect(doc.importance.columns).toHaveLength(4);
    expect(doc.panels.map((p) => p.column)).toEqual(doc.importance.columns.map((c) => c.name));
    expect(doc.sentences).toHaveLength(4);
    expect(doc.importance.loss).toBe('1-auc');
    expect(doc.importance.columns[0].difference).toBeGreaterThan(0.01);
    for (const p of doc.panels) expect(p.regions.length).toBeGreaterThan(0);
    for (const s of doc.sentences) expect(s.sentence).toMatch(/% of rows; predicted rate .* observed rate/);
  });

  it('writes a self-contained explain.html with k bars, k panels with coloured regions and k sentences', () => {
    expectSelfContained(html);
    expect(count(html, 'importance')).toBe(1);
    expect(count(html, 'bar')).toBe(4);
    expect(count(html, 'whisker')).toBe(4);
    expect(count(html, 'pdp')).toBe(4);
    expect(count(html, 'sentence')).toBe(4);
    expect(html.match(/class="region[ "]/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    for (const s of doc.sentences) expect(html).toContain(s.sentence.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
  });

  it('without the outcome column ranks columns by their curves and still writes k panels and sentences', async () => {
    const noTarget = path.join(dir, 'no-target.csv');
    const lines = (await fs.readFile(sample, 'utf8'))
      .replace(/^\uFEFF/, '')
      .split('\n')
      .slice(0, 301);
    const at = lines[0].split(';').indexOf('Response');
    await fs.writeFile(
      noTarget,
      lines
        .map((l) =>
          l
            .split(';')
            .filter((_, i) => i !== at)
            .join(';'),
        )
        .join('\n'),
    );
    const out = path.join(dir, 'no-target');
    const { document } = await explainBundle(
      { bundle: path.join(dir, 'bundle.json'), data: noTarget, top: 3, out, maxRows: 200 },
      quiet(),
    );
    expect(document.rankedBy).toBe('partial-dependence range');
    expect(document.sentences).toHaveLength(3);
    expect(document.sentences[0].sentence).not.toMatch(/observed/);
    const page = await fs.readFile(path.join(out, 'explain.html'), 'utf8');
    expect(count(page, 'pdp')).toBe(3);
    expect(count(page, 'bar')).toBe(0);
  });

  it('names a --target the data does not have', async () => {
    await expect(
      explainBundle({ bundle: path.join(dir, 'bundle.json'), data: sample, target: 'Nope', out: dir }, quiet()),
    ).rejects.toMatchObject({ code: 'MISSING_TARGET', column: 'Nope' });
  });
});

const d = existsSync(real) ? describe : describe.skip;
d('pipeline explain on the real iFood table (../shared/data)', () => {
  it('explain.html shows k bars, k panels and k sentences and opens offline', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-explain-real-'));
    try {
      const bundle = await trainedBundle(real, dir);
      const { document } = await explainBundle({ bundle, data: real, top: 5, out: dir }, quiet());
      const html = await fs.readFile(path.join(dir, 'explain.html'), 'utf8');
      expectSelfContained(html);
      expect([count(html, 'bar'), count(html, 'pdp'), count(html, 'sentence')]).toEqual([5, 5, 5]);
      expect(document.rows).toBe(2240);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
