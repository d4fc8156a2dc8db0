import fixture from '../__fixtures__/stats.json';
import { gammaln } from 'simple-statistics';
import { chi2Contingency } from './chi2-contingency';
import { chiSquare } from './chi-square';
import { hellingerDistance } from './hellinger-distance';
import { jensenShannon } from './jensen-shannon';
import { kolmogorovSf } from './kolmogorov-distribution';
import { ks2Samp } from './ks-2samp';
import { psi } from './psi';
import { chi2Sf, normalSf } from './regularized-gamma';
import { smirnovSf } from './smirnov-distribution';
import { wassersteinDistance, wassersteinDistanceNormed } from './wasserstein-distance';
import { zTestProportions } from './z-test-proportions';
import { decode, expand, type Num, type Spec } from './fixture-values';

/**
 * Every statistic against scipy (tools/fixtures/drift.py). Tolerances are relative (absolute
 * below 1e-300), and stated per function: 1e-12 for closed forms, 1e-10 for the special functions
 * and p-values that run through them.
 */

function expectClose(actual: number, expected: Num, rtol: number, what: string): void {
  const e = decode(expected);
  if (Number.isNaN(e)) {
    if (!Number.isNaN(actual)) throw new Error(`${what}: got ${actual}, scipy NaN`);
    return;
  }
  if (!Number.isFinite(e)) {
    if (actual !== e) throw new Error(`${what}: got ${actual}, scipy ${e}`);
    return;
  }
  const err = Math.abs(actual - e);
  if (!(err <= rtol * Math.abs(e) || err <= 1e-300))
    throw new Error(`${what}: got ${actual}, scipy ${e} (relative error ${(err / Math.abs(e)).toExponential(2)})`);
}

const sp = fixture.special as unknown as Record<string, Num[][]>;

describe('special functions agree with scipy', () => {
  it('was made by scipy', () => expect(fixture.scipy).toMatch(/^1\./));

  it("simple-statistics' gammaln: within 1e-15 (absolute below 1) of math.lgamma", () => {
    for (const [x, want] of sp.gammaln) {
      const e = decode(want);
      expect(Math.abs(gammaln(x as number) - e)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(e)));
    }
  });

  it('chi-square survival function (regularized upper gamma) to 1e-12', () => {
    for (const [x, dof, want] of sp.chi2Sf)
      expectClose(chi2Sf(x as number, dof as number), want, 1e-12, `chi2.sf(${x}, ${dof})`);
  });

  it('normal survival function to 1e-13, far into both tails', () => {
    for (const [z, want] of sp.normalSf) expectClose(normalSf(z as number), want, 1e-13, `norm.sf(${z})`);
  });

  it('Smirnov one-sided distribution to 1e-10', () => {
    for (const [n, d, want] of sp.smirnovSf)
      expectClose(smirnovSf(n as number, d as number), want, 1e-10, `smirnov(${n}, ${d})`);
  });

  it('Kolmogorov two-sided finite-n distribution (kstwo.sf) to 1e-10 in every branch', () => {
    for (const [n, d, want] of sp.kolmogorovSf)
      expectClose(kolmogorovSf(n as number, d as number), want, 1e-10, `kstwo.sf(${d}, ${n})`);
  });
});

interface KsCase {
  name: string;
  a: Spec | Num[];
  b: Spec | Num[];
  method: 'auto' | 'exact' | 'asymp';
  mode: string;
  statistic: Num;
  pValue: Num;
}

describe('ks2Samp agrees with scipy.stats.ks_2samp', () => {
  it.each((fixture.ks2Samp as unknown as KsCase[]).map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = ks2Samp(expand(c.a), expand(c.b), { method: c.method });
    expect(r.method).toBe(c.mode);
    expectClose(r.statistic, c.statistic, 1e-15, `${c.name}: statistic`);
    expectClose(r.pValue, c.pValue, 1e-10, `${c.name}: p-value`);
  });
});

