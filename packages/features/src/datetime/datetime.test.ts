import * as aq from 'arquero';
import { load } from '@campaign-ml/core';
import type { FittedTableStep } from '../pipeline/table-step';
import { DateDurations, DateParts, datePart } from './index';

const t = aq.table({
  // 2021-03-13 is a Saturday
  launched_at: [new Date('2021-03-13T19:42:17Z'), new Date('2021-12-01T00:00:00Z'), null],
  deadline: [new Date('2021-04-12T19:42:17Z'), new Date('2021-12-31T12:00:00Z'), new Date('2022-01-01T00:00:00Z')],
});

function col(name: string, f: FittedTableStep): number[] {
  return Array.from(f.transform(t).array(name) as ArrayLike<number>);
}

describe('date features', () => {
  it('DateParts: weekday (Mon=0), weekend, month, hour in UTC; missing stays missing', () => {
    const f = new DateParts().fit(t.select('launched_at'));
    expect(f.featureNamesOut).toEqual([
      'launched_at.weekday',
      'launched_at.weekend',
      'launched_at.month',
      'launched_at.hour',
    ]);
    expect(col('launched_at.weekday', f).slice(0, 2)).toEqual([5, 2]);
    expect(col('launched_at.weekend', f).slice(0, 2)).toEqual([1, 0]);
    expect(col('launched_at.month', f).slice(0, 2)).toEqual([3, 12]);
    expect(col('launched_at.hour', f).slice(0, 2)).toEqual([19, 0]);
    expect(col('launched_at.month', f)[2]).toBeNaN();
  });

  it('DateParts: cyclic sin/cos, day of year and days since epoch', () => {
    const f = new DateParts({ parts: ['month', 'dayOfYear', 'epochDays'], cyclic: true, keepRaw: false }).fit(
      t.select('deadline'),
    );
    expect(f.featureNamesOut).toEqual([
      'deadline.month_sin',
      'deadline.month_cos',
      'deadline.dayOfYear_sin',
      'deadline.dayOfYear_cos',
      'deadline.epochDays',
    ]);
    expect(col('deadline.month_sin', f)[2]).toBeCloseTo(0); // January
    expect(col('deadline.month_cos', f)[2]).toBeCloseTo(1);
    expect(col('deadline.epochDays', f)[2]).toBe(Date.UTC(2022, 0, 1) / 86_400_000);
  });

  it('DateDurations: days between every pair, named from→to_days', () => {
    const f = new DateDurations().fit(t);
    expect(f.featureNamesOut).toEqual(['launched_at→deadline_days']);
    const d = col('launched_at→deadline_days', f);
    expect(d[0]).toBeCloseTo(30);
    expect(d[1]).toBeCloseTo(30.5);
    expect(d[2]).toBeNaN();
  });

  it('rejects a value that is not a date, naming row and column', () => {
    expect(() => new DateParts().fit(aq.table({ d: [new Date(0), 'soon'] }))).toThrow(
      /column "d" expected a date, found "soon" \(row 2\)/,
    );
  });

  it.each([new DateParts({ cyclic: true }), new DateDurations({ pairs: [['deadline', 'launched_at']] })])(
    'round-trips through JSON',
    (step) => {
      const f = step.fit(t);
      const back = load<FittedTableStep>(JSON.parse(JSON.stringify(f.toJSON())));
      expect(back.transform(t).objects()).toEqual(f.transform(t).objects());
    },
  );
});

describe('datePart arithmetic agrees with Date', () => {
  it('over 3,000 random instants from 1900 to 2100', () => {
    let t = Date.UTC(1900, 0, 1);
    const step = 2_113_337_713; // ~24.5 days, odd so hours and weekdays vary
    for (let i = 0; i < 3000; i++, t += step) {
      const d = new Date(t);
      expect([
        datePart(t, 'weekday'),
        datePart(t, 'hour'),
        datePart(t, 'month'),
        datePart(t, 'day'),
        datePart(t, 'year'),
        datePart(t, 'dayOfYear'),
      ]).toEqual([
        (d.getUTCDay() + 6) % 7,
        d.getUTCHours(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCFullYear(),
        Math.floor((t - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
      ]);
    }
  });
});
