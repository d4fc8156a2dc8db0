import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { load } from '@campaign-ml/core';
import type { Schema } from '@campaign-ml/schema';
import { FittedColumnPipeline } from '../pipeline/column-pipeline';
import { schemaFromTable } from '../pipeline/column-selector';
import { recommendedPipeline } from './recommended-pipeline';
import { readTableSync } from '@campaign-ml/ingest';

const day = 86_400_000;
const n = 60;
const small = aq.table({
  id: Array.from({ length: n }, (_, i) => i),
  goal: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : Math.round(10 ** (2 + (i % 5))))),
  country: Array.from({ length: n }, (_, i) => ['US', 'GB', 'DE'][i % 3]),
  category: Array.from({ length: n }, (_, i) => `cat${i % 30}`),
  created_at: Array.from({ length: n }, (_, i) => new Date(i * day)),
  launched_at: Array.from({ length: n }, (_, i) => new Date((i + 10) * day + 3_600_000 * (i % 24))),
  deadline: Array.from({ length: n }, (_, i) => new Date((i + 40 + (i % 9)) * day)),
  video: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i % 2 === 0)),
  blurb: Array.from({ length: n }, (_, i) => `text ${i}`),
  state: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'successful' : 'failed')),
});
const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));

function schemaFor(table: aq.ColumnTable, roles: Record<string, 'id' | 'target'>, text: string[] = []): Schema {
  const s = schemaFromTable(table);
  for (const c of s.columns) {
    if (roles[c.name]) c.role = roles[c.name];
    if (text.includes(c.name)) c.type = 'text';
  }
  return s;
}

describe('recommendedPipeline', () => {
  const schema = schemaFor(small, { id: 'id', state: 'target' }, ['blurb']);

  it("highCardinality 'codes': ordinal codes named code:<col>, round trip exact", () => {
    const fitted = recommendedPipeline(schema, 'binary', { maxOneHot: 5, highCardinality: 'codes' }).fit(small, y);
    expect(fitted.featureNamesOut).toContain('code:category');
    expect(fitted.featureNamesOut).not.toContain('category.target');
    const X = fitted.transform(small);
    const codes = Array.from(
      X.data.subarray(X.columns.indexOf('code:category') * n, (X.columns.indexOf('code:category') + 1) * n),
    );
    expect(codes.every((v) => Number.isNaN(v) || (Number.isInteger(v) && v >= 0))).toBe(true);
    expect(fitted.featureSources()[X.columns.indexOf('code:category')]).toEqual(['category']);
    expect(load<FittedColumnPipeline>(JSON.stringify(fitted)).transform(small).data).toEqual(X.data);
    // The linear recipe: codes unscaled, missing -1, no NaN anywhere.
    const lin = recommendedPipeline(schema, 'binary', { maxOneHot: 5, highCardinality: 'codes', model: 'linear' }).fit(
      small,
      y,
    );
    const L = lin.transform(small);
    const c = L.columns.indexOf('code:category');
    const lc = Array.from(L.data.subarray(c * n, (c + 1) * n));
    expect(lc.every((v) => Number.isInteger(v) && v >= -1)).toBe(true);
    expect(L.data.some((v) => Number.isNaN(v))).toBe(false);
  });

  it('tree: durations between dates (earlier first), date parts, numbers as is, one-hot low and target-encoded high cardinality', () => {
    const fitted = recommendedPipeline(schema, 'binary', { maxOneHot: 5 }).fit(small, y);
    const names = fitted.featureNamesOut;
    expect(names).toEqual(
      expect.arrayContaining([
        'created_at→launched_at_days',
        'created_at→deadline_days',
        'launched_at→deadline_days',
        'deadline.weekday',
        'launched_at.hour',
        'goal',
        'video',
        'country=US',
        'category.target',
      ]),
    );
    expect(names.some((c) => /^(id|state|blurb)/.test(c))).toBe(false);
    expect(fitted.allowMissing).toBe(true);
    const X = fitted.transform(small);
    expect(X.data[X.columns.indexOf('goal') * n]).toBeNaN(); // trees keep NaN
  });

  it('linear: no NaN, skewed numbers log1p-ed, imputed with indicators and scaled', () => {
    const fitted = recommendedPipeline(schema, 'binary', { model: 'linear', maxOneHot: 5 }).fit(small, y);
    expect(fitted.featureNamesOut).toEqual(
      expect.arrayContaining(['log1p(goal)', 'log1p(goal).missing', 'launched_at.month_sin']),
    );
    const X = fitted.transform(small);
    expect(X.data.every((v) => Number.isFinite(v))).toBe(true);
    const back = load<FittedColumnPipeline>(JSON.parse(JSON.stringify(fitted.toJSON())));
    expect(Array.from(back.transform(small).data)).toEqual(Array.from(X.data));
  });

  it('drop() removes leakage findings from the recipe', () => {
    const fitted = recommendedPipeline(schema, 'binary')
      .drop([{ column: 'deadline' }, 'goal'])
      .fit(small, y);
    expect(fitted.featureNamesOut.some((c) => c.includes('deadline') || c === 'goal')).toBe(false);
  });
});

