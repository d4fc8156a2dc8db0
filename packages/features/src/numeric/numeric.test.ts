import * as aq from 'arquero';
import { InputError, load } from '@campaign-ml/core';
import type { FittedTableStep, Table } from '../pipeline/table-step';
import { Clipper, Log1pTransformer, PlausibilityRules, QuantileBinner, RateConversion, Ratio } from './index';

function col(t: Table, name: string): number[] {
  return Array.from(t.array(name) as ArrayLike<number>);
}

function roundTrip(f: FittedTableStep, t: Table): void {
  const back = load<FittedTableStep>(JSON.parse(JSON.stringify(f.toJSON())));
  expect(back.featureNamesOut).toEqual(f.featureNamesOut);
  expect(back.transform(t).objects()).toEqual(f.transform(t).objects());
}

const day = 86_400_000;
const t = aq.table({
  goal: [1000, 0, -5, null, 1e6],
  rate: [1.2, 1, 0.5, 1, null],
  launched: [new Date(0), new Date(0), new Date(0), new Date(0), new Date(0)],
  deadline: [new Date(30 * day), new Date(10 * day), new Date(0), null, new Date(20 * day)],
  year: [1890, 1960, 1985, 2000, null],
});

describe('numeric transformers', () => {
  it('Log1p is signed, names transformed columns and skips low-skew columns on request', () => {
    const f = new Log1pTransformer().fit(t.select('goal'));
    expect(f.featureNamesOut).toEqual(['log1p(goal)']);
    const out = col(f.transform(t), 'log1p(goal)');
    expect(out[0]).toBeCloseTo(Math.log1p(1000));
    expect(out[2]).toBeCloseTo(-Math.log1p(5));
    expect(out[3]).toBeNaN();
    const skewed = new Log1pTransformer({ skewThreshold: 1 }).fit(
      aq.table({ flat: [1, 2, 3, 4, 5], tail: [1, 1, 1, 2, 1000] }),
    );
    expect(skewed.featureNamesOut).toEqual(['flat', 'log1p(tail)']);
    roundTrip(skewed, aq.table({ flat: [1, 2], tail: [3, 4] }));
  });

  it('QuantileBinner makes equal-frequency bins and keeps missing', () => {
    const x = Array.from({ length: 100 }, (_, i) => i);
    const f = new QuantileBinner({ bins: 4 }).fit(aq.table({ x }));
    const out = col(f.transform(aq.table({ x: [0, 24, 25, 74, 99, 1000, null] })), 'x.bin');
    expect(out.slice(0, 6)).toEqual([0, 0, 1, 2, 3, 3]);
    expect(out[6]).toBeNaN();
    roundTrip(f, aq.table({ x: [3, 50] }));
  });

  it('Ratio divides by a column or by the days between two dates; zero gives missing', () => {
    const f = new Ratio({ numerator: 'goal', denominator: { from: 'launched', to: 'deadline' } }).fit(t);
    expect(f.featureNamesOut).toEqual(['goal/(launched→deadline_days)']);
    const out = col(f.transform(t), f.featureNamesOut[0]);
    expect(out[0]).toBeCloseTo(1000 / 30);
    expect(out[2]).toBeNaN(); // zero days
    expect(out[3]).toBeNaN(); // missing
    roundTrip(f, t);
  });

  it('RateConversion multiplies by the rate column', () => {
    const f = new RateConversion({ columns: ['goal'], rate: 'rate', suffix: '_usd' }).fit(t);
    const out = col(f.transform(t), 'goal_usd');
    expect(out[0]).toBeCloseTo(1200);
    expect(out[4]).toBeNaN();
    roundTrip(f, t);
  });

  it('Clipper winsorizes to fixed bounds or fitted quantiles', () => {
    const f = new Clipper({ bounds: { goal: [0, 5000] } }).fit(t.select('goal'));
    expect(col(f.transform(t), 'goal').slice(0, 3)).toEqual([1000, 0, 0]);
    const q = new Clipper({ quantiles: [0.1, 0.9] }).fit(aq.table({ x: Array.from({ length: 11 }, (_, i) => i) }));
    expect(col(q.transform(aq.table({ x: [-100, 5, 100] })), 'x')).toEqual([1, 5, 9]);
    roundTrip(f, t);
  });

  it('PlausibilityRules turns implausible values into missing and counts them', () => {
    const f = new PlausibilityRules({ rules: { year: { min: 1930 } } }).fit(t.select('year', 'goal'));
    expect(f.flagged).toEqual({ year: 1 });
    const out = col(f.transform(t), 'year');
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(1960);
    expect(col(f.transform(t), 'goal')[4]).toBe(1e6);
    roundTrip(f, t);
  });

  it('a non-numeric value is an InputError naming row, column and value', () => {
    const f = new Log1pTransformer().fit(aq.table({ goal: [1, 2] }));
    let err: unknown;
    try {
      f.transform(aq.table({ goal: [1, '5k'] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'NOT_NUMERIC', row: 2, column: 'goal', value: '5k' });
    expect((err as Error).message).toMatch(/column "goal" expected a number, found "5k" \(row 2\)/);
  });
});
