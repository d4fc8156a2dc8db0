/**
 * Test support (not exported by the package): bundles of every model kind the pipeline trains,
 * fitted on the bundle package's generated campaign table, with a background sample.
 */
import * as aq from 'arquero';
import type { FittedModel } from '@campaign-ml/core';
import { Bundle, BUNDLE_FORMAT, BUNDLE_VERSION, backgroundSample, computeReference } from '@campaign-ml/bundle';
import { campaignTable } from '@campaign-ml/bundle/test-bundles';
import { FittedColumnPipeline, recommendedPipeline } from '@campaign-ml/features';
import {
  FittedVotingClassifier,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  LinearRegression,
  LogisticRegression,
  MLPClassifier,
  RandomForestClassifier,
  type FittedLogisticRegression,
} from '@campaign-ml/models';
import { inferSchema } from '@campaign-ml/schema';

export type TestModel = 'gbdt' | 'forest' | 'logistic' | 'mlp' | 'ensemble' | 'gbdt-regression' | 'linear-regression';

export { campaignTable };

/** A bundle of the given kind on `campaignTable(400, 5)`; `background: false` leaves the sample out. */
export function testBundle(kind: TestModel, options: { background?: boolean } = {}): Bundle {
  const table = campaignTable(400, 5);
  const regression = kind.endsWith('regression');
  const target = regression ? 'goal' : 'state';
  const data = regression
    ? table.derive({ goal: (d: { goal: number; backers: number | null }) => d.goal + 10 * (d.backers ?? 0) })
    : table;
  const full = inferSchema(data, { target });
  const y = regression
    ? Float64Array.from(data.array('goal') as ArrayLike<number>)
    : Float64Array.from(data.array('state') as ArrayLike<string>, (s) => (s === 'successful' ? 1 : 0));
  const task = regression ? 'regression' : 'binary';
  const features = regression ? data.select(aq.not('state')) : data;
  const schemaIn = regression ? { ...full, columns: full.columns.filter((c) => c.name !== 'state') } : full;
  const recipe = (model: 'tree' | 'linear') => recommendedPipeline(schemaIn, task, { model }).fitTransform(features, y);
  let pipeline: FittedColumnPipeline;
  let fitted: FittedModel;
  if (kind === 'ensemble') {
    const tree = recipe('tree');
    const linear = recipe('linear');
    pipeline = FittedColumnPipeline.union([
      { prefix: 'tree:', pipeline: tree.pipeline },
      { prefix: 'linear:', pipeline: linear.pipeline },
    ]);
    const gb = new GradientBoostingClassifier({ nEstimators: 20, maxDepth: 3 }).fit(tree.X, y);
    const rf = new RandomForestClassifier({ nEstimators: 8, maxDepth: 5, seed: 1 }).fit(tree.X, y);
    const lr: FittedLogisticRegression = new LogisticRegression().fit(linear.X, y);
    const member = (name: string, model: FittedModel, weight: number, part: 'tree' | 'linear') => {
      const names = (part === 'tree' ? tree : linear).X.columns;
      return { name, model, weight, columns: names.map((c) => `${part}:${c}`), featureNames: names };
    };
    fitted = FittedVotingClassifier.fromFitted(pipeline.featureNamesOut, [
      member('gbdt', gb, 3, 'tree'),
      member('forest', rf, 1, 'tree'),
      member('logistic', lr, 2, 'linear'),
    ] as never);
  } else {
    const linearRecipe = kind === 'logistic' || kind === 'mlp' || kind === 'linear-regression';
    const { pipeline: p, X } = recipe(linearRecipe ? 'linear' : 'tree');
    pipeline = p;
    fitted =
      kind === 'gbdt'
        ? new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3 }).fit(X, y)
        : kind === 'forest'
          ? new RandomForestClassifier({ nEstimators: 10, maxDepth: 6, seed: 2 }).fit(X, y)
          : kind === 'logistic'
            ? new LogisticRegression().fit(X, y)
            : kind === 'mlp'
              ? new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 40, seed: 3 }).fit(X, y)
              : kind === 'gbdt-regression'
                ? new GradientBoostingRegressor({ nEstimators: 30, maxDepth: 3 }).fit(X, y)
                : new LinearRegression().fit(X, y);
  }
  const inputs = new Set(pipeline.inputColumns);
  const schema = {
    rows: data.numRows(),
    columns: schemaIn.columns
      .filter((c) => c.role !== 'target')
      .map((c) => ({ ...c, required: inputs.has(c.name) && c.required })),
  };
  return Bundle.fromJSON({
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id: `explain-${kind}`,
    createdAt: new Date(0).toISOString(),
    task,
    target: regression
      ? { column: 'goal', classes: null }
      : { column: 'state', classes: ['failed', 'successful'], positiveClass: 'successful' },
    schema,
    features: pipeline.toJSON(),
    model: { name: kind, fitted: fitted.toJSON() },
    metrics: {},
    reference: computeReference(features, schema, new Float64Array(data.numRows())),
    ...(options.background === false
      ? {}
      : { explain: { background: backgroundSample(features, pipeline.inputColumns, { rows: 40, seed: 1 }) } }),
    provenance: { dataSha256: '0'.repeat(64), rows: data.numRows(), config: {}, packageVersions: {} },
  });
}

/** Raw records (dates as ISO strings) from a fresh campaign table, without the target. */
export function testRecords(n: number, seed: number): Record<string, unknown>[] {
  return (campaignTable(n, seed).objects() as Record<string, unknown>[]).map(({ state: _s, ...r }) => ({
    ...r,
    launched_at: (r.launched_at as Date).toISOString(),
  }));
}
