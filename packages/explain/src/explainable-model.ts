import type { ColumnTable } from 'arquero';
import type { Task } from '@campaign-ml/core';
import type { Schema } from '@campaign-ml/schema';

/**
 * What the model-agnostic explanations need from a model: a `Bundle` of @campaign-ml/bundle has
 * all of it, and so has any fitted feature pipeline + model pair wrapped in a small object (the
 * pipeline's training stage explains a model before its bundle exists).
 *
 * `scoreTable` takes a table typed by the schema (raw input columns) and returns probabilities
 * (rows × classes, row-major) for a classifier, or one value per row for a regressor.
 */
export interface ExplainableModel {
  readonly task: Task;
  /** Label names by class index (classification); null for regression. */
  readonly classes: readonly string[] | null;
  /** The raw input columns the model reads. */
  readonly features: { readonly inputColumns: readonly string[] };
  scoreTable(table: ColumnTable): Float64Array;
  /** The bundle document: its target column, positive class and input schema, when there is one. */
  readonly document?: {
    readonly target: { readonly column: string; readonly positiveClass?: string };
    readonly schema: Schema;
  };
}

/** The number of score columns per row: classes for a classifier, 1 for a regressor. */
export function scoreWidth(model: ExplainableModel): number {
  return model.task === 'regression' ? 1 : (model.classes?.length ?? 2);
}

/**
 * The class whose probability a curve shows: binary the positive class (index 1); multiclass
 * `wanted` (a label name or class index), else the bundle's positive class when it names one, else
 * class 0. Regression: 0 (the value itself).
 */
export function curveClass(model: ExplainableModel, wanted?: string | number): number {
  if (model.task === 'regression') return 0;
  if (model.task === 'binary') return 1;
  const classes = model.classes ?? [];
  if (wanted === undefined) {
    const positive = model.document?.target.positiveClass;
    const i = positive === undefined ? -1 : classes.indexOf(positive);
    return i >= 0 ? i : 0;
  }
  const i = typeof wanted === 'number' ? wanted : classes.indexOf(wanted);
  return i >= 0 && i < classes.length && Number.isInteger(i) ? i : -1;
}
