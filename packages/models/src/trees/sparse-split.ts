import type { BinLayout, SplitCandidate, SplitParams, SplitScratch } from './splitting';
import { bestCategoryPrefix } from './splitting';
import * as gainFormula from './split-gain';

// Bound once, as in splitting.ts: an imported name used in the scan loops would be an export
// getter call per bin under a CommonJS transform (tsx, jest), which the JIT does not inline.
const { nodeScore, softThreshold, softThresholdOrSelf, splitGain } = gainFormula;

/**
 * Single-channel split finding without a dense histogram, for forests that draw a few features per
 * split. A dense histogram costs a zero fill and a scan of every bin of every drawn feature
 * (~256 x 3 values each) per node, whatever the node's size; trees grown to purity are mostly
 * nodes of a handful of rows. Here each drawn feature's rows are summed into a 256-slot scratch
 * histogram while a 256-bit mask records the bins they touch; the scan visits only those bins (in
 * ascending order, lowest set bit first) and clears them behind itself.
 *
 * The result is bit for bit the split `findBestSplit` picks from the dense histogram: each bin
 * sums the same rows in the same order, and a bin no row falls in leaves the running sums (and so
 * every gain) unchanged, so with `gain > best` the dense scan can only pick the first bin of such
 * a run, which is a touched bin (or bin 0, evaluated here too).
 */
export class SparseScratch {
  /** Per drawn feature: [g, h, count] per bin (256 bins: up to 255 values plus the missing bin); zero between uses. */
  readonly acc: Float64Array;
  /** Per drawn feature: 8 words of touched bins; zero between uses. */
  readonly words: Uint32Array;
  constructor(maxFeatures: number) {
    this.acc = new Float64Array(maxFeatures * 768);
    this.words = new Uint32Array(maxFeatures * 8);
  }
}

/**
 * Best split of rows idx[start, end) (bins row-major: row r, feature f at rowBins[r * cols + f]) over features[0, nFeatures) into `out` (out.feature = -1 when
 * none beats the thresholds); single channel (grad, hess per row), node sums G, H and row count C.
 * Same result as findBestSplit on the node's dense histogram (count channel included).
 */
export function findBestSplitSparse(
  rowBins: Uint8Array,
  cols: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  layout: BinLayout,
  features: Int32Array,
  nFeatures: number,
  G: number,
  H: number,
  C: number,
  p: SplitParams,
  out: SplitCandidate,
  scratch: SplitScratch,
  sp: SparseScratch,
): void {
  out.reset();
  const lambda = p.regLambda;
  const parentScore = nodeScore(softThreshold(G, p.regAlpha), H, lambda);
  let best = Math.max(p.gamma, 1e-10 * parentScore, 1e-300);
  const initialBest = best;
  if ((G === -H || G === 0) && pure(idx, start, end, grad, hess)) return;
  const acc = sp.acc;
  const words = sp.words;
  // Rows outer, features inner: each feature sums into its own scratch, so a run of rows in the
  // same bin (low-cardinality features) does not serialize on one memory slot.
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = grad[r];
    const h = hess[r];
    const a = r * cols;
    for (let fi = 0; fi < nFeatures; fi++) {
      const b = rowBins[a + features[fi]];
      const j = fi * 768 + b * 3;
      acc[j] += g;
      acc[j + 1] += h;
      acc[j + 2] += 1;
      words[(fi << 3) | (b >>> 5)] |= 1 << (b & 31);
    }
  }
  for (let fi = 0; fi < nFeatures; fi++) {
    const f = features[fi];
    if (layout.isCategorical[f])
      best = scanCategoricalSparse(layout, f, fi, G, H, C, parentScore, best, p, out, scratch, sp);
    else best = scanNumericSparse(layout, f, fi, G, H, C, parentScore, best, p, out, sp);
  }
  if (out.feature < 0 || !(best > initialBest)) out.feature = -1;
}

/**
 * True when every row has g = -h (a forest node of class 1 only) or every row has g = 0 (class 0
 * only). No split of such a node gains anything: each side's sums keep g = -h (or 0) exactly, so a
 * gain is at most a few ulps of H (with regLambda = regAlpha = 0; negative in exact arithmetic
 * otherwise), far below the 1e-10 * parentScore a split must beat.
 */
function pure(idx: Uint32Array, start: number, end: number, grad: Float64Array, hess: Float64Array): boolean {
  let neg = true;
  let zero = true;
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = grad[r];
    neg = neg && g === -hess[r];
    zero = zero && g === 0;
    if (!neg && !zero) return false;
  }
  return true;
}

