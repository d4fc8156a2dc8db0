/**
 * Issue 12, item 4: an insurance-like regression table (after the public "medical cost" data):
 * charges ≈ 13,000 ± 12,000, driven by age, smoking, BMI (for smokers above 30 most) and children.
 * A regressor that trains on the raw target scale (an MLP with small initial weights) scores below
 * the mean; one that standardizes the target fits it.
 */
import { createRng } from '@campaign-ml/core';
import { csv, type Cell } from './quirk-tables';

export interface InsuranceTable {
  header: readonly string[];
  rows: readonly Cell[][];
  csv: string;
  target: string;
}

export function insuranceTable(seed = 44, n = 1338): InsuranceTable {
  const rng = createRng(seed);
  const rows: Cell[][] = [];
  const regions = ['northeast', 'northwest', 'southeast', 'southwest'];
  for (let i = 0; i < n; i++) {
    const age = 18 + rng.int(47);
    const sex = rng.bernoulli(0.5) ? 'female' : 'male';
    const bmi = Math.round(Math.min(53, Math.max(16, rng.normal(30.6, 6))) * 100) / 100;
    const children = Math.min(5, Math.floor(-Math.log(1 - rng.random()) * 1.1));
    const smoker = rng.bernoulli(0.2);
    const region = regions[rng.int(4)];
    const base = -2300 + 260 * age + 480 * children + 40 * (bmi - 30);
    const smoking = smoker ? 13_000 + (bmi > 30 ? 20_000 : 0) + 450 * (bmi - 30) : 0;
    const charges = Math.max(1100, base + smoking + rng.normal(0, 4000));
    rows.push([age, sex, bmi, children, smoker ? 'yes' : 'no', region, Math.round(charges * 100) / 100]);
  }
  const header = ['age', 'sex', 'bmi', 'children', 'smoker', 'region', 'charges'];
  return { header, rows, csv: csv(header, rows), target: 'charges' };
}
