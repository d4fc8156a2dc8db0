import { createRng } from '@campaign-ml/core';
import {
  backwardSequences,
  forwardSequences,
  gatherSequences,
  RecurrentBuffers,
  RecurrentNetwork,
  type RecurrentCell,
} from './recurrent-network';
import { createSequences } from './sequences';

/**
 * Backpropagation through time against central finite differences, in float64, on a tiny network
 * with two stacked layers, two outputs and ragged sequences whose padding holds NaN (read it once
 * and every number turns NaN).
 */
function check(cell: RecurrentCell, dropout: number): { maxRel: number; maxAbs: number; normRel: number; n: number } {
  const F = 3;
  const T = 5;
  const B = 3;
  const K = 2;
  const rng = createRng(11);
  const data = new Float64Array(B * T * F).map(() => rng.normal());
  const lengths = [5, 3, 1];
  for (let r = 0; r < B; r++)
    for (let t = lengths[r]; t < T; t++) for (let f = 0; f < F; f++) data[(r * T + t) * F + f] = NaN;
  const X = createSequences(B, T, F, data, { lengths });
  const net = new RecurrentNetwork(cell, [F, 4, 3], K);
  net.initialize(createRng(5));
  // Non-trivial biases too (initialization leaves most at 0).
  for (let i = 0; i < net.weights.length; i++) net.weights[i] += 0.3 * rng.normal();
  const buf = new RecurrentBuffers(net, B, T, dropout > 0);
  gatherSequences(X, [0, 1, 2], 0, B, buf);
  for (let i = 0; i < B * K; i++) buf.target[i] = rng.normal();
  const grad = new Float64Array(net.weights.length);
  // The same dropout masks on every pass: a fresh generator with the same seed.
  const pass = (g: Float64Array): number => {
    forwardSequences(net, buf, B, dropout > 0 ? { p: dropout, rng: createRng(99) } : undefined);
    return backwardSequences(net, buf, B, g, dropout > 0);
  };
  pass(grad);
  const analytic = grad.slice();
  const scratch = new Float64Array(grad.length);
  const h = 1e-5;
  let maxRel = 0;
  let maxAbs = 0;
  let diff2 = 0;
  let sum2 = 0;
  const W = net.weights;
  for (let i = 0; i < W.length; i++) {
    const w = W[i];
    W[i] = w + h;
    const up = pass(scratch);
    W[i] = w - h;
    const down = pass(scratch);
    W[i] = w;
    const numeric = (up - down) / (2 * h);
    const a = analytic[i];
    const scale = Math.max(Math.abs(a), Math.abs(numeric));
    // Relative error where the gradient is not tiny; below 1e-4 the rounding of the two loss
    // evaluations (~1e-16 / h) dominates, so those weights count through the absolute error.
    if (scale > 1e-4) maxRel = Math.max(maxRel, Math.abs(a - numeric) / scale);
    maxAbs = Math.max(maxAbs, Math.abs(a - numeric));
    diff2 += (a - numeric) ** 2;
    sum2 += (Math.abs(a) + Math.abs(numeric)) ** 2;
  }
  return { maxRel, maxAbs, normRel: Math.sqrt(diff2 / sum2), n: W.length };
}

describe.each(['lstm', 'gru'] as const)('%s backpropagation through time', (cell) => {
  it('matches central finite differences (relative error < 1e-6)', () => {
    const { maxRel, maxAbs, normRel, n } = check(cell, 0);
    expect(n).toBeGreaterThan(100);
    expect(maxAbs).toBeLessThan(1e-9);
    expect(normRel).toBeLessThan(1e-8);
    expect(maxRel).toBeLessThan(1e-6);
  });

  it('matches them with dropout masks between layers', () => {
    const { maxRel, maxAbs, normRel } = check(cell, 0.3);
    expect(maxAbs).toBeLessThan(1e-9);
    expect(normRel).toBeLessThan(1e-8);
    expect(maxRel).toBeLessThan(1e-6);
  });
});
