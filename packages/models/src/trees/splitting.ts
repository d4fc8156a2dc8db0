/**
 * Best split of a node from its histogram, XGBoost-style gain (split-gain.ts):
 *   gain = score(L) + score(R) - score(parent),  score(G, H) = T(G)^2 / (H + regLambda)
 * where T soft-thresholds G by regAlpha and the scores sum over gradient channels. A split must
 * leave each child minChildWeight hessian and minSamplesLeaf rows, and gain more than gamma.
 * Missing values (the last bin) are tried on both sides; the better side becomes the default.
 * Categorical features are split LightGBM-style: categories sorted by G / (H + catSmooth), then the
 * best prefix of that order goes left.
 */

import * as gainFormula from './split-gain';
import * as scanKernels from './split-scan-wasm';
import type { SplitScan } from './split-scan-wasm';

// Bound once, here: under a CommonJS transform (tsx, jest) every use of an imported name calls an
// export getter, which the JIT does not inline into the scan loops (the split search ran 6-8x
// slower, a boosting fit on 12000 x 30 about 3x); a module's own constant it inlines like a local
// function.
const { nodeScore, softThreshold, softThresholdOrSelf, splitGain } = gainFormula;
const { OUT_NODE, scanStats } = scanKernels;

/** Words of a category bitset (256 bins). */
export const CAT_WORDS = 8;

export interface SplitParams {
  regLambda: number;
  regAlpha: number;
  gamma: number;
  minChildWeight: number;
  minSamplesLeaf: number;
  catSmooth: number;
}

export interface BinLayout {
  readonly offsets: Int32Array;
  readonly nBins: Int32Array;
  readonly isCategorical: Uint8Array;
}

/** The best split found so far (reused across nodes; nothing is allocated per node). */
export class SplitCandidate {
  gain = 0;
  feature = -1;
  /** Numeric: bins <= bin go left. */
  bin = 0;
  defaultLeft = 0;
  categorical = 0;
  readonly catBits = new Uint32Array(CAT_WORDS);
  readonly leftG: Float64Array;
  leftH = 0;
  leftC = 0;

  constructor(K: number) {
    this.leftG = new Float64Array(K);
  }

  reset(): void {
    this.gain = 0;
    this.feature = -1;
  }
}

/** Scratch buffers for categorical sorting, sized once. */
export class SplitScratch {
  readonly order = new Int32Array(256);
  readonly key = new Float64Array(256);
  readonly gl: Float64Array;
  readonly gr: Float64Array;
  constructor(K: number) {
    this.gl = new Float64Array(K);
    this.gr = new Float64Array(K);
  }
}

/**
 * Finds the best split over the listed features into `out` (out.feature = -1 when none beats
 * the thresholds). `G` holds the node's K gradient sums at G[gOff .. gOff + K). With `scan`, a
 * single-channel histogram and feature list in its WebAssembly memory have each run of numeric
 * features scanned there, two at a time (split-scan-wasm.ts): the same split, gain and sums as the
 * scans below.
 */
export function findBestSplit(
  hist: Float64Array,
  layout: BinLayout,
  features: Int32Array,
  nFeatures: number,
  K: number,
  G: Float64Array,
  gOff: number,
  H: number,
  C: number,
  p: SplitParams,
  out: SplitCandidate,
  scratch: SplitScratch,
  countFree = false,
  scan: SplitScan | null = null,
): void {
  out.reset();
  const lambda = p.regLambda;
  const alpha = p.regAlpha;
  let parentScore = 0;
  for (let k = 0; k < K; k++) {
    parentScore += nodeScore(softThreshold(G[gOff + k], alpha), H, lambda);
  }
  // Splits must beat gamma and rounding noise (a pure node gains ~1e-16 * its score).
  let best = Math.max(p.gamma, 1e-10 * parentScore, 1e-300);
  const initialBest = best;
  const wasm = K === 1 && scan !== null && scan.covers(hist, features);
  for (let fi = 0; fi < nFeatures; fi++) {
    const f = features[fi];
    if (layout.isCategorical[f] && K === 1) {
      best = scanCategorical(hist, layout, f, G[gOff], H, C, parentScore, best, p, out, scratch);
    } else if (wasm) {
      // The run of numeric features from here.
      let e = fi + 1;
      while (e < nFeatures && !layout.isCategorical[features[e]]) e++;
      best = scanNumericRun(hist, layout, features, fi, e, G[gOff], H, C, parentScore, best, p, out, scan!, countFree);
      fi = e - 1;
    } else if (K === 1 && countFree) {
      best = scanNumeric1NoCount(hist, layout, f, G[gOff], H, parentScore, best, p, out);
    } else if (K === 1) {
      best = scanNumeric1(hist, layout, f, G[gOff], H, C, parentScore, best, p, out);
    } else {
      best = scanNumericK(hist, layout, f, K, G, gOff, H, C, parentScore, best, p, out, scratch);
    }
  }
  if (out.feature < 0 || !(best > initialBest)) out.feature = -1;
}

