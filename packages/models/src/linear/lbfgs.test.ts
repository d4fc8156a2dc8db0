import { createRng } from '@campaign-ml/core';
import { minimizeLbfgs, type Objective } from './lbfgs';

/**
 * Σᵢ log(1 + exp(−tᵢ·xᵢ·w)) + ‖w‖²/2 on strongly correlated features with a large loss (the
 * objective's last bits are noise long before the gradient is small): the end game must steer by
 * the gradient. Returns the objective and its exact gradient norm.
 */
function illConditioned(n: number, p: number, seed: number): Objective {
  const rng = createRng(seed);
  const common = Float64Array.from({ length: n }, () => rng.normal());
  const X = Array.from({ length: p }, () => Float64Array.from(common, (v) => v + 0.01 * rng.normal()));
  const t = Float64Array.from(common, (v) => (v + rng.normal() > 0 ? 1 : -1));
  return (w, grad) => {
    let f = 0;
    grad.fill(0);
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let c = 0; c < p; c++) z += X[c][r] * w[c];
      const m = -t[r] * z;
      f += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      const s = -t[r] / (1 + Math.exp(-m));
      for (let c = 0; c < p; c++) grad[c] += s * X[c][r];
    }
    for (let c = 0; c < p; c++) {
      f += 0.5 * w[c] * w[c];
      grad[c] += w[c];
    }
    return f;
  };
}

function maxAbs(a: Float64Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('minimizeLbfgs', () => {
  it('minimizes a quadratic to the requested gradient', () => {
    const a = Float64Array.from({ length: 8 }, (_, i) => i - 3);
    const scale = Float64Array.from({ length: 8 }, (_, i) => 1 + i * i);
    const res = minimizeLbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 8; i++) {
          f += 0.5 * scale[i] * (x[i] - a[i]) ** 2;
          g[i] = scale[i] * (x[i] - a[i]);
        }
        return f;
      },
      new Float64Array(8),
      { maxIter: 200, tol: 1e-10 },
    );
    expect(res.converged).toBe(true);
    for (let i = 0; i < 8; i++) expect(res.x[i]).toBeCloseTo(a[i], 9);
  });

  it('reaches a tight gradient tolerance where the objective has stopped resolving progress', () => {
    const objective = illConditioned(4000, 12, 1);
    const res = minimizeLbfgs(objective, new Float64Array(12), { maxIter: 3000, tol: 1e-8 });
    const g = new Float64Array(12);
    objective(res.x, g);
    expect(res.converged).toBe(true);
    expect(maxAbs(g)).toBeLessThanOrEqual(1e-8);
  });
});
