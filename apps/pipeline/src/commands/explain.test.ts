import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBundle } from '@campaign-ml/bundle/node';
import { parseConfig } from '../config';
import { main } from '../main';
import { Progress } from '../progress';
import { train } from '../train/train';
import type { TrainResult } from '../train/train-result';
import { explainSectionsHtml } from '../report/explain-html';
import { evaluation } from './evaluate';
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
    explain: {
      describe: { Income: 'yearly household income', Recency: 'days since the last purchase' },
      actionable: ['Recency', 'NumWebVisitsMonth', 'NumCatalogPurchases', 'MntWines'],
      fixed: ['Income'],
    },
  });

const count = (html: string, cls: string) => html.match(new RegExp(`class="${cls}"`, 'g'))?.length ?? 0;

/** A page that opens offline: no script, no external stylesheet, image or font. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/(src|href)="https?:/i);
  expect(html).not.toMatch(/@import|url\(/i);
}

let lastTrain: TrainResult | undefined;
async function trainedBundle(data: string, dir: string): Promise<string> {
  const result = await train(marketing(data), quiet());
  lastTrain = result;
  const file = path.join(dir, 'bundle.json');
  await fs.writeFile(file, JSON.stringify(result.bundle));
  return file;
}

/** Raw records of the sample (JSON numbers where the CSV has numbers), without the outcome and ID. */
async function sampleRecords(n: number): Promise<Record<string, unknown>[]> {
  const lines = (await fs.readFile(sample, 'utf8'))
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n');
  const head = lines[0].split(';');
  return lines.slice(1, n + 1).map((l) => {
    const cells = l.split(';');
    const r: Record<string, unknown> = {};
    head.forEach((h, i) => {
      if (['ID', 'Response', 'Z_CostContact', 'Z_Revenue'].includes(h)) return;
      r[h] = cells[i] === '' ? null : /^-?\d+(\.\d+)?$/.test(cells[i]) ? Number(cells[i]) : cells[i];
    });
    return r;
  });
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
  it("labels columns by the config's explain.describe, in the training report and in pipeline explain", () => {
    const describe: Record<string, string> = {
      Income: 'yearly household income',
      Recency: 'days since the last purchase',
    };
    const trained = lastTrain!.report.explain!;
    for (const sections of [trained, doc]) {
      for (const p of sections.panels) expect(p.label).toBe(describe[p.column] ?? p.column);
      const labelled = sections.panels.filter((p) => p.column in describe);
      expect(labelled.length).toBeGreaterThan(0);
      for (const p of labelled) {
        const sentence = sections.sentences.find((x) => x.column === p.column)!.sentence;
        expect(sentence.startsWith(describe[p.column])).toBe(true);
      }
    }
  });

  describe('--record: "This record"', () => {
    let records: Record<string, unknown>[];
    let rec: ExplainDocument;
    let page: string;
    let bundle: Awaited<ReturnType<typeof readBundle>>;
    const pPositive = (r: Record<string, unknown>) => bundle.predictRecords([r])[0].probabilities!['1'];
    beforeAll(async () => {
      bundle = await readBundle(path.join(dir, 'bundle.json'));
      const candidates = await sampleRecords(80);
      const low = candidates.find((r) => pPositive(r) > 0.1 && pPositive(r) < 0.4)!;
      const high = candidates.find((r) => pPositive(r) > 0.6) ?? candidates[1];
      records = [low, high];
      const file = path.join(dir, 'records.json');
      await fs.writeFile(file, JSON.stringify(records));
      const out = path.join(dir, 'with-record');
      const r = await explainBundle(
        {
          bundle: path.join(dir, 'bundle.json'),
          data: sample,
          top: 3,
          out,
          maxRows: 200,
          record: file,
          limeSamples: 1000,
        },
        quiet(),
      );
      rec = r.document;
      page = await fs.readFile(path.join(out, 'explain.html'), 'utf8');
    }, 120_000);

    it('gives each record its prediction and SHAP values per input column that add up to it', () => {
      expect(rec.records).toHaveLength(2);
      for (const [i, r] of rec.records!.entries()) {
        expect(r.index).toBe(i);
        expect(r.prediction.probabilities!['1']).toBeCloseTo(pPositive(records[i]), 12);
        expect(r.shap.space).toBe('probability');
        expect(r.shap.prediction).toBeCloseTo(pPositive(records[i]), 9);
        expect(r.shap.contributions.map((c) => c.column).sort()).toEqual([...bundle.features.inputColumns].sort());
        const sum = r.shap.contributions.reduce((a, c) => a + c.contribution, r.shap.baseValue);
        expect(sum).toBeCloseTo(r.shap.prediction, 9);
        expect(r.lime.features.length).toBeGreaterThan(0);
        expect(r.lime.features.length).toBeLessThanOrEqual(6);
        expect(r.lime.label).toBe('1');
      }
    });

    it("advises from the bundle's config (explain.actionable / fixed): every option re-scored reaches 0.5, only actionable columns change", () => {
      const advice = rec.records![0].advice!;
      expect(advice.actionable).toEqual(['Recency', 'NumWebVisitsMonth', 'NumCatalogPurchases', 'MntWines']);
      expect(advice.fixed).toEqual(['Income']);
      expect(advice.original.meetsTarget).toBe(false);
      expect(advice.counterfactuals.length).toBeGreaterThan(0);
      for (const cf of advice.counterfactuals) {
        const changed = { ...records[0] };
        for (const c of cf.changes) {
          expect(advice.actionable).toContain(c.column);
          expect(c.from).toEqual(records[0][c.column]);
          changed[c.column] = c.to;
        }
        expect(pPositive(changed)).toBeGreaterThanOrEqual(0.5);
        expect(pPositive(changed)).toBeCloseTo(cf.probability, 12);
      }
    });

    it('draws the section on explain.html: SHAP and LIME bars coloured by sign, the advice table, offline', () => {
      expectSelfContained(page);
      expect(count(page, 'record')).toBe(2);
      expect(count(page, 'contributions')).toBe(4);
      const bars = page.match(/class="contribution (pos|neg)"/g) ?? [];
      const expected = rec.records!.reduce((a, r) => a + r.shap.contributions.length + r.lime.features.length, 0);
      expect(bars).toHaveLength(expected);
      expect(page).toMatch(/class="contribution pos"[^>]*fill="#d62728"/);
      expect(page).toMatch(/class="contribution neg"[^>]*fill="#1f77b4"/);
      // A table row per option for a record below the target; a record already above it gets a note.
      const below = rec.records!.filter((r) => !r.advice!.original.meetsTarget);
      expect(count(page, 'advice')).toBe(below.reduce((a, r) => a + r.advice!.counterfactuals.length, 0));
      expect(count(page, 'advice-note')).toBe(rec.records!.length - below.length);
      expect(count(page, 'pdp')).toBe(3);
    });

    it('flags win over the config: --actionable, --target-probability; a single object is one record', async () => {
      const file = path.join(dir, 'one.json');
      await fs.writeFile(file, JSON.stringify(records[0]));
      const { document } = await explainBundle(
        {
          bundle: path.join(dir, 'bundle.json'),
          data: sample,
          top: 1,
          out: path.join(dir, 'flags'),
          maxRows: 100,
          record: file,
          actionable: ['Recency'],
          targetProbability: 0.3,
          limeSamples: 500,
        },
        quiet(),
      );
      expect(document.records).toHaveLength(1);
      const advice = document.records![0].advice!;
      expect(advice.actionable).toEqual(['Recency']);
      expect(advice.fixed).toEqual(['Income']);
      expect(advice.target.probability).toBe(0.3);
      for (const cf of advice.counterfactuals) {
        expect(cf.changes.map((c) => c.column)).toEqual(['Recency']);
        expect(cf.probability).toBeGreaterThanOrEqual(0.3);
      }
    }, 60_000);

    it('a bad record exits 2 with the SchemaError naming the field, before any work', async () => {
      const file = path.join(dir, 'bad.json');
      await fs.writeFile(file, JSON.stringify([records[0], { ...records[1], Income: 'lots' }]));
      const err: string[] = [];
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
        err.push(String(s));
        return true;
      });
      try {
        const code = await main([
          'node',
          'campaign-ml',
          'explain',
          '--bundle',
          path.join(dir, 'bundle.json'),
          '--data',
          sample,
          '--record',
          file,
          '--out',
          path.join(dir, 'bad'),
          '-q',
        ]);
        expect(code).toBe(2);
      } finally {
        spy.mockRestore();
      }
      expect(err.join('')).toMatch(/Income/);
      expect(existsSync(path.join(dir, 'bad', 'explain.json'))).toBe(false);
      await fs.writeFile(file, '{"Income": ');
      await expect(
        explainBundle({ bundle: path.join(dir, 'bundle.json'), data: sample, out: dir, record: file }, quiet()),
      ).rejects.toMatchObject({ code: 'INVALID_JSON' });
    });
  });

  it('pipeline evaluate: the report gets the explain sections, labelled by the config', async () => {
    const { report } = await evaluation({ bundle: path.join(dir, 'bundle.json'), data: sample }, quiet());
    const e = report.explain!;
    expect(e.rankedBy).toBe('permutation importance');
    expect(e.panels.map((p) => p.column)).toEqual(report.importance.slice(0, 5).map((r) => r.feature));
    expect(e.panels.find((p) => p.column === 'Recency')?.label).toBe('days since the last purchase');
    // The sections report.html appends (renderReport itself needs Vega, an ES module jest does not load).
    const html = explainSectionsHtml(e, 'Response');
    expect([count(html, 'bar'), count(html, 'pdp'), count(html, 'sentence')]).toEqual([5, 5, 5]);
  }, 120_000);
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