function scanNumeric1(
  hist: Float64Array,
  layout: BinLayout,
  f: number,
  G: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
): number {
  const lambda = p.regLambda;
  const alpha = p.regAlpha;
  const mcw = p.minChildWeight;
  const msl = p.minSamplesLeaf;
  const nb = layout.nBins[f];
  const base = layout.offsets[f] * 3;
  const mi = base + nb * 3;
  const gm = hist[mi];
  const hm = hist[mi + 1];
  const cm = hist[mi + 2];
  let gl = 0;
  let hl = 0;
  let cl = 0;
  let bestBin = -1;
  let bestDl = 0;
  let bestL0 = 0;
  let bestL1 = 0;
  let bestL2 = 0;
  const last = cm > 0 ? nb : nb - 1;
  for (let b = 0; b < last; b++) {
    const j = base + b * 3;
    gl += hist[j];
    hl += hist[j + 1];
    cl += hist[j + 2];
    // Missing values go right.
    let hr = H - hl;
    let cr = C - cl;
    if (hl >= mcw && hr >= mcw && cl >= msl && cr >= msl) {
      const tl = softThresholdOrSelf(gl, alpha);
      const tr = softThresholdOrSelf(G - gl, alpha);
      const gain = splitGain(tl, hl, tr, hr, lambda, parentScore);
      if (gain > best) {
        best = gain;
        bestBin = b;
        bestDl = 0;
        bestL0 = gl;
        bestL1 = hl;
        bestL2 = cl;
      }
    }
    // Missing values go left.
    if (cm > 0 && b < nb - 1) {
      const gl2 = gl + gm;
      const hl2 = hl + hm;
      const cl2 = cl + cm;
      hr = H - hl2;
      cr = C - cl2;
      if (hl2 >= mcw && hr >= mcw && cl2 >= msl && cr >= msl) {
        const tl = softThresholdOrSelf(gl2, alpha);
        const tr = softThresholdOrSelf(G - gl2, alpha);
        const gain = splitGain(tl, hl2, tr, hr, lambda, parentScore);
        if (gain > best) {
          best = gain;
          bestBin = b;
          bestDl = 1;
          bestL0 = gl2;
          bestL1 = hl2;
          bestL2 = cl2;
        }
      }
    }
  }
  if (bestBin >= 0) {
    out.gain = best;
    out.feature = f;
    out.bin = bestBin;
    out.categorical = 0;
    // Without missing values in training, unseen NaN follow the larger child (as scikit-learn does).
    out.defaultLeft = cm > 0 ? bestDl : bestL2 >= C - bestL2 ? 1 : 0;
    out.leftG[0] = bestL0;
    out.leftH = bestL1;
    out.leftC = bestL2;
  }
  return best;
}

/**
 * scanNumeric1 for count-free histograms (stride 2) of data without missing values, when
 * minSamplesLeaf <= 1 and minChildWeight > 0: every row has hessian >= 0, so a side holding at
 * least minChildWeight of hessian holds a row. The default direction for NaN (the larger child) is
 * left to the grower, which knows the children's row counts after partitioning
 * (out.defaultLeft = DEFAULT_BY_COUNT).
 */
function scanNumeric1NoCount(
  hist: Float64Array,
  layout: BinLayout,
  f: number,
  G: number,
  H: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
): number {
  const lambda = p.regLambda;
  const alpha = p.regAlpha;
  const mcw = p.minChildWeight;
  const nb = layout.nBins[f];
  const base = layout.offsets[f] * 2;
  let gl = 0;
  let hl = 0;
  let bestBin = -1;
  let bestG = 0;
  let bestH = 0;
  const last = nb - 1;
  for (let b = 0; b < last; b++) {
    const j = base + b * 2;
    gl += hist[j];
    hl += hist[j + 1];
    const hr = H - hl;
    if (hl >= mcw && hr >= mcw) {
      const tl = softThresholdOrSelf(gl, alpha);
      const tr = softThresholdOrSelf(G - gl, alpha);
      const gain = splitGain(tl, hl, tr, hr, lambda, parentScore);
      if (gain > best) {
        best = gain;
        bestBin = b;
        bestG = gl;
        bestH = hl;
      }
    }
  }
  if (bestBin >= 0) {
    out.gain = best;
    out.feature = f;
    out.bin = bestBin;
    out.categorical = 0;
    out.defaultLeft = DEFAULT_BY_COUNT;
    out.leftG[0] = bestG;
    out.leftH = bestH;
    out.leftC = -1;
  }
  return best;
}

