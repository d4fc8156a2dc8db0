import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fromRows, InputError, load } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { FittedTreeClassifier, FittedTreeRegressor } from '../trees/fitted-tree-model';
import { setWasmWalk } from '../trees/packed-walk-wasm';
import { float32LessThanAsLessEqual, nextDown64 } from './float32-split';
import { importXGBoostModel } from './xgboost';

/**
 * Fixtures: tools/fixtures/xgboost-import.py (xgboost 1.7.4 from Debian). Each holds the model
 * JSON, test rows as float32 values (null = NaN; the rows after the 40th sit on the models' split
 * thresholds and on the float32 just below them), XGBoost's margins, predictions and the leaf
 * each tree sends each row to.
 */
interface Fixture {
  xgboostVersion: string;
  objective: string;
  featureNames: string[];
  model: string;
  X: (number | null)[][];
  margin: number[] | number[][];
  prediction: number[] | number[][];
  leaves: number[][];
}

const DIR = path.join(__dirname, '..', 'trees', '__fixtures__', 'xgboost');
function fixture(name: string): Fixture {
  const file = path.join(DIR, name);
  const text = name.endsWith('.gz')
    ? gunzipSync(fs.readFileSync(file)).toString('utf8')
    : fs.readFileSync(file, 'utf8');
  return JSON.parse(text) as Fixture;
}

const flat = (a: number[] | number[][]): number[] => (a as (number | number[])[]).flat();
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The max |ours - XGBoost| margins seen, per fixture (reported at the end). */
const seen: Record<string, number> = {};
afterAll(() => {
  // Recorded in packages/models/README.md ("Imported models").
  console.log(`max |predictRaw - XGBoost margin|: ${JSON.stringify(seen)}`);
});

const MARGIN_TOL = 5e-5;

function X(f: Fixture): Matrix {
  return fromRows(f.X, f.featureNames);
}

/** Tree t's leaf value per row, by our walk, against the leaf XGBoost chose (exact). */
function expectSameLeaves(model: FittedTreeClassifier | FittedTreeRegressor, f: Fixture, weights?: number[]): void {
  const doc = JSON.parse(f.model.replace(/\bNaN\b/g, 'null'));
  const gb = doc.learner.gradient_booster;
  const trees = (gb.name === 'dart' ? gb.gbtree : gb).model.trees as { split_conditions: number[] }[];
  const Xm = X(f);
  const e = model.ensemble;
  const K = e.nOutputs;
  for (let t = 0; t < e.nTrees; t++) {
    const out = new Float64Array(Xm.rows * K);
    e.addTree(t, Xm, out, 0, Xm.rows);
    const w = weights ? Math.fround(weights[t]) : 1;
    for (let r = 0; r < Xm.rows; r++) {
      const leaf = f.leaves[r][t];
      expect(out[r * K + e.treeOutput[t]]).toBe(Math.fround(trees[t].split_conditions[leaf]) * w);
    }
  }
}

