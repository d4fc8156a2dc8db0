import { ConfigError, SchemaError } from '@campaign-ml/core';
import { campaignTable, rawRecord, referenceBundle } from '../test-support/explain-bundles';
import { columnDomain, inDomain } from './column-domain';
import { counterfactuals } from './counterfactuals';

const table = campaignTable(400, 5);
const bundle = referenceBundle(table);
const positive = (records: Record<string, unknown>[]) => {
  const s = bundle.scoreTable(bundle.recordsToTable(records));
  return records.map((_, i) => s[i * 2 + 1]);
};
// Failed-looking records: the lowest scored rows of the training table.
const all = Array.from({ length: 400 }, (_, i) => rawRecord(table, i));
const scores = positive(all);
const low = all
  .map((r, i) => ({ r, p: scores[i] }))
  .filter((x) => x.p < 0.3)
  .map((x) => x.r)
  .slice(0, 6);
const actionable = ['goal', 'video', 'category', 'launched_at'];

describe('counterfactuals', () => {
  it('every returned record, scored again through the bundle, reaches the target; only actionable columns change', () => {
    expect(low.length).toBeGreaterThan(3);
    for (const record of low) {
      const res = counterfactuals(bundle, record, {
        actionable,
        fixed: ['category'],
        target: { probability: 0.6 },
        k: 3,
      });
      expect(res.original.meetsTarget).toBe(false);
      expect(res.counterfactuals.length).toBeGreaterThan(0);
      const again = positive(res.counterfactuals.map((c) => c.record));
      res.counterfactuals.forEach((cf, i) => {
        expect(again[i]).toBeGreaterThanOrEqual(0.6);
        expect(cf.probability).toBeCloseTo(again[i], 12);
        expect(cf.valid).toBe(true);
        for (const col of Object.keys(record))
          if (!['goal', 'video', 'launched_at'].includes(col)) expect(cf.record[col]).toEqual(record[col]);
        expect(cf.changes.length).toBe(cf.sparsity);
        for (const ch of cf.changes) {
          expect(['goal', 'video', 'launched_at']).toContain(ch.column);
          expect(cf.record[ch.column]).toEqual(ch.to);
        }
      });
    }
  });

  it('keeps values inside the domains: observed range, integers, user ranges, monotone', () => {
    const record = low[0];
    const res = counterfactuals(bundle, record, {
      actionable: ['goal', 'backers', 'launched_at', 'video'],
      target: { probability: 0.55 },
      k: 4,
      ranges: { goal: { min: 2000 }, launched_at: { min: '2020-06-01' } },
      monotone: { backers: 'increase' },
    });
    expect(res.counterfactuals.length).toBeGreaterThan(0);
    const goal = columnDomain(bundle, 'goal', { range: { min: 2000 } });
    const backers = columnDomain(bundle, 'backers', { direction: 'increase' });
    const launched = columnDomain(bundle, 'launched_at', { range: { min: '2020-06-01' } });
    for (const cf of res.counterfactuals) {
      const typed = bundle.recordsToTable([cf.record]).objects()[0] as Record<string, unknown>;
      for (const ch of cf.changes) {
        const d = { goal, backers, launched_at: launched, video: undefined }[ch.column as 'goal'];
        if (d) expect(inDomain(d, typed[ch.column], bundle.recordsToTable([record]).get(ch.column, 0))).toBe(true);
      }
      if (typeof cf.record.goal === 'number' && cf.record.goal !== record.goal) {
        expect(Number.isInteger(cf.record.goal)).toBe(true);
        expect(cf.record.goal).toBeGreaterThanOrEqual(2000);
      }
    }
  });

  it('a relation is enforced on every counterfactual that changes one of its columns', () => {
    // backers (observed up to 395) can never reach goal (at least 1,166): a record changing either breaks
    // "backers not before goal", so only video may change. Without the relation goal changes are found.
    const record = { ...low[1], backers: 100, video: false };
    const [before, flipped] = positive([record, { ...record, video: true }]);
    expect(flipped).toBeGreaterThan(before + 0.02); // the generator's video effect
    const opts = { actionable: ['goal', 'backers', 'video'], target: { probability: (before + flipped) / 2 }, k: 4 };
    const free = counterfactuals(bundle, record, opts);
    expect(free.counterfactuals.some((c) => c.changes.some((ch) => ch.column === 'goal'))).toBe(true);
    const tied = counterfactuals(bundle, record, { ...opts, relations: [{ column: 'backers', notBefore: 'goal' }] });
    expect(tied.counterfactuals.length).toBeGreaterThan(0);
    for (const c of tied.counterfactuals) expect(c.changes.map((ch) => ch.column)).toEqual(['video']);
  });

  it('a monotone column moves only its way', () => {
    const res = counterfactuals(bundle, low[1], {
      actionable: ['launched_at', 'goal', 'video'],
      target: { probability: 0.55 },
      monotone: { launched_at: 'increase', goal: 'increase' },
    });
    for (const c of res.counterfactuals)
      for (const ch of c.changes) {
        if (ch.column === 'goal') expect(ch.to as number).toBeGreaterThan(ch.from as number);
        if (ch.column === 'launched_at')
          expect(Date.parse(ch.to as string)).toBeGreaterThan(Date.parse(ch.from as string));
      }
  });

  it('the same seed gives identical results; counterfactuals are distinct and sparse', () => {
    const opts = { actionable, target: { probability: 0.6 }, k: 4, seed: 9 } as const;
    const a = counterfactuals(bundle, low[2], opts);
    const b = counterfactuals(bundle, low[2], opts);
    expect(b).toEqual(a);
    const keys = a.counterfactuals.map((c) => JSON.stringify(c.changes));
    expect(new Set(keys).size).toBe(keys.length);
    expect(a.metrics.found).toBe(a.counterfactuals.length);
    expect(a.metrics.validity).toBe(a.counterfactuals.length / 4);
    expect(a.scoreCalls).toBeLessThan(20);
  });

  it('returns no record that only goes further the same way as another', () => {
    for (const record of low.slice(0, 4)) {
      const cfs = counterfactuals(bundle, record, { actionable, target: { probability: 0.6 }, k: 6 }).counterfactuals;
      for (const a of cfs)
        for (const b of cfs) {
          if (a === b || a.changes.length !== b.changes.length) continue;
          const further = a.changes.every((ca) => {
            const cb = b.changes.find((x) => x.column === ca.column);
            if (!cb) return false;
            if (typeof ca.to !== 'number' && !(typeof ca.to === 'string' && ca.column === 'launched_at'))
              return ca.to === cb.to;
            const n = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : (v as number));
            const [o, x, y] = [n(ca.from), n(ca.to), n(cb.to)];
            return Math.sign(x - o) === Math.sign(y - o) && Math.abs(y - o) >= Math.abs(x - o);
          });
          expect(further).toBe(false);
        }
    }
  });

  it('reaches a class target with the bundle threshold', () => {
    const res = counterfactuals(bundle, low[3], { actionable, target: { class: 'successful' }, k: 2 });
    expect(res.targetClass).toBe('successful');
    const again = positive(res.counterfactuals.map((c) => c.record));
    for (const p of again) expect(p).toBeGreaterThanOrEqual(bundle.threshold!);
  });

  it('names the bad option or field', () => {
    const r = low[0];
    const t = { probability: 0.6 };
    expect(() => counterfactuals(bundle, r, { actionable: ['goal', 'nope'], target: t })).toThrow(
      /actionable names "nope"/,
    );
    expect(() => counterfactuals(bundle, r, { actionable: ['goal'], fixed: ['goal'], target: t })).toThrow(ConfigError);
    expect(() => counterfactuals(bundle, r, { actionable: ['goal'], target: { probability: 2 } })).toThrow(
      /target.probability/,
    );
    expect(() => counterfactuals(bundle, r, { actionable: ['goal'], target: { class: 'won' } })).toThrow(
      /target.class/,
    );
    expect(() =>
      counterfactuals(bundle, r, { actionable: ['goal'], target: t, ranges: { goal: { min: 'x' } } }),
    ).toThrow(/ranges.goal.min/);
    expect(() =>
      counterfactuals(bundle, r, {
        actionable: ['goal'],
        target: t,
        relations: [{ column: 'goal', notBefore: 'when' }],
      }),
    ).toThrow(/relations\[0\].notBefore/);
    expect(() => counterfactuals(bundle, { ...r, goal: 'lots' }, { actionable: ['goal'], target: t })).toThrow(
      SchemaError,
    );
    try {
      counterfactuals(bundle, r, { actionable: ['goal'], target: t, k: 0 });
    } catch (e) {
      expect((e as ConfigError).column).toBe('k');
    }
  });
});
