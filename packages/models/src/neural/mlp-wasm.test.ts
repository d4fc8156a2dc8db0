import { createRng, fromColumns, type FitOptions, type Matrix } from '@campaign-ml/core';
import { MLPClassifier } from './mlp-classifier';
import { setWasmMlp, wasmMlpOn } from './mlp-kernels';
import type { MlpParams } from './mlp-params';
import { MLPRegressor } from './mlp-regressor';

/** n x p inputs, a `zeros` share of them exactly 0 (some -0), like one-hot columns; three targets. */
function data(
  n: number,
  p: number,
  seed: number,
  zeros: number,
): { X: Matrix; binary: Int32Array; classes: Int32Array; values: Float64Array } {
  const rng = createRng(seed);
  const cols: Record<string, Float64Array> = {};
  for (let c = 0; c < p; c++)
    cols[`x${c}`] = Float64Array.from({ length: n }, () =>
      rng.random() < zeros ? (rng.random() < 0.1 ? -0 : 0) : rng.normal(),
    );
  const X = fromColumns(cols);
  const at = (c: number, r: number) => X.data[c * n + r];
  const classes = Int32Array.from({ length: n }, (_, r) => (at(0, r) + at(1, r) > 0.3 ? 2 : at(0, r) > -0.5 ? 1 : 0));
  return {
    X,
    binary: Int32Array.from(classes, (k) => (k === 2 ? 1 : 0)),
    classes,
    values: Float64Array.from({ length: n }, (_, r) => Math.sin(at(0, r)) + 0.1 * at(1, r)),
  };
}

interface Fitted {
  toJSON(): unknown;
  predict(X: Matrix): ArrayLike<number>;
}

/** Fits in WebAssembly and in JavaScript; both models serialized, and their predictions. */
function both(fit: () => Fitted, X: Matrix): { wasm: [string, number[]]; js: [string, number[]] } {
  const run = (): [string, number[]] => {
    const m = fit();
    const out =
      'predictProba' in m ? (m as unknown as { predictProba(X: Matrix): Float64Array }).predictProba(X) : m.predict(X);
    return [JSON.stringify(m.toJSON()), Array.from(out, (v) => (Object.is(v, -0) ? Number.NaN : v))];
  };
  setWasmMlp(true);
  const wasm = run();
  setWasmMlp(false);
  try {
    return { wasm, js: run() };
  } finally {
    setWasmMlp(true);
  }
}

describe('MLP in WebAssembly', () => {
  const d = data(433, 23, 1, 0.7);

  it('runs in this Node', () => {
    expect(wasmMlpOn()).toBe(true);
  });

  const shapes: [string, MlpParams][] = [
    ['one hidden layer, relu', { hiddenLayerSizes: [7] }],
    ['one hidden layer wider than a register block, relu', { hiddenLayerSizes: [37] }],
    ['two hidden layers, relu', { hiddenLayerSizes: [33, 5] }],
    ['one hidden layer, tanh', { hiddenLayerSizes: [9], activation: 'tanh' }],
    ['three hidden layers, tanh', { hiddenLayerSizes: [3, 18, 4], activation: 'tanh' }],
  ];
  const tasks: [string, (p: MlpParams, X: Matrix, opts?: FitOptions) => Fitted][] = [
    ['binary', (p, X, opts) => new MLPClassifier(p).fit(X, d.binary, opts)],
    ['three classes', (p, X, opts) => new MLPClassifier(p).fit(X, d.classes, opts)],
    ['regression', (p, X, opts) => new MLPRegressor(p).fit(X, d.values, opts)],
  ];
  for (const [shape, p] of shapes) {
    for (const [task, fit] of tasks) {
      it(`fits bit for bit like the JavaScript: ${task}, ${shape}, odd batches`, () => {
        const params = { ...p, batchSize: 37, maxIter: 6, learningRateInit: 0.01, alpha: 1e-3, seed: 3 };
        const r = both(() => fit(params, d.X), d.X);
        expect(r.wasm[1]).toEqual(r.js[1]);
        expect(r.wasm[0]).toBe(r.js[0]);
      });
    }
  }

  it('early stopping on held-out rows and on given validation rows, bit for bit', () => {
    const v = data(61, 23, 2, 0.4);
    const p = { hiddenLayerSizes: [19, 6], maxIter: 8, earlyStopping: true, nIterNoChange: 2, seed: 5 };
    const held = both(() => new MLPClassifier(p).fit(d.X, d.classes), v.X);
    expect(held.wasm).toEqual(held.js);
    const given = both(() => new MLPClassifier(p).fit(d.X, d.binary, { validation: { X: v.X, y: v.binary } }), v.X);
    expect(given.wasm).toEqual(given.js);
  });

  it('dense inputs and a batch of one row', () => {
    const dense = data(40, 5, 4, 0);
    const r = both(
      () => new MLPRegressor({ hiddenLayerSizes: [4], batchSize: 1, maxIter: 3, seed: 1 }).fit(dense.X, dense.values),
      dense.X,
    );
    expect(r.wasm).toEqual(r.js);
  });

  it('keeps one WebAssembly copy per network for prediction: batches of any size, dense or sparse, as the JavaScript', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [6], maxIter: 3, seed: 3 }).fit(d.X, d.classes);
    const sparse = data(30, 23, 7, 0.9);
    const dense = data(300, 23, 8, 0);
    // One row, then more rows and more non-zeros than the kept copy has room for, then one row again.
    const asks = [sparse.X, dense.X, sparse.X, d.X].map((X) => m.predictProba(X));
    setWasmMlp(false);
    try {
      expect(asks).toEqual([sparse.X, dense.X, sparse.X, d.X].map((X) => m.predictProba(X)));
    } finally {
      setWasmMlp(true);
    }
  });

  it('predicts more rows than one chunk like the JavaScript', () => {
    const big = data(2500, 6, 6, 0.5);
    const m = new MLPClassifier({ hiddenLayerSizes: [5], maxIter: 2, seed: 2 }).fit(big.X, big.classes);
    const wasm = m.predictProba(big.X);
    setWasmMlp(false);
    try {
      expect(wasm).toEqual(m.predictProba(big.X));
    } finally {
      setWasmMlp(true);
    }
  });
});
