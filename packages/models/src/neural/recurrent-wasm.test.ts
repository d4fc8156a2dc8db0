import { createRng } from '@campaign-ml/core';
import { jsRecurrentMath, recurrentWorkspace, setWasmRecurrent, wasmRecurrentOn } from './recurrent-kernels';
import { GruRegressor, LstmRegressor } from './recurrent-regressor';
import { createSequences } from './sequences';

/** The bits of every value (so that -0 and 0, or two NaNs, are told apart as they are stored). */
const bits = (a: Float64Array): bigint[] => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));

afterEach(() => setWasmRecurrent(true));

describe('recurrent WebAssembly SIMD kernels', () => {
  it('are available in Node', () => {
    expect(wasmRecurrentOn()).toBe(true);
  });

  it('gemm and gemmTN equal the JavaScript loops bit for bit (blocked, paired and single outputs)', () => {
    const rng = createRng(1);
    for (const [rows, m, n] of [
      [1, 1, 1],
      [3, 5, 16],
      [4, 7, 35],
      [2, 33, 128],
      [5, 2, 3],
    ]) {
      const os = n + 3;
      const as = m + 2;
      recurrentWorkspace((alloc, math, counting) => {
        const O = alloc(rows * os);
        const A = alloc(rows * as);
        const W = alloc(m * n);
        const D = alloc(rows * os);
        const G = alloc(m * n);
        if (counting) return;
        for (const x of [O, A, W, D, G]) for (let i = 0; i < x.length; i++) x[i] = rng.normal();
        const O2 = O.slice();
        const G2 = G.slice();
        expect(math).not.toBe(jsRecurrentMath);
        math.gemm(O, 0, os, A, 0, as, rows, m, W, 0, n);
        jsRecurrentMath.gemm(O2, 0, os, A, 0, as, rows, m, W, 0, n);
        expect(bits(O)).toEqual(bits(O2));
        math.gemmTN(G, 0, A, 0, as, D, 1, os, rows, m, n);
        jsRecurrentMath.gemmTN(G2, 0, A, 0, as, D, 1, os, rows, m, n);
        expect(bits(G)).toEqual(bits(G2));
      });
    }
  });

  it.each([
    ['LSTM', LstmRegressor],
    ['GRU', GruRegressor],
  ] as const)('%s trains and predicts bit for bit as in JavaScript (ragged, two layers, dropout)', (_, Model) => {
    const rng = createRng(2);
    const n = 90;
    const T = 9;
    const F = 3;
    const data = new Float64Array(n * T * F).map(() => rng.normal());
    const lengths = Int32Array.from({ length: n }, () => 1 + rng.int(T));
    const X = createSequences(n, T, F, data, { lengths });
    const y = Float64Array.from({ length: n }, (_, r) => data[r * T * F] + 0.1 * rng.normal());
    const params = { hiddenSizes: [7, 5], dropout: 0.2, batchSize: 16, maxEpochs: 6, seed: 3 };
    const wasm = new Model(params).fit(X, y);
    const predWasm = wasm.predict(X);
    setWasmRecurrent(false);
    expect(wasmRecurrentOn()).toBe(false);
    const js = new Model(params).fit(X, y);
    const predJs = js.predict(X);
    expect(js.lossCurve).toEqual(wasm.lossCurve);
    expect(js.validationLoss).toEqual(wasm.validationLoss);
    expect(bits(predJs)).toEqual(bits(predWasm));
    expect(JSON.stringify(js)).toBe(JSON.stringify(wasm));
  });
});
