import * as aq from 'arquero';
import { ConfigError, InputError, load, toRows } from '@campaign-ml/core';
import type { Schema } from '@campaign-ml/schema';
import { DateDurations } from '../datetime/date-durations';
import { OneHotEncoder } from '../encoders/one-hot-encoder';
import { TargetEncoder } from '../encoders/target-encoder';
import { SimpleImputer } from '../imputers/simple-imputer';
import { StandardScaler } from '../scalers/standard-scaler';
import { ColumnPipeline, FittedColumnPipeline } from './column-pipeline';
import { schemaFromTable } from './column-selector';

const day = 86_400_000;
const train = aq.table({
  id: [1, 2, 3, 4, 5, 6],
  goal: [100, 200, null, 400, 500, 600],
  category: ['Music', 'Film', 'Music', 'Games', 'Film', 'Music'],
  launched_at: [0, 1, 2, 3, 4, 5].map((i) => new Date(i * day)),
  deadline: [30, 31, 12, 33, 34, 60].map((i) => new Date(i * day)),
  staff_pick: [true, false, false, true, false, true],
  pledged: [150, 10, 0, 800, 20, 900],
  state: [1, 0, 0, 1, 0, 1],
});
const y = [1, 0, 0, 1, 0, 1];
const schema: Schema = (() => {
  const s = schemaFromTable(train);
  for (const c of s.columns) if (c.name === 'id') c.role = 'id';
  for (const c of s.columns) if (c.name === 'state') c.role = 'target';
  return s;
})();

function pipeline(): ColumnPipeline {
  return new ColumnPipeline({
    schema,
    groups: [
      { name: 'dates', select: { types: ['datetime'] }, steps: [new DateDurations()] },
      { name: 'cats', select: { pattern: /^cat/ }, steps: [new OneHotEncoder()] },
      { name: 'num', select: ['goal'], steps: [new SimpleImputer({ strategy: 'median' }), new StandardScaler()] },
    ],
    remainder: 'passthrough',
  });
}

