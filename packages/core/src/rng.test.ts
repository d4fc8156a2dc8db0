import { createRng, Rng } from './rng';

describe('Rng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('distinguishes seeds above 2^32', () => {
    expect(createRng(2 ** 32 + 5).random()).not.toBe(createRng(5).random());
  });

  it('random() is uniform in [0, 1)', () => {
    const r = createRng(1);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      bins[Math.floor(x * 10)]++;
    }
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('int(n) covers 0..n-1 without bias and rejects bad n', () => {
    const r = createRng(7);
    const counts = new Array(3).fill(0);
    for (let i = 0; i < 30_000; i++) counts[r.int(3)]++;
    for (const k of counts) expect(Math.abs(k - 10_000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
  });

  it('normal() has mean 0 and sd 1', () => {
    const r = createRng(3);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.02);
  });

  it('fork() gives an independent, reproducible stream', () => {
    const a = createRng(9);
    const fa = a.fork();
    const b = createRng(9);
    const fb = b.fork();
    expect(fa.random()).toBe(fb.random());
    expect(a.random()).toBe(b.random());
    expect(fa.random()).not.toBe(a.random());
  });

  it('state resumes the exact stream', () => {
    const a = createRng(11);
    a.random();
    const resumed = new Rng(a.state);
    expect(resumed.random()).toBe(a.random());
  });

  it('permutation and sampleIndices return distinct indices', () => {
    const r = createRng(5);
    const p = Array.from(r.permutation(100)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const s = r.sampleIndices(50, 20);
    expect(new Set(s).size).toBe(20);
    expect(() => r.sampleIndices(3, 4)).toThrow(RangeError);
  });
});
