/** Test support: decoding tools/fixtures/drift.py's JSON (non-finite numbers as strings, large samples as specs). */

export type Num = number | 'inf' | '-inf' | 'nan';
export type Spec = { n: number; step: number; levels: number; scale: number; shift: number };

export function decode(v: Num): number {
  return v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v;
}

/** The same values as tools/fixtures/drift.py's expand(spec). */
export function expand(s: Spec | Num[]): Float64Array {
  if (Array.isArray(s)) return Float64Array.from(s, decode);
  const out = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const k = (i * s.step) % s.n;
    const bucket = Math.floor((k * s.levels) / s.n);
    out[i] = s.shift + s.scale * (bucket / s.levels);
  }
  return out;
}