describe('ColumnPipeline', () => {
  it('builds a Matrix with readable names; passthrough skips id/target roles; drop removes columns', () => {
    const fitted = pipeline()
      .drop([{ column: 'pledged' }])
      .fit(train, y);
    expect(fitted.featureNamesOut).toEqual([
      'launched_at→deadline_days',
      'category=Music',
      'category=Film',
      'category=Games',
      'goal',
      'staff_pick',
    ]);
    const X = fitted.transform(train);
    expect(X.rows).toBe(6);
    const rows = toRows(X);
    expect(rows[0][0]).toBe(30);
    expect(rows[1].slice(1, 4)).toEqual([0, 1, 0]);
    expect(rows[1][5]).toBe(0);
    const filled = [100, 200, 400, 400, 500, 600]; // the median (400) fills row 3, then standard scaling
    const mean = filled.reduce((a, b) => a + b) / 6;
    const std = Math.sqrt(filled.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
    expect(rows[2][4]).toBeCloseTo((400 - mean) / std, 12);
  });

  it('keeps pledged when not dropped, and drops everything else on remainder: drop', () => {
    expect(pipeline().fit(train, y).featureNamesOut).toContain('pledged');
    const only = new ColumnPipeline({ schema, groups: [{ select: ['goal'], steps: [new SimpleImputer()] }] }).fit(
      train,
    );
    expect(only.featureNamesOut).toEqual(['goal']);
  });

  it('round-trips through JSON with identical output', () => {
    const fitted = pipeline().fit(train, y);
    const back = load<FittedColumnPipeline>(JSON.stringify(fitted.toJSON()));
    expect(back).toBeInstanceOf(FittedColumnPipeline);
    expect(back.featureNamesOut).toEqual(fitted.featureNamesOut);
    expect(Array.from(back.transform(train).data)).toEqual(Array.from(fitted.transform(train).data));
  });

  it('union: parts side by side under their prefixes, each checking its own missing values, and round-trips', () => {
    const linear = pipeline().fit(train, y);
    const raw = new ColumnPipeline({ schema, groups: [{ select: ['goal', 'pledged'] }], allowMissing: true }).fit(
      train,
    );
    const both = FittedColumnPipeline.union([
      { prefix: 'tree:', pipeline: raw },
      { prefix: 'linear:', pipeline: linear },
    ]);
    expect(both.featureNamesOut).toEqual([
      ...raw.featureNamesOut.map((n) => `tree:${n}`),
      ...linear.featureNamesOut.map((n) => `linear:${n}`),
    ]);
    expect(both.inputColumns).toEqual([...new Set([...raw.inputColumns, ...linear.inputColumns])]);
    expect(both.allowMissing).toBe(true);
    const X = both.transform(train);
    expect(X.columns).toEqual(both.featureNamesOut);
    expect(Array.from(X.data)).toEqual([
      ...Array.from(raw.transform(train).data),
      ...Array.from(linear.transform(train).data),
    ]);
    expect(Number.isNaN(X.data[2])).toBe(true); // goal's missing value stays NaN on the tree side only
    const back = load<FittedColumnPipeline>(JSON.stringify(both.toJSON()));
    expect(Array.from(back.transform(train).data)).toEqual(Array.from(X.data));
    // The linear part still refuses NaN inside the union.
    const unimputed = new ColumnPipeline({ schema, groups: [{ select: ['pledged'] }] }).fit(train);
    const strict = FittedColumnPipeline.union([
      { prefix: 'a:', pipeline: raw },
      { prefix: 'b:', pipeline: unimputed },
    ]);
    const withNaN = aq.table({ goal: [1], pledged: [null] });
    expect(() => strict.transform(withNaN)).toThrow(/feature "b:pledged"/);
    expect(() =>
      FittedColumnPipeline.union([
        { prefix: 'a:', pipeline: raw },
        { prefix: 'a:', pipeline: linear },
      ]),
    ).toThrow(/prefix "a:" is used twice/);
    expect(() => FittedColumnPipeline.union([])).toThrow(ConfigError);
  });

  it('a missing input column is an InputError naming it', () => {
    const fitted = pipeline().fit(train, y);
    expect(() => fitted.transform(train.select(aq.not('category')))).toThrow(InputError);
    expect(() => fitted.transform(train.select(aq.not('category')))).toThrow(
      /column "category" is missing from the table/,
    );
  });

  it('a non-numeric value in a numeric column names row, column and value', () => {
    const fitted = pipeline().fit(train, y);
    const bad = train.derive({ staff_pick: () => 'yes' });
    expect(() => fitted.transform(bad)).toThrow(/column "staff_pick" expected a number, found "yes" \(row 1\)/);
  });

  it('an unknown category gives all-zero one-hot features', () => {
    const fitted = pipeline().fit(train, y);
    const X = fitted.transform(train.derive({ category: () => 'Comics' }));
    expect(toRows(X)[0].slice(1, 4)).toEqual([0, 0, 0]);
  });

  it('refuses to let NaN through unless allowMissing is set', () => {
    const noImpute = new ColumnPipeline({ schema, groups: [{ select: ['goal'] }] });
    expect(() => noImpute.fit(train)).toThrow(/feature "goal" \(group0\) is missing at row 3/);
    const trees = new ColumnPipeline({ schema, groups: [{ select: ['goal'] }], allowMissing: true }).fit(train);
    expect(trees.transform(train).data[2]).toBeNaN();
    // Missing in new data where training had none is caught at transform time too.
    const imputedless = new ColumnPipeline({ schema, groups: [{ select: ['pledged'] }] }).fit(train);
    expect(() => imputedless.transform(train.derive({ pledged: () => null }))).toThrow(InputError);
  });

  it('an all-missing column: imputed to 0 (documented), passed through as NaN only with allowMissing', () => {
    const t = train.derive({ empty: () => null });
    const fitted = new ColumnPipeline({
      groups: [{ select: ['empty'], steps: [new SimpleImputer({ strategy: 'mean' })] }],
    }).fit(t);
    expect(Array.from(fitted.transform(t).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('fitTransform gives out-of-fold target encodings; transform gives the full-data one', () => {
    const p = new ColumnPipeline({
      schema,
      groups: [{ select: ['category'], steps: [new TargetEncoder({ folds: 3 })] }],
    });
    const { pipeline: fitted, X } = p.fitTransform(train, y);
    expect(X.columns).toEqual(['category.target']);
    expect(Array.from(X.data)).not.toEqual(Array.from(fitted.transform(train).data));
  });

  it('runs Matrix steps after the join and rejects clashing names or misplaced table steps', () => {
    const p = new ColumnPipeline({
      schema,
      groups: [{ select: ['goal', 'pledged'], steps: [new SimpleImputer()] }],
      steps: [new StandardScaler()],
    });
    const X = p.fit(train).transform(train);
    let mean = 0;
    for (let r = 0; r < 6; r++) mean += X.data[6 + r];
    expect(mean / 6).toBeCloseTo(0, 12);
    const clash = new ColumnPipeline({
      schema,
      groups: [
        { select: ['goal'], steps: [new SimpleImputer()] },
        { select: ['goal'], steps: [new SimpleImputer()] },
      ],
    });
    expect(() => clash.fit(train)).toThrow(ConfigError);
    const prefixed = new ColumnPipeline({
      schema,
      groups: [
        { select: ['goal'], steps: [new SimpleImputer()] },
        { select: ['goal'], prefix: 'b.', steps: [new SimpleImputer()] },
      ],
    });
    expect(prefixed.fit(train).featureNamesOut).toEqual(['goal', 'b.goal']);
    const order = new ColumnPipeline({
      schema,
      groups: [{ select: ['category'], steps: [new StandardScaler(), new OneHotEncoder()] }],
    });
    expect(() => order.fit(train)).toThrow(/expected a number|table step/);
  });
});

describe('groups that share fitted steps (two recipes in one pipeline)', () => {
  const recipe = (prefix: string, scale: boolean) => [
    { name: `${prefix}cats`, prefix, select: ['category'], steps: [new OneHotEncoder()] },
    {
      name: `${prefix}num`,
      prefix,
      select: ['goal', 'pledged'],
      steps: scale
        ? [new SimpleImputer({ strategy: 'median' }), new StandardScaler()]
        : [new SimpleImputer({ strategy: 'median' })],
    },
  ];

  it('transforms each shared step prefix once and gives what each recipe gives alone', () => {
    const union = new ColumnPipeline({ schema, groups: [...recipe('tree:', false), ...recipe('linear:', true)] }).fit(
      train,
      y,
    );
    const tree = new ColumnPipeline({ schema, groups: recipe('tree:', false) }).fit(train, y);
    const linear = new ColumnPipeline({ schema, groups: recipe('linear:', true) }).fit(train, y);
    const test = train.slice(1, 5);
    const both = union.transform(test);
    const a = tree.transform(test);
    const b = linear.transform(test);
    expect(both.columns).toEqual([...a.columns, ...b.columns]);
    expect(Array.from(both.data)).toEqual([...a.data, ...b.data]);

    let calls = 0;
    const proto = Object.getPrototypeOf((union as unknown as { groups: { steps: object[] }[] }).groups[0].steps[0]);
    const original = proto.transform;
    proto.transform = function (this: unknown, t: unknown) {
      calls++;
      return original.call(this, t);
    };
    try {
      union.transform(test);
      expect(calls).toBe(1); // the one-hot encoder runs once for both recipes
      const again = FittedColumnPipeline.fromJSON(JSON.parse(JSON.stringify(union.toJSON())));
      calls = 0;
      expect(Array.from(again.transform(test).data)).toEqual(Array.from(both.data));
      expect(calls).toBe(1);
    } finally {
      proto.transform = original;
    }
  });
});