describe('float32LessThanAsLessEqual: x <= t ⟺ fround(x) < thr', () => {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const fromBits = (b: number): number => {
    u32[0] = b >>> 0;
    return f32[0];
  };
  const nextUp64 = (x: number): number => -nextDown64(-x);
  const check = (thr: number, xs: number[]): void => {
    const t = float32LessThanAsLessEqual(thr);
    for (const x of xs) {
      if (Number.isNaN(x)) continue;
      if (x <= t !== Math.fround(x) < thr) throw new Error(`thr ${thr} (t ${t}): x = ${x} disagrees`);
    }
  };
  /** Values around thr: its float32 neighbours, the midpoints and the float64 values next to them. */
  const around = (thr: number): number[] => {
    f32[0] = thr;
    const b = u32[0];
    const out: number[] = [thr, -thr, 0, -0, Infinity, -Infinity];
    for (const nb of [b - 2, b - 1, b + 1, b + 2]) {
      const v = fromBits(nb);
      if (Number.isNaN(v)) continue;
      out.push(v);
      const m = (v + thr) / 2;
      if (Number.isFinite(m) && m !== 0) out.push(m, nextDown64(m), nextUp64(m));
    }
    if (thr !== 0 && Number.isFinite(thr)) out.push(nextDown64(thr), nextUp64(thr));
    const t = float32LessThanAsLessEqual(thr);
    if (Number.isFinite(t) && t !== 0) out.push(t, nextDown64(t), nextUp64(t));
    return out;
  };

  it('holds on edge thresholds: zeros, subnormals, powers of two, the largest float32s, infinities', () => {
    const edges = [
      0,
      -0,
      fromBits(1), // 2^-149
      -fromBits(1),
      fromBits(2),
      fromBits(0x007fffff), // largest subnormal
      fromBits(0x00800000), // smallest normal
      -fromBits(0x00800000),
      1,
      -1,
      2,
      0.5,
      Math.fround(0.1),
      Math.fround(-0.1),
      Math.fround(1 + 2 ** -23),
      3.4028234663852886e38, // largest float32
      -3.4028234663852886e38,
      Infinity,
      16777216,
      16777217 - 1,
      Math.fround(1e-35),
    ];
    for (const thr of edges) check(thr, around(thr));
    // Odd and even significands at the midpoint decide the tie: 1 + 2^-23 (odd) and 1 (even) below 1 + 2^-22.
    const thr = Math.fround(1 + 2 ** -22);
    const t = float32LessThanAsLessEqual(thr);
    const m = (Math.fround(1 + 2 ** -23) + thr) / 2;
    expect(Math.fround(m)).toBe(thr); // the tie rounds up to the even thr: not less
    expect(t).toBe(nextDown64(m));
    const thr2 = Math.fround(1 + 2 ** -23); // below it is 1 (even): the tie rounds down
    expect(float32LessThanAsLessEqual(thr2)).toBe((1 + thr2) / 2);
    // Largest float32: everything that rounds to a finite value is below +Infinity.
    expect(float32LessThanAsLessEqual(Infinity)).toBe(nextDown64(2 ** 128 - 2 ** 103));
    expect(float32LessThanAsLessEqual(-Infinity)).toBe(-Infinity);
  });

  it('holds for 20,000 random float32 thresholds and values around them', () => {
    let s = 12345;
    const rand = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s;
    };
    for (let i = 0; i < 20000; i++) {
      const thr = fromBits(rand());
      if (Number.isNaN(thr)) continue;
      const xs = around(thr);
      // random float64 values near thr
      for (let k = 0; k < 4; k++) xs.push(thr * (1 + (rand() / 2 ** 32 - 0.5) * 2 ** -20));
      check(thr, xs);
    }
  });

  it('refuses NaN and values that are not float32', () => {
    expect(() => float32LessThanAsLessEqual(NaN)).toThrow(RangeError);
    expect(() => float32LessThanAsLessEqual(0.1)).toThrow(RangeError);
  });
});

