/**
 * Recurrent-layer benchmark: epoch time of LstmRegressor / GruRegressor with the WebAssembly SIMD
 * products against the same fit on the JavaScript fallback, and the LSTM against a reference
 * implementation measured in the same run: the same float64 LSTM (forward, backpropagation
 * through time, gradient clipping, Adam) written with numpy, batched over the rows with BLAS
 * matrix products, one BLAS thread (ours is single-threaded). PyTorch is not installed on the
 * build machine (Debian's python3-torch pulls 194 packages); with torch the reference would be
 * torch.nn.LSTM.
 *
 *   npx tsx tools/bench/models/recurrent.ts                     (2,000 x 20 x 8, hidden 32, 3 epochs)
 *   npx tsx tools/bench/models/recurrent.ts --rows 4000 --hidden 64 --epochs 2 --reps 3
 *
 * Data: normal features, target = first step's first feature + last step's second feature.
 * Settings: batch 32, Adam 5e-3, no early stopping (every fit runs the same epochs), dropout 0.
 * Timing: one warm-up fit each, then `reps` fits interleaved (numpy, wasm, js, ...); medians of
 * the fit time divided by the epochs (numpy timed inside its process with perf_counter).
 * Both paths must give the same model bit for bit (checked on the JSON).
 */
import { createRng } from '@campaign-ml/core';
import { createSequences, GruRegressor, LstmRegressor } from '@campaign-ml/models';
// The wasm/JavaScript switch is internal to models (not on its face): the benchmark takes it from the source.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { setWasmRecurrent, wasmRecurrentOn } from '../../../packages/models/src/neural/recurrent-kernels';
import { median, startPythonWorker } from './bench-kit';

/** The numpy reference: an LSTM (PyTorch gate order, forget bias 1) + linear head, MSE/2, clip 5, Adam. */
const NUMPY_LSTM = String.raw`
import json, os, sys, time
for k in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[k] = '1'
import numpy as np
meta = json.load(open(sys.argv[1]))
n, T, F, H, B = meta['rows'], meta['steps'], meta['features'], meta['hidden'], meta['batch']
X = np.fromfile(meta['X'], dtype='<f8').reshape(n, T, F)
y = np.fromfile(meta['y'], dtype='<f8')
y = (y - y.mean()) / y.std()
sig = lambda z: 1 / (1 + np.exp(-z))

def fit(epochs, seed):
    rng = np.random.default_rng(seed)
    bx, bh, bo = np.sqrt(6 / (F + H)), np.sqrt(6 / (2 * H)), np.sqrt(6 / (H + 1))
    P = [rng.uniform(-bx, bx, (F, 4 * H)), rng.uniform(-bh, bh, (H, 4 * H)), np.zeros(4 * H),
         rng.uniform(-bo, bo, (H, 1)), np.zeros(1)]
    P[2][H:2 * H] = 1
    M1 = [np.zeros_like(p) for p in P]
    M2 = [np.zeros_like(p) for p in P]
    step = 0
    for _ in range(epochs):
        perm = rng.permutation(n)
        for s in range(0, n, B):
            idx = perm[s:s + B]
            xb, yb, b = X[idx], y[idx], len(idx)
            Wx, Wh, bias, Wo, bo_ = P
            hs = np.zeros((T + 1, b, H)); cs = np.zeros((T + 1, b, H)); gs = np.empty((T, b, 4 * H))
            for t in range(T):
                z = xb[:, t, :] @ Wx + hs[t] @ Wh + bias
                i, f, g, o = sig(z[:, :H]), sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
                cs[t + 1] = f * cs[t] + i * g
                hs[t + 1] = o * np.tanh(cs[t + 1])
                gs[t] = np.concatenate([i, f, g, o], axis=1)
            pred = hs[T] @ Wo + bo_
            dy = (pred[:, 0] - yb)[:, None] / b
            G = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(bias), hs[T].T @ dy, dy.sum(0)]
            dh = dy @ Wo.T
            dc = np.zeros((b, H))
            for t in range(T - 1, -1, -1):
                i, f, g, o = gs[t][:, :H], gs[t][:, H:2 * H], gs[t][:, 2 * H:3 * H], gs[t][:, 3 * H:]
                tc = np.tanh(cs[t + 1])
                dc = dc + dh * o * (1 - tc * tc)
                dz = np.concatenate([dc * g * i * (1 - i), dc * cs[t] * f * (1 - f), dc * i * (1 - g * g),
                                     dh * tc * o * (1 - o)], axis=1)
                dc = dc * f
                G[0] += xb[:, t, :].T @ dz
                G[1] += hs[t].T @ dz
                G[2] += dz.sum(0)
                dh = dz @ Wh.T
            norm = np.sqrt(sum((g_ * g_).sum() for g_ in G))
            if norm > 5:
                G = [g_ * (5 / norm) for g_ in G]
            step += 1
            lr = 5e-3 * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
            for p, g_, m1, m2 in zip(P, G, M1, M2):
                m1 *= 0.9; m1 += 0.1 * g_
                m2 *= 0.999; m2 += 0.001 * g_ * g_
                p -= lr * m1 / (np.sqrt(m2) + 1e-8)

for line in sys.stdin:
    epochs = int(line.split()[1])
    t0 = time.perf_counter()
    fit(epochs, 1)
    print(json.dumps({'seconds': time.perf_counter() - t0, 'numpy': np.__version__}), flush=True)
`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rows = arg('rows', 2000);
const steps = arg('steps', 20);
const features = arg('features', 8);
const hidden = arg('hidden', 32);
const epochs = arg('epochs', 3);
const reps = arg('reps', 3);

