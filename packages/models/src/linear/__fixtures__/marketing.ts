import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromColumns, type Matrix } from '@campaign-ml/core';

/**
 * Test helper: the iFood marketing data from ../shared/data built exactly as
 * tools/fixtures/linear.py builds it (rows with missing Income dropped, features standardized
 * with the population standard deviation). Tests skip when the shared folder is absent.
 */
export const sharedData = path.resolve(__dirname, '../../../../../../shared/data');
export const marketingFile = path.join(sharedData, 'marketing', 'marketing_campaign.csv');
export const hasMarketing = fs.existsSync(marketingFile);

export interface MarketingData {
  raw: Record<string, Float64Array>;
  response: Int32Array;
  education: Int32Array;
}

export function readMarketing(features: readonly string[], levels: readonly string[]): MarketingData {
  const text = fs.readFileSync(marketingFile, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(';');
  const idx = (name: string) => header.indexOf(name);
  const rows = lines.slice(1).map((l) => l.split(';')).filter((f) => f[idx('Income')] !== '');
  const raw: Record<string, Float64Array> = {};
  for (const name of features) raw[name] = Float64Array.from(rows, (f) => Number(f[idx(name)]));
  const response = Int32Array.from(rows, (f) => Number(f[idx('Response')]));
  const education = Int32Array.from(rows, (f) => educationIndex(levels, f[idx('Education')]));
  return { raw, response, education };
}

function educationIndex(levels: readonly string[], v: string): number {
  const i = levels.indexOf(v);
  if (i < 0) throw new Error(`unknown education ${v}`);
  return i;
}

export function standardize(x: Float64Array): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  return x.map((v) => (v - mean) / sd);
}

export function matrixOf(raw: Record<string, Float64Array>, names: readonly string[], scale: boolean): Matrix {
  return fromColumns(names.map((name) => [name, scale ? standardize(raw[name]) : raw[name]] as const));
}

/** Largest |a - b| / max(|b|, floor) over both arrays. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-2): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return m;
}
