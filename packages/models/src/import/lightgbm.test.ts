import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromRows, InputError, load } from '@campaign-ml/core';
import { FittedTreeClassifier, FittedTreeRegressor } from '../trees/fitted-tree-model';
import { importLightGBMModel, LGBM_ZERO_THRESHOLD } from './lightgbm';

/**
 * Fixtures (packages/models/src/trees/__fixtures__/lightgbm/README.md for sources and licenses):
 * - boosters/: LightGBM v4 models with inputs and LightGBM's own raw scores and probabilities
 *   (egordm/boosters): binary, 3-class, regression with NaN inputs (missing type NaN), and a linear
 *   tree (refused).
 * - leaves/: a LightGBM v3 Poisson model with 5 categorical features (bitsets in cat_threshold)
 *   and LightGBM's predictions on 1,000 rows (dmitryikh/leaves).
 * - hand/: a tiny v4 model written here: a categorical bitset over two words, missing types None,
 *   NaN and Zero (both rewritten cases), a one-leaf tree, sigmoid:2; its predictions worked out by
 *   hand below.
 */
const DIR = path.join(__dirname, '..', 'trees', '__fixtures__', 'lightgbm');
const read = (rel: string): string => fs.readFileSync(path.join(DIR, rel), 'utf8');

/**
 * LightGBM's own prediction (include/LightGBM/tree.h, GetLeaf / NumericalDecision /
 * CategoricalDecision, LightGBM 3.3+), ported literally and run on the text model: the reference
 * the import is compared with on inputs the fixtures do not have.
 */
function referenceRaw(text: string, row: readonly number[]): number[] {
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string>();
  const trees: Map<string, string>[] = [];
  for (const line of lines) {
    if (line.startsWith('Tree=')) trees.push(new Map());
    else if (line === 'end of trees') break;
    else if (line.includes('='))
      (trees.length ? trees[trees.length - 1] : header).set(line.split('=')[0], line.slice(line.indexOf('=') + 1));
  }
  const K = Number(header.get('num_tree_per_iteration'));
  const out = new Array<number>(K).fill(0);
  const arr = (t: Map<string, string>, k: string): number[] => (t.get(k) ?? '').split(' ').filter(Boolean).map(Number);
  const kZero = Math.fround(1e-35);
  trees.forEach((t, ti) => {
    const leaf = arr(t, 'leaf_value');
    if (Number(t.get('num_leaves')) <= 1) {
      out[ti % K] += leaf[0];
      return;
    }
    const [sf, thr, dt, lc, rc] = ['split_feature', 'threshold', 'decision_type', 'left_child', 'right_child'].map(
      (k) => arr(t, k),
    );
    const cb = arr(t, 'cat_boundaries');
    const ct = arr(t, 'cat_threshold');
    let node = 0;
    while (node >= 0) {
      let fval = row[sf[node]];
      if (dt[node] & 1) {
        let go: number;
        if (Number.isNaN(fval) || Math.trunc(fval) < 0) go = rc[node];
        else {
          const c = Math.trunc(fval);
          const idx = thr[node];
          const n = cb[idx + 1] - cb[idx];
          const i1 = Math.floor(c / 32);
          go = i1 < n && (ct[cb[idx] + i1] >>> (c % 32)) & 1 ? lc[node] : rc[node];
        }
        node = go;
        continue;
      }
      const missing = (dt[node] >> 2) & 3;
      if (Number.isNaN(fval) && missing !== 2) fval = 0;
      const isZero = fval >= -kZero && fval <= kZero;
      if ((missing === 1 && isZero) || (missing === 2 && Number.isNaN(fval))) node = dt[node] & 2 ? lc[node] : rc[node];
      else node = fval <= thr[node] ? lc[node] : rc[node];
    }
    out[ti % K] += leaf[~node];
  });
  return out;
}

function tsv(text: string): number[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.split('\t').map(Number));
}