describe('importXGBoostModel against XGBoost 1.7 predictions', () => {
  const cases: [string, 'classifier' | 'regressor', number][] = [
    ['binary-logistic.json', 'classifier', 2],
    ['multi-softprob.json', 'classifier', 3],
    ['reg-squarederror.json', 'regressor', 0],
    ['count-poisson.json', 'regressor', 0],
    ['dart-binary.json', 'classifier', 2],
    ['categorical.json', 'classifier', 2],
    ['bench-300x6.json.gz', 'classifier', 2],
  ];
  for (const [name, kind, classes] of cases) {
    describe(name, () => {
      const f = fixture(name);
      const model = importXGBoostModel(f.model);
      const Xm = X(f);

      it('is an ordinary fitted model with the kind, link, columns and params of the import', () => {
        expect(model).toBeInstanceOf(kind === 'classifier' ? FittedTreeClassifier : FittedTreeRegressor);
        expect(model.kind).toBe(
          kind === 'classifier' ? 'models/GradientBoostingClassifier' : 'models/GradientBoostingRegressor',
        );
        if (kind === 'classifier') expect((model as FittedTreeClassifier).classes).toBe(classes);
        expect(model.columns).toEqual(f.featureNames);
        expect(model.params).toMatchObject({
          importedFrom: 'xgboost',
          objective: f.objective,
          xgboostVersion: f.xgboostVersion,
        });
        const link = {
          'binary:logistic': 'logit',
          'multi:softprob': 'softmax',
          'reg:squarederror': 'identity',
          'count:poisson': 'log',
        };
        expect(model.link).toBe(link[f.objective as keyof typeof link]);
      });

      it('routes every row to the leaf XGBoost chose, in every tree (exact leaf values)', () => {
        const doc = JSON.parse(f.model.replace(/\bNaN\b/g, 'null'));
        const weights = doc.learner.gradient_booster.weight_drop as number[] | undefined;
        expectSameLeaves(model, f, weights);
      });

      it(`predictRaw equals XGBoost's margin within ${MARGIN_TOL}, and predictions its predict()`, () => {
        for (const wasm of [true, false]) {
          setWasmWalk(wasm);
          const raw = model.predictRaw(Xm);
          const d = maxAbsDiff(raw, flat(f.margin));
          seen[name] = Math.max(seen[name] ?? 0, d);
          expect(d).toBeLessThan(MARGIN_TOL);
          if (model instanceof FittedTreeClassifier) {
            const p = model.predictProba(Xm);
            if (model.classes === 2) {
              const p1 = Array.from({ length: Xm.rows }, (_, r) => p[2 * r + 1]);
              expect(maxAbsDiff(p1, flat(f.prediction))).toBeLessThan(MARGIN_TOL);
            } else {
              expect(maxAbsDiff(p, flat(f.prediction))).toBeLessThan(MARGIN_TOL);
            }
          } else {
            expect(maxAbsDiff(model.predict(Xm), flat(f.prediction))).toBeLessThan(
              MARGIN_TOL * Math.max(1, ...flat(f.prediction).map(Math.abs)),
            );
          }
        }
        setWasmWalk(true);
      });

      it('round-trips through toJSON and load, predicting the same bits', () => {
        const again = load<FittedTreeClassifier | FittedTreeRegressor>(JSON.stringify(model));
        expect(again.constructor).toBe(model.constructor);
        expect(again.params).toEqual(model.params);
        expect(Array.from(again.predictRaw(Xm))).toEqual(Array.from(model.predictRaw(Xm)));
        expect(again.trees().length).toBe(model.trees().length);
      });

      it('gives trees() with sum_hessian as cover and loss_changes as gain', () => {
        const doc = JSON.parse(f.model.replace(/\bNaN\b/g, 'null'));
        const gb = doc.learner.gradient_booster;
        const t0 = (gb.name === 'dart' ? gb.gbtree : gb).model.trees[0];
        const ours = model.trees()[0];
        expect(ours.cover[0]).toBe(t0.sum_hessian[0]);
        expect(ours.gain[0]).toBe(t0.loss_changes[0]);
        // every internal node's cover is about the sum of its children's (float32 sums in XGBoost)
        for (let i = 0; i < ours.left.length; i++) {
          if (ours.left[i] < 0) continue;
          const sum = ours.cover[ours.left[i]] + ours.cover[ours.right[i]];
          expect(Math.abs(ours.cover[i] - sum)).toBeLessThanOrEqual(1e-4 * Math.max(1, ours.cover[i]));
        }
      });
    });
  }

  it('reads the categorical splits: the set goes left in ours, children swapped', () => {
    const f = fixture('categorical.json');
    const model = importXGBoostModel(f.model);
    const doc = JSON.parse(f.model.replace(/\bNaN\b/g, 'null'));
    const t0 = doc.learner.gradient_booster.model.trees[0];
    expect(t0.split_type[0]).toBe(1);
    const ours = model.trees()[0];
    expect(ours.catOffset[0]).toBe(0);
    const inSet = new Set<number>(t0.categories.slice(0, t0.categories_sizes[0]));
    for (let c = 0; c < 12; c++) expect(Boolean((ours.catBits[c >>> 5] >>> (c & 31)) & 1)).toBe(inSet.has(c));
    // XGBoost's right child (the set) is our left child
    expect(ours.cover[ours.left[0]]).toBe(t0.sum_hessian[t0.right_children[0]]);
    expect(ours.defaultLeft[0]).toBe(t0.default_left[0] ? 0 : 1);
  });

  it('reads base_score written as a vector ("[3E-1]", XGBoost 3.x) like the scalar', () => {
    const f = fixture('binary-logistic.json');
    expect(f.model).toContain('"base_score":"3E-1"');
    const a = importXGBoostModel(f.model);
    const b = importXGBoostModel(f.model.replace('"base_score":"3E-1"', '"base_score":"[3E-1]"'));
    expect(Array.from(b.ensemble.baseScore)).toEqual(Array.from(a.ensemble.baseScore));
    // logit(0.3) in XGBoost's float32 steps
    expect(a.ensemble.baseScore[0]).toBe(Math.fround(-Math.log(Math.fround(Math.fround(1 / Math.fround(0.3)) - 1))));
    expect(a.params.baseScore).toBe(Math.fround(0.3));
  });

  it('names the field it cannot import', () => {
    const f = fixture('reg-squarederror.json');
    const expectError = (text: string, column: string, pattern: RegExp): void => {
      try {
        importXGBoostModel(text);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).column).toBe(column);
        expect((e as InputError).message).toMatch(pattern);
        return;
      }
      throw new Error('expected an InputError');
    };
    expectError(
      f.model.replace('"reg:squarederror"', '"rank:pairwise"'),
      'learner.objective.name',
      /rank:pairwise.*supports/,
    );
    expectError(f.model.replace('"name":"gbtree"', '"name":"gblinear"'), 'learner.gradient_booster.name', /gblinear/);
    expectError('{"version":[1,7,4]}', 'learner', /save_model/);
    expectError(
      f.model.replace('"num_target":"1"', '"num_target":"2"'),
      'learner.learner_model_param.num_target',
      /single-target/,
    );
    expectError(
      f.model.replace('"base_score":"5E-1"', '"base_score":"lots"'),
      'learner.learner_model_param.base_score',
      /lots/,
    );
    expect(() => importXGBoostModel('not json')).toThrow(/not valid JSON/);
  });

  it('names features f0..fN-1 when the model has no feature_names', () => {
    const f = fixture('reg-squarederror.json');
    const text = f.model.replace(/"feature_names":\[[^\]]*\]/, '"feature_names":[]');
    expect(importXGBoostModel(text).columns).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
  });
});
