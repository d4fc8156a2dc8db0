import * as aq from 'arquero';
import { parseConfig } from '../config';
import { prepareTarget } from './read-data';

const cfg = (extra: Record<string, unknown> = {}) => parseConfig({ data: 'x.csv', target: 'state', ...extra });

describe('prepareTarget', () => {
  const t = aq.table({
    state: ['failed', 'successful', 'canceled', null, 'successful', 'failed'],
    goal: [1, 2, 3, 4, 5, 6],
  });

  it('drops excluded labels and missing targets, and puts the positive class at index 1', () => {
    const p = prepareTarget(t, cfg({ excludeLabels: ['canceled'] }));
    expect(p.task).toBe('binary');
    expect(p.classes).toEqual(['failed', 'successful']);
    expect(p.positiveClass).toBe('successful');
    expect(p.positiveValue).toBe('successful');
    expect(Array.from(p.y)).toEqual([0, 1, 1, 0]);
    expect(p.table.array('goal')).toEqual([1, 2, 5, 6]);
    expect([p.droppedMissing, p.droppedExcluded]).toEqual([1, 1]);
  });

  it('honours an explicit positive label and infers multiclass and regression', () => {
    const p = prepareTarget(t, cfg({ excludeLabels: ['canceled'], positive: 'failed' }));
    expect(p.classes).toEqual(['successful', 'failed']);
    expect(prepareTarget(t, cfg()).task).toBe('multiclass');
    const r = prepareTarget(aq.table({ state: [1.5, 2.25, 3.1, 8.9] }), cfg());
    expect(r.task).toBe('regression');
    expect(r.classes).toBeNull();
  });

  it('explains a binary task with more labels, an unknown positive label and a single class', () => {
    expect(() => prepareTarget(t, cfg({ task: 'binary' }))).toThrow(/task is binary but "state" has 3 labels/);
    expect(() => prepareTarget(t, cfg({ excludeLabels: ['canceled'], positive: 'won' }))).toThrow(
      /positive: "won" is not a label/,
    );
    expect(() => prepareTarget(aq.table({ state: ['a', 'a'] }), cfg())).toThrow(/single class/);
  });
});

describe('prepareTarget with numeric labels', () => {
  it('keeps the positive label as the column holds it', () => {
    const p = prepareTarget(
      aq.table({ Response: [0, 1, 0, 1, 1] }),
      parseConfig({ data: 'x.csv', target: 'Response', positive: '1' }),
    );
    expect(p.classes).toEqual(['0', '1']);
    expect(p.positiveValue).toBe(1);
  });
});