/** scanNumeric1 over the touched bins; clears the scratch. */
function scanNumericSparse(
  layout: BinLayout,
  f: number,
  fi: number,
  G: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
  sp: SparseScratch,
): number {
  const lambda = p.regLambda;
  const alpha = p.regAlpha;
  const mcw = p.minChildWeight;
  const msl = p.minSamplesLeaf;
  const acc = sp.acc;
  const words = sp.words;
  const nb = layout.nBins[f];
  const A = fi * 768;
  const W = fi << 3;
  let gm = 0;
  let hm = 0;
  let cm = 0;
  const mw = W | (nb >>> 5);
  const mbit = 1 << (nb & 31);
  if ((words[mw] & mbit) !== 0) {
    const mi = A + nb * 3;
    gm = acc[mi];
    hm = acc[mi + 1];
    cm = acc[mi + 2];
    acc[mi] = 0;
    acc[mi + 1] = 0;
    acc[mi + 2] = 0;
    words[mw] &= ~mbit;
  }
  const last = cm > 0 ? nb : nb - 1;
  let gl = 0;
  let hl = 0;
  let cl = 0;
  let bestBin = -1;
  let bestDl = 0;
  let bestL0 = 0;
  let bestL1 = 0;
  let bestL2 = 0;
  // The dense scan's first point (bin 0) with empty running sums, when no row is in bin 0.
  let virtualZero = (words[W] & 1) === 0;
  let w = 0;
  let word = words[W] | 0;
  words[W] = 0;
  for (;;) {
    let b: number;
    if (virtualZero) {
      virtualZero = false;
      b = 0;
    } else {
      while (word === 0 && w < 7) {
        word = words[W + ++w] | 0;
        words[W + w] = 0;
      }
      if (word === 0) break;
      const t = word & -word;
      word ^= t;
      b = (w << 5) | (31 - Math.clz32(t));
      const j = A + b * 3;
      gl += acc[j];
      hl += acc[j + 1];
      cl += acc[j + 2];
      acc[j] = 0;
      acc[j + 1] = 0;
      acc[j + 2] = 0;
    }
    if (b >= last) continue;
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
    out.defaultLeft = cm > 0 ? bestDl : bestL2 >= C - bestL2 ? 1 : 0;
    out.leftG[0] = bestL0;
    out.leftH = bestL1;
    out.leftC = bestL2;
  }
  return best;
}

/** scanCategorical over the touched bins; clears the scratch. */
function scanCategoricalSparse(
  layout: BinLayout,
  f: number,
  fi: number,
  G: number,
  H: number,
  C: number,
  parentScore: number,
  best: number,
  p: SplitParams,
  out: SplitCandidate,
  s: SplitScratch,
  sp: SparseScratch,
): number {
  const acc = sp.acc;
  const words = sp.words;
  const nb = layout.nBins[f];
  const A = fi * 768;
  const W = fi << 3;
  const mi = A + nb * 3;
  // Untouched slots are zero, so the missing bin reads as empty when no row is missing.
  const gm = acc[mi];
  const hm = acc[mi + 1];
  const cm = acc[mi + 2];
  acc[mi] = 0;
  acc[mi + 1] = 0;
  acc[mi + 2] = 0;
  words[W | (nb >>> 5)] &= ~(1 << (nb & 31));
  const order = s.order;
  const key = s.key;
  // Present categories in ascending code order, insertion-sorted by gradient ratio.
  let m = 0;
  for (let w = 0; w < 8; w++) {
    let word = words[W + w] | 0;
    words[W + w] = 0;
    while (word !== 0) {
      const t = word & -word;
      word ^= t;
      const b = (w << 5) | (31 - Math.clz32(t));
      const j = A + b * 3;
      const kv = acc[j] / (acc[j + 1] + p.catSmooth);
      let i = m++;
      while (i > 0 && key[i - 1] > kv) {
        key[i] = key[i - 1];
        order[i] = order[i - 1];
        i--;
      }
      key[i] = kv;
      order[i] = b;
    }
  }
  best = bestCategoryPrefix(acc, A, m, gm, hm, cm, f, G, H, C, parentScore, best, p, out, s);
  for (let i = 0; i < m; i++) {
    const j = A + order[i] * 3;
    acc[j] = 0;
    acc[j + 1] = 0;
    acc[j + 2] = 0;
  }
  return best;
}