const shared = path.resolve(__dirname, '../../../../../shared/data');
const csv = path.join(shared, 'kickstarter', 'kickstarter.csv');
const d = fs.existsSync(csv) ? describe : describe.skip;

d('recommendedPipeline on the real Kickstarter table', () => {
  const LEAKS = ['pledged', 'usd_pledged', 'backers_count', 'spotlight', 'staff_pick.1'];
  it('fits successful-vs-failed minus the known leakage and gives a named Matrix without leakage columns', () => {
    const all = readTableSync(csv);
    const table = all
      .filter(aq.escape((r: { state: string }) => r.state === 'successful' || r.state === 'failed'))
      .reify();
    expect(table.numRows()).toBe(14463);
    const labels = (table.array('state') as string[]).map((s) => (s === 'successful' ? 1 : 0));
    const schema = schemaFor(table, { id: 'id', state: 'target' }, ['name']);
    const leaks = [...LEAKS, ...table.columnNames().filter((c) => c.startsWith('state_changed_at'))];
    // The linear recipe's NaN-free output is checked on the small table above; here the tree recipe
    // (one fit, to keep this file fast) on the real data.
    for (const model of ['tree'] as const) {
      const { pipeline, X } = recommendedPipeline(schema, 'binary', { model }).drop(leaks).fitTransform(table, labels);
      expect(X.rows).toBe(14463);
      expect(X.cols).toBe(pipeline.featureNamesOut.length);
      expect(X.columns).toEqual(
        expect.arrayContaining([
          'launched_at→deadline_days',
          'created_at→launched_at_days',
          'launched_at.weekday',
          'category.target',
          'goal',
          'main_category=Music',
        ]),
      );
      expect(
        X.columns.some((c) =>
          leaks.some((l) => c === l || c.startsWith(`${l}.`) || c.startsWith(`${l}=`) || c.includes(`${l}→`)),
        ),
      ).toBe(false);
      expect(X.columns.some((c) => c === 'id' || c === 'name' || c.startsWith('name='))).toBe(false);
      const durations = X.data.subarray(
        X.columns.indexOf('launched_at→deadline_days') * X.rows,
        (X.columns.indexOf('launched_at→deadline_days') + 1) * X.rows,
      );
      expect(Math.min(...durations)).toBeGreaterThan(0);
      expect(Math.max(...durations)).toBeLessThanOrEqual(121); // early Kickstarter campaigns ran up to 120 days
    }
  });
});

describe('featureSources', () => {
  const schema = schemaFor(small, { id: 'id', state: 'target' }, ['blurb']);

  it('names the input column(s) of every feature of both recipes and of their union', () => {
    const tree = recommendedPipeline(schema, 'binary', { maxOneHot: 5 }).fit(small, y);
    const linear = recommendedPipeline(schema, 'binary', { maxOneHot: 5, model: 'linear' }).fit(small, y);
    const both = FittedColumnPipeline.union([
      { prefix: 'tree:', pipeline: tree },
      { prefix: 'linear:', pipeline: linear },
    ]);
    for (const p of [tree, linear, both]) {
      const sources = p.featureSources();
      expect(sources).toHaveLength(p.featureNamesOut.length);
      p.featureNamesOut.forEach((name, i) => {
        expect(sources[i].length).toBeGreaterThan(0);
        for (const s of sources[i]) expect(p.inputColumns).toContain(s);
        // Every feature here is named after its source(s).
        expect(name).toContain(sources[i][0]);
        expect(sources[i].length).toBeLessThanOrEqual(2);
      });
    }
    const byName = Object.fromEntries(both.featureNamesOut.map((n, i) => [n, both.featureSources()[i]]));
    expect(byName['tree:country=US']).toEqual(['country']);
    expect(byName['linear:log1p(goal)']).toEqual(['goal']);
    const duration = both.featureNamesOut.find((n) => n.includes('→'));
    expect(duration && byName[duration].length).toBe(2);
  });
});