const rng = createRng(1);
const data = new Float64Array(rows * steps * features).map(() => rng.normal());
const y = Float64Array.from(
  { length: rows },
  (_, r) => data[r * steps * features] + data[((r + 1) * steps - 1) * features + 1],
);
const X = createSequences(rows, steps, features, data);

async function main(): Promise<void> {
  const ref = startPythonWorker<{ seconds: number; numpy: string }>(
    'recurrent',
    NUMPY_LSTM,
    { rows, steps, features, hidden, batch: 32 },
    { X: data, y },
  );
  try {
    for (const [name, Model] of [
      ['LSTM', LstmRegressor],
      ['GRU', GruRegressor],
    ] as const) {
      const params = { hiddenSizes: [hidden], maxEpochs: epochs, earlyStopping: false, batchSize: 32, seed: 1 };
      const fit = (wasm: boolean): { ms: number; json: string } => {
        setWasmRecurrent(wasm);
        const t0 = performance.now();
        const m = new Model(params).fit(X, y);
        const ms = performance.now() - t0;
        return { ms, json: JSON.stringify(m) };
      };
      const lstm = name === 'LSTM';
      let numpy = '';
      if (lstm) numpy = (await ref.ask(`fit ${epochs}`)).numpy;
      const a = fit(true);
      const b = fit(false);
      if (a.json !== b.json) throw new Error(`${name}: WebAssembly and JavaScript fits differ`);
      const times = { wasm: [] as number[], js: [] as number[], ref: [] as number[] };
      for (let r = 0; r < reps; r++) {
        if (lstm) times.ref.push(((await ref.ask(`fit ${epochs}`)).seconds * 1000) / epochs);
        times.wasm.push(fit(true).ms / epochs);
        times.js.push(fit(false).ms / epochs);
      }
      setWasmRecurrent(true);
      const w = median(times.wasm);
      const j = median(times.js);
      const refText = lstm
        ? `; numpy ${numpy} reference ${median(times.ref).toFixed(0)} ms (ours in WebAssembly ${(w / median(times.ref)).toFixed(2)}x)`
        : '';
      console.log(
        `${name} ${rows} x ${steps} x ${features}, hidden ${hidden}: epoch ${w.toFixed(0)} ms in WebAssembly (${wasmRecurrentOn() ? 'on' : 'unavailable'}), ${j.toFixed(0)} ms in JavaScript (${(w / j).toFixed(2)}x; same model bit for bit)${refText}`,
      );
    }
  } finally {
    ref.done();
  }
}

void main();
