import fixture from './__fixtures__/stats.json';
import { distinctCount, evidentlyBinnedShares, type Values } from './evidently-bins';
import { evidentlyDefaultTest, evidentlyTest } from './evidently-test';
import { decode, type Num } from './stats/fixture-values';

/**
 * The evidently mode against Evidently's rules re-stated on scipy in tools/fixtures/drift.py:
 * binning (Sturges over both samples, the > 20 distinct switch, the zero fill) and, per column,
 * the default test, its drift score and decision.
 */

interface Binned {
  name: string;
  numerical: boolean;
  fill: boolean;
  reference: (Num | string)[];
  current: (Num | string)[];
  referenceShares: Num[];
  currentShares: Num[];
  psi: Num | null;
}
interface Column {
  name: string;
  kind: 'numerical' | 'categorical';
  reference: (Num | string | null)[];
  current: (Num | string | null)[];
  test: string;
  score: Num;
  drifted: boolean;
}

/** Non-missing values, as Evidently sees a column after dropna. */
function values(raw: (Num | string | null)[], numerical: boolean): Values {
  if (!numerical) return raw.filter((v): v is string => typeof v === 'string');
  const all = Float64Array.from(raw as Num[], decode);
  return all.filter(Number.isFinite);
}

const close = (a: number, e: number, rtol: number) => Math.abs(a - e) <= rtol * Math.max(Math.abs(e), 1e-300);

describe("Evidently's binning, reproduced", () => {
  it.each(
    (fixture.evidently.binned as unknown as Binned[]).map(
      (c) => [`${c.name}${c.fill ? ', zero-filled' : ''}`, c] as const,
    ),
  )('%s', (_n, c) => {
    const b = evidentlyBinnedShares(
      values(c.reference as Num[], c.numerical),
      values(c.current as Num[], c.numerical),
      c.numerical,
      c.fill,
    );
    expect(b.reference.length).toBe(c.referenceShares.length);
    b.reference.forEach((s, i) => expect(close(s, decode(c.referenceShares[i]), 1e-15)).toBe(true));
    b.current.forEach((s, i) => expect(close(s, decode(c.currentShares[i]), 1e-15)).toBe(true));
  });
});

describe("Evidently's default test per column: choice, score and decision", () => {
  it.each((fixture.evidently.columns as unknown as Column[]).map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const numerical = c.kind === 'numerical';
    const ref = values(c.reference, numerical);
    const cur = values(c.current, numerical);
    const test = evidentlyDefaultTest(c.kind, ref.length, distinctCount(ref, cur));
    expect(test).toBe(c.test);
    const r = evidentlyTest(test, c.kind, ref, cur);
    const score = decode(c.score);
    if (!close(r.score, score, 1e-10)) throw new Error(`${c.name}: score ${r.score}, Evidently on scipy ${score}`);
    expect(r.drifted).toBe(c.drifted);
  });

  it('picks by the rules at the n = 1,000 and u = 2 / 3 / 5 / 6 boundaries', () => {
    const table = [
      ['numerical', 1000, 2, 'z'],
      ['numerical', 1000, 3, 'chisquare'],
      ['numerical', 1000, 5, 'chisquare'],
      ['numerical', 1000, 6, 'ks'],
      ['numerical', 1001, 2, 'jensenshannon'],
      ['numerical', 1001, 5, 'jensenshannon'],
      ['numerical', 1001, 6, 'wasserstein'],
      ['categorical', 1000, 2, 'z'],
      ['categorical', 1000, 3, 'chisquare'],
      ['categorical', 1000, 40, 'chisquare'],
      ['categorical', 1001, 2, 'jensenshannon'],
    ] as const;
    for (const [kind, n, u, want] of table)
      expect([kind, n, u, evidentlyDefaultTest(kind, n, u)]).toEqual([kind, n, u, want]);
  });
});