describe('chi-square tests agree with scipy', () => {
  it.each(
    (
      fixture.chiSquare as unknown as {
        name: string;
        observed: Num[];
        expected: Num[] | null;
        statistic: Num;
        pValue: Num;
      }[]
    ).map((c) => [c.name, c] as const),
  )('chisquare: %s', (_n, c) => {
    const r = chiSquare(c.observed.map(decode), c.expected ? c.expected.map(decode) : undefined);
    expectClose(r.statistic, c.statistic, 1e-12, `${c.name}: statistic`);
    expectClose(r.pValue, c.pValue, 1e-12, `${c.name}: p-value`);
  });

  it.each(
    (
      fixture.chi2Contingency as unknown as {
        name: string;
        table: number[][];
        correction: boolean;
        statistic: Num;
        pValue: Num;
        dof: number;
        expected: number[][];
      }[]
    ).map((c) => [c.name, c] as const),
  )('chi2_contingency: %s', (_n, c) => {
    const r = chi2Contingency(c.table, { correction: c.correction });
    expect(r.dof).toBe(c.dof);
    expectClose(r.statistic, c.statistic, 1e-12, `${c.name}: statistic`);
    expectClose(r.pValue, c.pValue, 1e-12, `${c.name}: p-value`);
    r.expected.flat().forEach((e, i) => expectClose(e, c.expected.flat()[i], 1e-14, `${c.name}: expected[${i}]`));
  });

  it('chi2Contingency refuses an empty row or column, as scipy does, and says what to do', () => {
    expect(() =>
      chi2Contingency([
        [1, 0],
        [2, 0],
      ]),
    ).toThrow(/expected count at \[0\]\[1\] is 0.*drop empty rows and columns/);
  });
});

describe('distances and the Z test agree with scipy / numpy', () => {
  it.each(
    (
      fixture.zTest as unknown as { name: string; counts: number[]; statistic: Num; pValue: Num; effectSize: Num }[]
    ).map((c) => [c.name, c] as const),
  )('zTestProportions: %s', (_n, c) => {
    const [c1, n1, c2, n2] = c.counts;
    const r = zTestProportions(c1, n1, c2, n2);
    expectClose(r.statistic, c.statistic, 1e-13, `${c.name}: z`);
    expectClose(r.pValue, c.pValue, 1e-12, `${c.name}: p`);
    expectClose(r.effectSize, c.effectSize, 1e-13, `${c.name}: h`);
  });

  it.each(
    (fixture.jensenShannon as unknown as { name: string; p: number[]; q: number[]; e: Num; base2: Num }[]).map(
      (c) => [c.name, c] as const,
    ),
  )('jensenShannon: %s (base e and 2)', (_n, c) => {
    expectClose(jensenShannon(c.p, c.q), c.e, 1e-14, `${c.name}: base e`);
    expectClose(jensenShannon(c.p, c.q, 2), c.base2, 1e-14, `${c.name}: base 2`);
  });

  it.each(
    (fixture.hellinger as unknown as { name: string; p: number[]; q: number[]; value: Num }[]).map(
      (c) => [c.name, c] as const,
    ),
  )('hellingerDistance: %s', (_n, c) => {
    expectClose(hellingerDistance(c.p, c.q), c.value, 1e-14, c.name);
  });

  it.each(
    (
      fixture.wasserstein as unknown as { name: string; u: Spec | Num[]; v: Spec | Num[]; value: Num; normed: Num }[]
    ).map((c) => [c.name, c] as const),
  )('wassersteinDistance: %s (and normed by the reference std)', (_n, c) => {
    expectClose(wassersteinDistance(expand(c.u), expand(c.v)), c.value, 1e-13, `${c.name}: W1`);
    expectClose(wassersteinDistanceNormed(expand(c.u), expand(c.v)), c.normed, 1e-13, `${c.name}: normed`);
  });

  it.each(
    (fixture.psi as unknown as { name: string; reference: number[]; current: number[]; value: Num }[]).map(
      (c) => [c.name, c] as const,
    ),
  )('psi with the Evidently zero-share rule: %s', (_n, c) => {
    expectClose(psi(c.reference, c.current), c.value, 1e-13, c.name);
  });
});
