/**
 * Recurrent-layer benchmark: epoch time of LstmRegressor / GruRegressor with the WebAssembly SIMD
 * products against the same fit on the JavaScript fallback (the reference measured in the same
 * run; PyTorch is not installed on the build machine: Debian's python3-torch pulls 194 packages).
 *
 *   npx tsx tools/bench/models/recurrent.ts                     (2,000 x 20 x 8, hidden 32, 3 epochs)
 *   npx tsx tools/bench/models/recurrent.ts --rows 4000 --hidden 64 --epochs 2 --reps 3
 *
 * Data: normal features, target = first step's first feature + last step's second feature.
 * Settings: batch 32, Adam 5e-3, no early stopping (every fit runs the same epochs), dropout 0.
 * Timing: one warm-up fit each, then `reps` fits interleaved (wasm, js, wasm, js, ...); medians.
 * Both paths must give the same model bit for bit (checked on the JSON).
 */
import { createRng } from '@campaign-ml/core';
import { createSequences, GruRegressor, LstmRegressor } from '@campaign-ml/models';
// The wasm/JavaScript switch is internal to models (not on its face): the benchmark takes it from the source.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { setWasmRecurrent, wasmRecurrentOn } from '../../../packages/models/src/neural/recurrent-kernels';
import { median } from './bench-kit';

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
  const a = fit(true);
  const b = fit(false);
  if (a.json !== b.json) throw new Error(`${name}: WebAssembly and JavaScript fits differ`);
  const times = { wasm: [] as number[], js: [] as number[] };
  for (let r = 0; r < reps; r++) {
    times.wasm.push(fit(true).ms / epochs);
    times.js.push(fit(false).ms / epochs);
  }
  setWasmRecurrent(true);
  const w = median(times.wasm);
  const j = median(times.js);
  console.log(
    `${name} ${rows} x ${steps} x ${features}, hidden ${hidden}: epoch ${w.toFixed(0)} ms in WebAssembly (${wasmRecurrentOn() ? 'on' : 'unavailable'}), ${j.toFixed(0)} ms in JavaScript; ratio ${(w / j).toFixed(2)}x (same model bit for bit)`,
  );
}
