import type { ColumnTable } from 'arquero';
import type { Matrix, Task } from '@campaign-ml/core';
import { recommendedPipeline, type FittedColumnPipeline, type RecipeOptions } from '@campaign-ml/features';
import type { Schema } from '@campaign-ml/schema';
import type { Family } from '../families';
import type { Progress } from '../progress';

/** A feature recipe fitted on the training part: its pipeline, and both parts through it. */
export interface Recipe {
  pipeline: FittedColumnPipeline;
  X: Matrix;
  Xtest: Matrix;
}

/** The fitted recipes by kind: trees read `tree`, linear models and MLPs read `linear`. */
export type Recipes = Map<'tree' | 'linear' | 'codes' | 'linearCodes', Recipe>;

/**
 * The recipes stage: each recipe the families need, fitted on the training part only (target
 * encoding out of fold) and applied to the test part. `options` are the recommended pipeline's
 * options but `model`, which is the recipe's kind.
 */
export function fitRecipes(
  schema: Schema,
  task: Task,
  families: readonly Pick<Family, 'recipe'>[],
  parts: { train: ColumnTable; yTrain: Float64Array; test: ColumnTable },
  options: Omit<RecipeOptions, 'model'>,
  signal?: AbortSignal,
  progress?: Progress,
): Recipes {
  const recipes: Recipes = new Map();
  for (const kind of new Set(families.map((f) => f.recipe))) {
    // 'codes' / 'linearCodes': the tree / linear recipe with high-cardinality categories as ordinal codes (code:<col>).
    const recipe =
      kind === 'codes' || kind === 'linearCodes'
        ? recommendedPipeline(schema, task, {
            ...options,
            model: kind === 'codes' ? 'tree' : 'linear',
            highCardinality: 'codes',
          })
        : recommendedPipeline(schema, task, { model: kind, ...options });
    const { pipeline, X } = recipe.fitTransform(parts.train, parts.yTrain, { signal });
    recipes.set(kind, { pipeline, X, Xtest: pipeline.transform(parts.test) });
    progress?.info(`${kind} recipe: ${X.cols} features`);
  }
  return recipes;
}
