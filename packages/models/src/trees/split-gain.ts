/**
 * XGBoost's split gain, the one formula every split search ranks candidates by (the dense scans
 * in splitting.ts, the forests' sparse scans in sparse-split.ts, categorical prefixes in both):
 *   gain = score(L) + score(R) - score(parent),  score(G, H) = T(G)^2 / (H + regLambda)
 * where T soft-thresholds a gradient sum by regAlpha (the L1 penalty on leaf values) and a
 * multi-channel node sums its scores over the channels.
 *
 * These run once per histogram bin and side, the innermost step of fitting: each is a few
 * arithmetic operations with no allocation, small enough for the JIT to inline into the scan
 * loops (the scans bind them to module constants first, see splitting.ts), and each keeps the
 * operation order of the expressions it replaced, so gains (and the splits they pick) are the same
 * bit for bit.
 */

/** T(g): g moved towards 0 by alpha, and 0 within alpha of it. */
export function softThreshold(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/**
 * T(g) as the single-channel numeric scans take it: g itself when alpha = 0, which saves the two
 * compares per side and bin in the common unpenalized case. It is softThreshold's number for
 * every g but NaN (and -0, which squares the same), so these scans see a NaN gradient sum as a
 * NaN gain, never picked. The categorical and multi-channel scans call softThreshold instead and
 * see 0: kept as it was, since the two disagree on which split wins once a sum is NaN.
 */
export function softThresholdOrSelf(g: number, alpha: number): number {
  return alpha === 0 ? g : softThreshold(g, alpha);
}

/** score(t, h) = t^2 / (h + lambda) of one node or side, t its soft-thresholded gradient sum. */
export function nodeScore(t: number, h: number, lambda: number): number {
  return (t * t) / (h + lambda);
}

/**
 * The gain of a split whose sides have soft-thresholded gradient sums tl, tr and hessian sums hl,
 * hr: score(L) + score(R) - parentScore, added in that order. A multi-channel scan starts from
 * -parentScore and adds each channel's splitGain(..., 0): x - 0 is x exactly, so the sum is the
 * one the channel loop always made.
 */
export function splitGain(tl: number, hl: number, tr: number, hr: number, lambda: number, parentScore: number): number {
  return nodeScore(tl, hl, lambda) + nodeScore(tr, hr, lambda) - parentScore;
}