describe('importLightGBMModel: LightGBM v4 models with their published predictions (egordm/boosters)', () => {
  for (const name of ['binary_classification', 'multiclass', 'regression_missing']) {
    it(`${name}: raw scores and probabilities equal LightGBM's`, () => {
      const text = read(`boosters/${name}/model.txt`);
      const input = JSON.parse(read(`boosters/${name}/input.json`)) as { data: (number | null)[][] };
      const expected = JSON.parse(read(`boosters/${name}/expected.json`)) as {
        raw: number[] | number[][];
        proba?: number[] | number[][];
      };
      const model = importLightGBMModel(text);
      const X = fromRows(input.data, model.columns);
      const raw = model.predictRaw(X);
      const want = (expected.raw as (number | number[])[]).flat();
      expect(raw.length).toBe(want.length);
      // Same doubles summed in the same order: equal to the last bit or nearly so.
      for (let i = 0; i < raw.length; i++)
        expect(Math.abs(raw[i] - want[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[i])));
      if (expected.proba) {
        const p = (model as FittedTreeClassifier).predictProba(X);
        const wantP = (expected.proba as (number | number[])[]).flat();
        const ours =
          model.ensemble.nOutputs === 1 ? Array.from({ length: X.rows }, (_, r) => p[2 * r + 1]) : Array.from(p);
        for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - wantP[i])).toBeLessThan(1e-12);
      }
      // and LightGBM's decision rules ported literally agree on every fixture row
      input.data.forEach((row, r) => {
        const ref = referenceRaw(
          text,
          row.map((v) => (v === null ? NaN : v)),
        );
        ref.forEach((v, k) => expect(raw[r * ref.length + k]).toBeCloseTo(v, 12));
      });
    });
  }

  it('reads the header and objective into an ordinary fitted model', () => {
    const bin = importLightGBMModel(read('boosters/binary_classification/model.txt'));
    expect(bin).toBeInstanceOf(FittedTreeClassifier);
    expect(bin.kind).toBe('models/GradientBoostingClassifier');
    expect(bin.link).toBe('logit');
    expect((bin as FittedTreeClassifier).classes).toBe(2);
    expect(bin.params).toEqual({
      importedFrom: 'lightgbm',
      objective: 'binary sigmoid:1',
      lightgbmFormat: 'v4',
      sigmoid: 1,
    });
    expect(bin.columns).toEqual(Array.from({ length: 10 }, (_, i) => `Column_${i}`));
    const multi = importLightGBMModel(read('boosters/multiclass/model.txt')) as FittedTreeClassifier;
    expect(multi.classes).toBe(3);
    expect(multi.link).toBe('softmax');
    expect(Array.from(multi.ensemble.treeOutput.slice(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
    const reg = importLightGBMModel(read('boosters/regression_missing/model.txt'));
    expect(reg).toBeInstanceOf(FittedTreeRegressor);
    expect(reg.link).toBe('identity');
    // covers are the counts: internal_count at internal nodes, leaf_count at leaves
    const t0 = reg.trees()[0];
    expect(t0.cover[0]).toBe(100);
    expect(Array.from(t0.cover).sort((a, b) => a - b)).toEqual([20, 23, 24, 33, 53, 76, 100]);
  });

  it('refuses a linear tree model, naming the field', () => {
    expect(() => importLightGBMModel(read('boosters/linear_tree/model.txt'))).toThrow(/is_linear/);
    try {
      importLightGBMModel(read('boosters/linear_tree/model.txt'));
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).column).toBe('Tree=0.is_linear');
    }
  });
});

describe('importLightGBMModel: a v3 Poisson model with categorical bitsets (dmitryikh/leaves)', () => {
  const text = read('leaves/genlin_fmtp_poisson_Frequency.model');
  const X = tsv(read('leaves/genlin_fmtp_poisson_Frequency_features.tsv'));
  const want = read('leaves/genlin_fmtp_poisson_Frequency_true_predictions.txt').trim().split('\n').map(Number);
  const model = importLightGBMModel(text) as FittedTreeRegressor;

  it("predicts LightGBM's published predictions (exp of the raw score) on 1,000 rows", () => {
    expect(model.link).toBe('log');
    expect(model.columns).toEqual([
      'VehBrand',
      'VehPower',
      'VehGas',
      'Region',
      'Area',
      'VehAge',
      'DrivAge',
      'BonusMalus',
      'Density',
    ]);
    const p = model.predict(fromRows(X, model.columns));
    expect(p.length).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(Math.abs(p[i] - want[i])).toBeLessThan(1e-12 * want[i]);
    expect(model.trees().some((t) => t.catOffset.some((o) => o >= 0))).toBe(true);
  });

  it('agrees with the ported LightGBM rules off the fixture rows: NaN, negatives, unseen and fractional categories', () => {
    let s = 7;
    const rand = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const rows: number[][] = [];
    for (let i = 0; i < 400; i++) {
      const base = X[i].slice();
      const f = Math.floor(rand() * 9);
      const pick = rand();
      base[f] =
        pick < 0.2
          ? NaN
          : pick < 0.3
            ? -3
            : pick < 0.4
              ? 40 + Math.floor(rand() * 300)
              : pick < 0.5
                ? base[f] + 0.5
                : base[f] * (0.5 + rand());
      rows.push(base);
    }
    const raw = model.predictRaw(fromRows(rows, model.columns));
    rows.forEach((row, r) => expect(raw[r]).toBeCloseTo(referenceRaw(text, row)[0], 12));
  });
});

