/**
 * Test support (not exported): bundles whose model is a logistic regression with given
 * coefficients on numeric columns passed through as they are, so a test can compare with
 * scikit-learn using the very same coefficients; and the generated campaign bundles of
 * @campaign-ml/bundle's test support.
 */
import * as aq from 'arquero';
import { encodeArray } from '@campaign-ml/core';
import { Bundle, BUNDLE_FORMAT, BUNDLE_VERSION, type BundleDocument } from '@campaign-ml/bundle';
import { ColumnPipeline } from '@campaign-ml/features';
import { inferSchema } from '@campaign-ml/schema';

export { campaignBundle, campaignTable } from '@campaign-ml/bundle/test-bundles';

/**
 * A bundle of a logistic regression, the columns read as they are. Binary: P(y = 1) =
 * sigmoid(intercept + Σ coef[j]·column j). Multinomial when `intercept` is a list (one per class,
 * `coef` classes × columns, row-major): softmax of the class scores.
 */
export function logisticBundle(
  columns: Record<string, ArrayLike<number>>,
  coef: readonly number[],
  intercept: number | readonly number[],
  target = 'y',
): Bundle {
  const intercepts = typeof intercept === 'number' ? [intercept] : [...intercept];
  const k = Math.max(2, intercepts.length);
  const classes = Array.from({ length: k }, (_, i) => String(i));
  const names = Object.keys(columns);
  const table = aq.table(Object.fromEntries(names.map((c) => [c, Array.from(columns[c])])), names);
  const pipeline = new ColumnPipeline({ groups: [{ name: 'numbers', select: names }] }).fit(table);
  const schema = inferSchema(table);
  const doc: BundleDocument = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id: 'explain-logistic',
    createdAt: new Date(0).toISOString(),
    task: k === 2 ? 'binary' : 'multiclass',
    target: { column: target, classes, ...(k === 2 ? { positiveClass: '1' } : {}) },
    schema,
    features: pipeline.toJSON(),
    model: {
      name: 'logistic',
      fitted: {
        kind: 'models/LogisticRegression',
        version: 1,
        params: {},
        columns: names,
        classes: k,
        coef: encodeArray(Float64Array.from(coef)),
        intercept: encodeArray(Float64Array.from(intercepts)),
        nIter: 0,
        converged: true,
      },
    },
    metrics: {},
    provenance: { dataSha256: '0'.repeat(64), rows: table.numRows(), config: {}, packageVersions: {} },
  };
  return Bundle.fromJSON(doc);
}