/** SplitCandidate.defaultLeft when the grower must pick the larger child after partitioning. */
export const DEFAULT_BY_COUNT = 2;

/**
 * scanNumeric1NoCount (countFree) or scanNumeric1 of the numeric features[fi, e) in WebAssembly,
 * two at a time from the same best, each pair's winners taken in feature order only when strictly
 * better: the split the scans one after the other find (split-scan-wasm.ts).
 */
function scanNumericRun(
  hist: Float64Array,
  layout: BinLayout,
  features: Int32Array,
  fi: number,
  e: number,
  G: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
  scan: SplitScan,
  countFree: boolean,
): number {
  const k = scan.kernels;
  const o = scan.out;
  const fa = features.byteOffset + fi * 4;
  const plain = p.regAlpha === 0;
  scanStats.runs++;
  const w = countFree
    ? (plain ? k.run2 : k.run2a)(
        hist.byteOffset,
        scan.offsets.byteOffset,
        scan.nBins.byteOffset,
        fa,
        e - fi,
        G,
        H,
        parentScore,
        best,
        p.regLambda,
        p.regAlpha,
        p.minChildWeight,
        o.byteOffset,
      )
    : (plain ? k.run3 : k.run3a)(
        hist.byteOffset,
        scan.offsets.byteOffset,
        scan.nBins.byteOffset,
        fa,
        e - fi,
        G,
        H,
        C,
        parentScore,
        best,
        p.regLambda,
        p.regAlpha,
        p.minChildWeight,
        p.minSamplesLeaf,
        o.byteOffset,
      );
  if (w < 0) return best;
  const f = features[fi + w];
  best = o[OUT_NODE];
  out.gain = best;
  out.feature = f;
  out.bin = o[OUT_NODE + 1];
  out.categorical = 0;
  out.leftG[0] = o[OUT_NODE + 2];
  out.leftH = o[OUT_NODE + 3];
  if (countFree) {
    out.defaultLeft = DEFAULT_BY_COUNT;
    out.leftC = -1;
  } else {
    const lc = o[OUT_NODE + 4];
    const cm = hist[(layout.offsets[f] + layout.nBins[f]) * 3 + 2];
    out.defaultLeft = cm > 0 ? o[OUT_NODE + 5] : lc >= C - lc ? 1 : 0;
    out.leftC = lc;
  }
  return best;
}

function scanNumericK(
  hist: Float64Array,
  layout: BinLayout,
  f: number,
  K: number,
  G: Float64Array,
  gOff: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
  s: SplitScratch,
): number {
  const lambda = p.regLambda;
  const alpha = p.regAlpha;
  const S = K + 2;
  const nb = layout.nBins[f];
  const base = layout.offsets[f] * S;
  const mi = base + nb * S;
  const hm = hist[mi + K];
  const cm = hist[mi + K + 1];
  const gl = s.gl;
  gl.fill(0);
  let hl = 0;
  let cl = 0;
  let bestBin = -1;
  let bestDl = 0;
  const last = cm > 0 ? nb : nb - 1;
  for (let b = 0; b < last; b++) {
    const j = base + b * S;
    for (let k = 0; k < K; k++) gl[k] += hist[j + k];
    hl += hist[j + K];
    cl += hist[j + K + 1];
    for (let side = 0; side < 2; side++) {
      if (side === 1 && !(cm > 0 && b < nb - 1)) break;
      const hL = side === 1 ? hl + hm : hl;
      const cL = side === 1 ? cl + cm : cl;
      const hR = H - hL;
      const cR = C - cL;
      if (hL < p.minChildWeight || hR < p.minChildWeight || cL < p.minSamplesLeaf || cR < p.minSamplesLeaf) continue;
      let gain = -parentScore;
      for (let k = 0; k < K; k++) {
        const gk = side === 1 ? gl[k] + hist[mi + k] : gl[k];
        const tl = softThreshold(gk, alpha);
        const tr = softThreshold(G[gOff + k] - gk, alpha);
        gain += splitGain(tl, hL, tr, hR, lambda, 0);
      }
      if (gain > best) {
        best = gain;
        bestBin = b;
        bestDl = side;
        out.leftH = hL;
        out.leftC = cL;
        for (let k = 0; k < K; k++) out.leftG[k] = side === 1 ? gl[k] + hist[mi + k] : gl[k];
      }
    }
  }
  if (bestBin >= 0) {
    out.gain = best;
    out.feature = f;
    out.bin = bestBin;
    out.defaultLeft = cm > 0 ? bestDl : out.leftC >= C - out.leftC ? 1 : 0;
    // Multi-channel trees split categorical codes by order (bins <= bin go left) through a bitset.
    out.categorical = layout.isCategorical[f];
    if (out.categorical) {
      out.catBits.fill(0);
      for (let b = 0; b <= bestBin; b++) out.catBits[b >>> 5] |= 1 << (b & 31);
    }
  }
  return best;
}

