import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';

/**
 * Debian's Python with scikit-learn 1.2 and XGBoost 1.7 (not the python3 first on PATH), or
 * BENCH_PYTHON where that one lacks the reference libraries (the benchmark prints the versions it used).
 */
export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

export interface PythonWorker<T> {
  /** Send one command line; resolves to the JSON line the script answers with. */
  ask(cmd: string): Promise<T>;
  /** End the process and remove its files. */
  done(): void;
}

/**
 * A reference process for same-run benchmarks: `script` is started once with a meta.json holding
 * `meta` plus the file path of each array (written raw, little-endian, under its key), loads the
 * data once, and answers each command line with one JSON line, so the reference is timed inside
 * its own process exactly as ours is timed inside ours.
 */
export function startPythonWorker<T = Record<string, unknown>>(
  name: string,
  script: string,
  meta: Record<string, unknown>,
  arrays: Record<string, Float64Array | Int32Array>,
): PythonWorker<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const files: Record<string, string> = {};
  for (const [key, a] of Object.entries(arrays)) {
    files[key] = path.join(dir, key);
    fs.writeFileSync(files[key], new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, ...files }));
  fs.writeFileSync(path.join(dir, 'bench.py'), script);
  const child = spawn(PYTHON, [path.join(dir, 'bench.py'), path.join(dir, 'meta.json')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    ask: async (cmd) => {
      child.stdin.write(`${cmd}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`the ${name} reference process ended before answering "${cmd}"`);
      return JSON.parse(next.value) as T;
    },
    done: () => {
      child.stdin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Mean and population standard deviation of a column, for standardizing bench matrices. */
export function meanSd(col: ArrayLike<number>): { mean: number; sd: number } {
  const n = col.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += col[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (col[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / n) };
}

/**
 * The tree benchmarks' synthetic binary task: n x p Gaussian features (column-major), a target
 * from a nonlinear mix of the first seven (a product, a sine, a step, a square) plus noise.
 */
export function syntheticTask(n: number, p: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x = (c: number): number => data[c * n + r];
    const s =
      x(0) +
      0.8 * x(1) * x(2) +
      0.6 * Math.sin(3 * x(3)) +
      0.5 * (x(4) > 0.5 ? 1 : 0) -
      0.4 * x(5) * x(5) +
      0.3 * x(6) +
      rng.normal() * 0.7;
    y[r] = s > 0 ? 1 : 0;
  }
  return { X: createMatrix(n, p, data), y };
}