describe('importLightGBMModel: a hand-written model, predictions worked out by hand', () => {
  const text = read('hand/model.txt');
  const model = importLightGBMModel(text) as FittedTreeClassifier;
  const z = LGBM_ZERO_THRESHOLD; // 1e-35 as float32, LightGBM's zero band [-z, z]

  /*
   * The model (hand/model.txt), features x, c (categorical), z:
   *   Tree 0: c in {1, 3, 33} (cat_threshold words 10 = bits 1 and 3, and 2 = bit 33)
   *             ? (x <= -0.5 ? 0.1 : 0.2)  with missing type None: NaN counts as 0 → 0.2
   *             : (x <= 1.5 ? 0.3 : 0.4)   with missing type NaN, default right: NaN → 0.4
   *           c NaN, negative, or not in the set → right.
   *   Tree 1: z, missing type Zero, default left, threshold -1: z in [-z, z] or NaN or z <= -1 → 0.01,
   *           else x, missing type Zero, default right, threshold 2: x in [-z, z] or NaN or x > 2 → 0.03,
   *           else 0.02.
   *   Tree 2: one leaf, 0.05.
   *   Tree 3: z, missing type Zero, default right, threshold 0: z < -z → 0.001, else 0.002.
   *   Output: sigmoid:2, so the margin is 2 × the sum and p = 1 / (1 + exp(-margin)).
   */
  const cases: [string, [number, number, number], number[]][] = [
    ['c in the set, x <= -0.5; z <= -1', [-1, 1, -2], [0.1, 0.01, 0.05, 0.001]],
    ['x NaN under None reads 0 (default-left bit ignored); z = 0 in the band', [NaN, 3, 0], [0.2, 0.01, 0.05, 0.002]],
    ['category 33 in the second word; z NaN goes to the defaults', [1e-36, 33, NaN], [0.2, 0.01, 0.05, 0.002]],
    ['c not in the set, x > 1.5; z in (-1, -z): right, then x > 2', [2.5, 2, -0.5], [0.4, 0.03, 0.05, 0.001]],
    [
      'c NaN goes right; x in the band goes to the default (right) in tree 1',
      [1e-36, NaN, 5],
      [0.3, 0.03, 0.05, 0.002],
    ],
    [
      'c negative goes right; z exactly at the band edge goes to the default',
      [-1e-30, -1, z],
      [0.3, 0.01, 0.05, 0.002],
    ],
    ['c past the bitset goes right; x == 1.5 goes left; z == -1 left', [1.5, 64, -1], [0.3, 0.01, 0.05, 0.001]],
    [
      'x NaN under missing type NaN goes right; z just outside the band, below',
      [NaN, 4, -1e-34],
      [0.4, 0.03, 0.05, 0.001],
    ],
    ['c = 3.7 is category 3; x just outside the band, below: left', [-1e-30, 3.7, 3], [0.2, 0.02, 0.05, 0.002]],
    ['x in (z, 2]: left', [1, 1, 0.5], [0.2, 0.02, 0.05, 0.002]],
    ['z just past the band edge, above: compares (> -1), then x = 2 <= 2', [2, 0, 2 * z], [0.4, 0.02, 0.05, 0.002]],
  ];

  it('gives each hand-computed leaf sum, times sigmoid 2, and its probability', () => {
    const X = fromRows(
      cases.map((c) => c[1]),
      ['x', 'c', 'z'],
    );
    const raw = model.predictRaw(X);
    const p = model.predictProba(X);
    cases.forEach(([why, row, leaves], r) => {
      const sum = leaves.reduce((a, b) => a + b, 0);
      expect({ why, margin: raw[r] }).toEqual({ why, margin: expect.closeTo(2 * sum, 14) });
      expect(p[2 * r + 1]).toBeCloseTo(1 / (1 + Math.exp(-2 * sum)), 14);
      expect(referenceRaw(text, row)[0]).toBeCloseTo(sum, 14);
    });
    expect(model.params).toMatchObject({ objective: 'binary sigmoid:2', sigmoid: 2 });
    expect(model.ensemble.scale).toBe(2);
  });

  it('rewrites the Zero splits that need it into three nodes, covers halved in the copies, root cover kept', () => {
    const t1 = model.trees()[1];
    // 2 internal + 3 leaves in LightGBM; node 0 (case: default left, threshold < -z) becomes three
    // nodes with copies of both children, one of which (node 1, case: default right, threshold >= z)
    // becomes three again in each copy.
    expect(t1.cover[0]).toBe(100);
    for (let i = 0; i < t1.left.length; i++) {
      if (t1.left[i] < 0) continue;
      expect(t1.cover[t1.left[i]] + t1.cover[t1.right[i]]).toBeCloseTo(t1.cover[i], 12);
    }
    // leaf covers: each LightGBM leaf's count is split over its copies
    const leafCover = new Map<number, number>();
    for (let i = 0; i < t1.left.length; i++)
      if (t1.left[i] < 0) leafCover.set(t1.value[i], (leafCover.get(t1.value[i]) ?? 0) + t1.cover[i]);
    expect(leafCover.get(0.01)).toBeCloseTo(40, 12);
    expect(leafCover.get(0.02)).toBeCloseTo(36, 12);
    expect(leafCover.get(0.029999999999999999)).toBeCloseTo(24, 12);
    // tree 3 (default right, threshold 0 inside the band): one node, threshold moved below -z
    const t3 = model.trees()[3];
    expect(t3.left.length).toBe(3);
    expect(t3.threshold[0]).toBeLessThan(-z);
    expect(t3.defaultLeft[0]).toBe(0);
  });

  it('agrees with the ported LightGBM rules on values around every threshold and band edge', () => {
    const specials = [
      NaN,
      0,
      -0,
      z,
      -z,
      2 * z,
      -2 * z,
      1e-36,
      -1e-36,
      -1,
      -0.5,
      1.5,
      2,
      -1.0000001,
      2.0000001,
      5,
      -5,
      3.7,
      33,
      1,
      64,
      -0.5,
    ];
    const rows: number[][] = [];
    for (const x of specials)
      for (const c of [NaN, -1, 0, 1, 2, 3, 33, 34, 64, 300, 3.7]) for (const zz of specials) rows.push([x, c, zz]);
    const raw = model.predictRaw(fromRows(rows, ['x', 'c', 'z']));
    rows.forEach((row, r) => expect(raw[r]).toBeCloseTo(2 * referenceRaw(text, row)[0], 14));
  });

  it('averages the trees with average_output, and round-trips through JSON', () => {
    const avg = importLightGBMModel(text.replace('objective=binary sigmoid:2', 'objective=regression\naverage_output'));
    expect(avg).toBeInstanceOf(FittedTreeRegressor);
    expect(avg.params).toMatchObject({ objective: 'regression', averageOutput: true });
    const X = fromRows([[-1, 1, -2]], ['x', 'c', 'z']);
    expect((avg as FittedTreeRegressor).predict(X)[0]).toBeCloseTo((0.1 + 0.01 + 0.05 + 0.001) / 4, 15);
    const again = load<FittedTreeClassifier>(JSON.stringify(model));
    const rows = fromRows(
      cases.map((c) => c[1]),
      ['x', 'c', 'z'],
    );
    expect(Array.from(again.predictRaw(rows))).toEqual(Array.from(model.predictRaw(rows)));
  });

  it('refuses what it cannot import, naming the field', () => {
    const errorOf = (t: string): InputError => {
      try {
        importLightGBMModel(t);
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an error');
    };
    expect(errorOf(text.replace('binary sigmoid:2', 'lambdarank')).column).toBe('objective');
    expect(errorOf(text.replace('binary sigmoid:2', 'multiclassova num_class:3 sigmoid:1')).column).toBe('objective');
    expect(errorOf(text.replace('binary sigmoid:2', 'regression sqrt')).message).toMatch(/sqrt/);
    expect(
      errorOf(
        text
          .replace('cat_threshold=10 2', 'cat_threshold=10 2 0 0 0 0 0 0 1')
          .replace('cat_boundaries=0 2', 'cat_boundaries=0 9'),
      ).message,
    ).toMatch(/category 256/);
    expect(errorOf(text.replace('feature_names=x c z', 'feature_names=x c')).column).toBe('feature_names');
    expect(errorOf('hello').column).toBe('num_class');
    expect(errorOf(text.replace('left_child=1 -1 -3', 'left_child=1 -1')).column).toBe('Tree=0.left_child');
  });
});
