import * as aq from 'arquero';
import { createRng, InputError } from '@campaign-ml/core';
import { detectLeakage } from './detect-leakage';
import { dropLeaks } from './drop-leaks';

function synthetic(n = 400) {
  const rng = createRng(7);
  const y: string[] = [];
  const cols: Record<string, unknown[]> = {
    noise: [],
    copy: [],
    id: [],
    colour: [],
    code: [],
    start: [],
    end: [],
    closed_at: [],
    closed_at_month: [],
  };
  for (let i = 0; i < n; i++) {
    const pos = rng.random() < 0.4;
    y.push(pos ? 'yes' : 'no');
    cols.noise.push(rng.normal());
    cols.copy.push((pos ? 10 : 0) + rng.random()); // near-copy of the target
    cols.id.push(`row-${i}`); // unique per row: must not look like a perfect map
    cols.colour.push(rng.choice(['red', 'green', 'blue']));
    cols.code.push(pos ? 'Y' : 'N'); // one-to-one map
    const start = Date.UTC(2020, 0, 1) + rng.int(300) * 86400000;
    cols.start.push(new Date(start));
    cols.end.push(new Date(start + 30 * 86400000));
    const closed = start + 30 * 86400000 + rng.int(5) * 1000;
    cols.closed_at.push(new Date(closed));
    cols.closed_at_month.push(new Date(closed).getUTCMonth() + 1);
  }
  return aq.table({ ...cols, y });
}

describe('detectLeakage', () => {
  const table = synthetic();

  it('flags near-copies, category maps, late timestamps and their derived columns, and nothing else', () => {
    const findings = detectLeakage(table, { target: 'y', task: 'binary', positive: 'yes' });
    const byName = new Map(findings.map((f) => [f.column, f]));
    expect([...byName.keys()].sort()).toEqual(['closed_at', 'closed_at_month', 'code', 'copy']);
    expect(byName.get('copy')!.kinds).toEqual(['target-copy']);
    expect(byName.get('copy')!.score).toBeCloseTo(1, 6);
    expect(byName.get('code')!.kinds).toContain('category-map');
    expect(byName.get('closed_at')!.reason).toMatch(/latest timestamp/);
    expect(byName.get('closed_at_month')!.kinds).toEqual(['derived']);
  });

  it('with an event time, flags timestamps at or after it', () => {
    const t = table.select(aq.not('closed_at'));
    const findings = detectLeakage(t, { target: 'y', task: 'binary', positive: 'yes', timeColumn: 'start' });
    const f = findings.find((x) => x.column === 'end');
    expect(f?.kinds).toEqual(['after-event']);
    expect(f?.reason).toMatch(/"end" is at or after the event time "start" in 100.0% of rows/);
  });

  it('regression: R² of a single column and of a ratio', () => {
    const rng = createRng(3);
    const n = 300;
    const goal = Array.from({ length: n }, () => 800 + rng.int(400));
    const share = Array.from({ length: n }, () => rng.random() * 2);
    const raised = goal.map((g, i) => g * share[i]);
    const other = Array.from({ length: n }, () => rng.normal());
    const t = aq.table({
      goal,
      raised,
      other,
      target: share.map((s) => 3 * s + 1),
      target_pct: share.map((s) => s * 100),
    });
    const findings = detectLeakage(t, { target: 'target', task: 'regression' });
    const byName = new Map(findings.map((f) => [f.column, f]));
    expect(byName.get('target_pct')!.kinds[0]).toBe('target-copy');
    expect(byName.get('raised')?.kinds).toContain('ratio');
    expect(byName.has('goal')).toBe(false);
    expect(byName.has('other')).toBe(false);
  });

  it('multiclass: a column that reveals one class is flagged', () => {
    const rng = createRng(11);
    const n = 300;
    const y = Array.from({ length: n }, () => rng.choice(['a', 'b', 'c']));
    const t = aq.table({ y, isC: y.map((v) => v === 'c'), noise: y.map(() => rng.random()) });
    const findings = detectLeakage(t, { target: 'y', task: 'multiclass' });
    expect(findings.map((f) => f.column)).toEqual(['isC']);
    expect(findings[0].reason).toMatch(/"y" = c from the rest/);
  });

  it('dropLeaks removes the flagged columns', () => {
    const findings = detectLeakage(table, { target: 'y', task: 'binary', positive: 'yes' });
    expect(dropLeaks(table, findings).columnNames()).toEqual(['noise', 'id', 'colour', 'start', 'end', 'y']);
    expect(dropLeaks(table, ['missing', 'noise']).columnNames()).not.toContain('noise');
  });

  it('explains bad arguments', () => {
    expect(() => detectLeakage(table, { target: 'nope', task: 'binary' })).toThrow(
      /target column "nope" is not in the table/,
    );
    expect(() => detectLeakage(table, { target: 'y', task: 'binary', positive: 'maybe' })).toThrow(InputError);
    const three = aq.table({ y: ['a', 'b', 'c', 'a'], x: [1, 2, 3, 4] });
    expect(() => detectLeakage(three, { target: 'y', task: 'binary' })).toThrow(/filter the rows to two classes/);
  });
});
