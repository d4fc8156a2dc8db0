import { groupCondition, meets } from './group-condition';
import type { ColumnKind } from './column-kind';
import type { GridValue } from './grid';
import { interestingRegions } from './interesting-regions';
import { linspace } from './grid';
import type { PartialDependence } from './partial-dependence';
import { TEMPLATES } from './templates';

const t = TEMPLATES.en;

/** A curve whose high points are exactly `high` (1 there, 0 elsewhere). */
function curve(kind: ColumnKind, grid: GridValue[], high: number[], source: 'values' | 'range'): PartialDependence {
  const average = grid.map((_, i) => (high.includes(i) ? 1 : 0));
  return { column: 'c', kind, grid, gridSource: source, average, centered: false, rows: 1 };
}

function condition(pdp: PartialDependence, label = 'x') {
  return groupCondition(pdp, interestingRegions(pdp), label, t);
}

describe('groupCondition', () => {
  const tens = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it('a run inside a range grid reaches halfway to its neighbours', () => {
    const c = condition(curve('numeric', tens, [6, 7, 8], 'range'));
    expect(c.text).toBe('x between 55 and 85');
    expect(c.ranges).toEqual([{ lo: 55, hi: 85 }]);
    expect([55, 70, 85, 54.9, 85.1, null, NaN].map((v) => meets(c, v))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('a run at either end is open there; two runs join with "or"', () => {
    expect(condition(curve('numeric', tens, [9, 10], 'range')).text).toBe('x of 85 or more');
    expect(condition(curve('numeric', tens, [0], 'range')).text).toBe('x up to 5');
    const both = condition(curve('numeric', tens, [0, 10], 'range'));
    expect(both.text).toBe('x up to 5 or x of 95 or more');
    expect([0, 5, 6, 94, 95, 1e9].map((v) => meets(both, v))).toEqual([true, true, false, false, true, true]);
    expect(
      condition(
        curve(
          'numeric',
          tens,
          tens.map((_, i) => i),
          'range',
        ),
      ).text,
    ).toBe('x: any value');
  });

  it('rounds bounds to a hundredth of the span order and prints thousands (Income 5,000..100,000)', () => {
    const grid = linspace(5000, 100000, 100);
    const c = condition(
      curve(
        'numeric',
        grid,
        Array.from({ length: 39 }, (_, i) => 59 + i),
        'range',
      ),
      'Income',
    );
    // lo = (g58 + g59) / 2 = 61,136.4 -> 61,100; hi = (g97 + g98) / 2 = 98,560.6 -> 98,600.
    expect(c.text).toBe('Income between 61,100 and 98,600');
    expect(c.ranges).toEqual([{ lo: 61100, hi: 98600 }]);
  });

  it('categories, booleans and 0/1 numbers read as values', () => {
    const edu = condition(curve('categorical', ['Basic', 'PhD', 'Master'], [1, 2], 'values'), 'Education');
    expect(edu.text).toBe('Education: PhD or Master');
    expect(['PhD', 'Basic', null].map((v) => meets(edu, v))).toEqual([true, false, false]);
    const video = condition(curve('boolean', [false, true], [1], 'values'), 'video');
    expect(video.text).toBe('video: yes');
    expect([true, false].map((v) => meets(video, v))).toEqual([true, false]);
    const cmp = condition(curve('numeric', [0, 1], [1], 'values'), 'AcceptedCmp1');
    expect(cmp.text).toBe('AcceptedCmp1: yes');
    expect([1, 0].map((v) => meets(cmp, v))).toEqual([true, false]);
  });

  it('a number with few distinct values: one value, or a run of them', () => {
    expect(condition(curve('numeric', [0, 1, 2, 3], [0], 'values'), 'Kidhome').text).toBe('Kidhome: 0');
    const run = condition(curve('numeric', [0, 1, 2, 3], [1, 2], 'values'), 'Kidhome');
    expect(run.text).toBe('Kidhome between 1 and 2');
    expect([0, 1, 2, 3].map((v) => meets(run, v))).toEqual([false, true, true, false]);
  });

  it('datetimes print as days', () => {
    const day = 86_400_000;
    const start = Date.UTC(2013, 0, 1);
    const grid = Array.from({ length: 11 }, (_, i) => start + i * 30 * day);
    const c = condition(curve('datetime', grid, [2, 3], 'range'), 'Dt_Customer');
    // Halfway to the neighbours: day 45 (15 February) and day 105 (16 April) of 2013.
    expect(c.text).toBe('Dt_Customer between 2013-02-15 and 2013-04-16');
    expect(meets(c, new Date(start + 70 * day))).toBe(true);
    expect(meets(c, new Date(start + 20 * day))).toBe(false);
  });
});
