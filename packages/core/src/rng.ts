/**
 * A fast seeded random number generator (xoshiro128**, seeded through splitmix32). Every random
 * choice in campaign-ml comes from here so that a seed reproduces a run exactly;
 * `fork()` derives an independent stream (for a tree, a fold, a trial) without disturbing this one.
 */

export interface RngState {
  readonly s: readonly [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = NaN;

  constructor(seed: number | RngState = 0) {
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
      // Mix both halves of a non-32-bit seed so that seeds above 2^32 still differ.
      const hi = Math.floor(seed / 4294967296);
      const next = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d));
      this.s0 = next();
      this.s1 = next();
      this.s2 = next();
      this.s3 = next();
      if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    } else {
      [this.s0, this.s1, this.s2, this.s3] = seed.s;
    }
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 bits of randomness. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.random();
  }

  /** Uniform integer in [0, n), unbiased. */
  int(n: number): number {
    if (!(n > 0) || n > 4294967296 || !Number.isInteger(n)) {
      throw new RangeError(`Rng.int needs an integer 1..2^32, got ${n}`);
    }
    // Rejection sampling removes the modulo bias.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = NaN;
      return mean + sd * v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.random() - 1;
      v = 2 * this.random() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return mean + sd * u * m;
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.random() < p;
  }

  /** Shuffle in place (Fisher-Yates) and return the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** k distinct indices from 0..n-1 (partial Fisher-Yates), in random order. */
  sampleIndices(n: number, k: number): Uint32Array {
    if (k > n) throw new RangeError(`Cannot sample ${k} distinct indices from ${n}`);
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p.slice(0, k);
  }

  /** Pick one element uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.choice on an empty array');
    return items[this.int(items.length)];
  }

  /** An independent generator derived from this one's next outputs. */
  fork(): Rng {
    return new Rng({ s: [this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32() | 1] });
  }

  /** The current state, to resume the exact stream later. */
  get state(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3] };
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Create a seeded generator. */
export function createRng(seed: number | RngState = 0): Rng {
  return new Rng(seed);
}