function scanCategorical(
  hist: Float64Array,
  layout: BinLayout,
  f: number,
  G: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
  s: SplitScratch,
): number {
  const nb = layout.nBins[f];
  const base = layout.offsets[f] * 3;
  const mi = base + nb * 3;
  const gm = hist[mi];
  const hm = hist[mi + 1];
  const cm = hist[mi + 2];
  const order = s.order;
  const key = s.key;
  // Present categories, insertion-sorted by gradient ratio.
  let m = 0;
  for (let b = 0; b < nb; b++) {
    const j = base + b * 3;
    if (hist[j + 2] <= 0) continue;
    const kv = hist[j] / (hist[j + 1] + p.catSmooth);
    let i = m++;
    while (i > 0 && key[i - 1] > kv) {
      key[i] = key[i - 1];
      order[i] = order[i - 1];
      i--;
    }
    key[i] = kv;
    order[i] = b;
  }
  return bestCategoryPrefix(hist, base, m, gm, hm, cm, f, G, H, C, parentScore, best, p, out, s);
}

/**
 * The best prefix of categories sorted by gradient ratio (`s.order[0..m)`), each with [g, h, count]
 * at `v[base + category * 3]`; missing values (gm, hm, cm) tried on both sides. Shared by the dense
 * scan and the forests' sparse scan.
 */
export function bestCategoryPrefix(
  v: Float64Array,
  base: number,
  m: number,
  gm: number,
  hm: number,
  cm: number,
  f: number,
  G: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
  s: SplitScratch,
): number {
  const lambda = p.regLambda;
  const alpha = p.regAlpha;
  const order = s.order;
  let gl = 0;
  let hl = 0;
  let cl = 0;
  let bestJ = -1;
  let bestDl = 0;
  let bestL0 = 0;
  let bestL1 = 0;
  let bestL2 = 0;
  const last = cm > 0 ? m : m - 1;
  for (let i = 0; i < last; i++) {
    const j = base + order[i] * 3;
    gl += v[j];
    hl += v[j + 1];
    cl += v[j + 2];
    for (let side = 0; side < 2; side++) {
      if (side === 1 && !(cm > 0 && i < m - 1)) break;
      const gL = side === 1 ? gl + gm : gl;
      const hL = side === 1 ? hl + hm : hl;
      const cL = side === 1 ? cl + cm : cl;
      const hR = H - hL;
      const cR = C - cL;
      if (hL < p.minChildWeight || hR < p.minChildWeight || cL < p.minSamplesLeaf || cR < p.minSamplesLeaf) continue;
      const tl = softThreshold(gL, alpha);
      const tr = softThreshold(G - gL, alpha);
      const gain = splitGain(tl, hL, tr, hR, lambda, parentScore);
      if (gain > best) {
        best = gain;
        bestJ = i;
        bestDl = side;
        bestL0 = gL;
        bestL1 = hL;
        bestL2 = cL;
      }
    }
  }
  if (bestJ >= 0) {
    out.gain = best;
    out.feature = f;
    out.bin = -1;
    out.categorical = 1;
    out.defaultLeft = cm > 0 ? bestDl : bestL2 >= C - bestL2 ? 1 : 0;
    out.catBits.fill(0);
    for (let i = 0; i <= bestJ; i++) out.catBits[order[i] >>> 5] |= 1 << (order[i] & 31);
    out.leftG[0] = bestL0;
    out.leftH = bestL1;
    out.leftC = bestL2;
  }
  return best;
}
