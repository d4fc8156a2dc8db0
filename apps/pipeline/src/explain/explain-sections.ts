import type { ColumnTable } from 'arquero';
import {
  describeTargetGroup,
  permutationImportance,
  type ExplainableModel,
  type GridValue,
  type PermutationImportanceResult,
  type Region,
} from '@campaign-ml/explain';

/** The explanation sections of explain.json, explain.html and the training report. */
export interface ExplainSections {
  /** The class the curves and rates are of (a classifier). */
  class?: string;
  importance: {
    loss: string;
    nRepeats: number;
    rows: number;
    fullModel: number;
    baseline: number;
    /** The top k columns: mean rise of the loss when shuffled, with its spread over the rounds. */
    columns: Array<{ name: string; difference: number; std: number; min: number; max: number; ratio: number }>;
  };
  panels: Array<{
    column: string;
    label: string;
    kind: string;
    grid: GridValue[];
    average: number[];
    /** ICE curves of a few rows (at most `iceRows`). */
    individual: number[][];
    rule: string;
    cut: number;
    regions: Region[];
  }>;
  sentences: Array<{ column: string; sentence: string; share: number; predictedLift: number; observedLift?: number }>;
  together: string;
  rankedBy: string;
}

export interface ExplainSectionOptions {
  topK: number;
  /** Rows the importance and the curves use (a seeded sample of the table beyond it). */
  maxRows: number;
  seed: number;
  /** Outcomes (class indices or values), when known. */
  y?: Float64Array;
  /** An importance already computed on these rows (the training run's). */
  importance?: PermutationImportanceResult;
  nRepeats?: number;
  labels?: Record<string, string>;
  /** ICE curves kept per panel (default 30). */
  iceRows?: number;
}

/**
 * Importance, partial-dependence panels with their high regions, and target-group sentences for
 * the top k input columns, all from @campaign-ml/explain.
 */
export function explainSections(
  model: ExplainableModel,
  table: ColumnTable,
  opts: ExplainSectionOptions,
): ExplainSections {
  const importance =
    opts.importance ??
    (opts.y
      ? permutationImportance(model, table, {
          y: opts.y,
          seed: opts.seed,
          maxRows: opts.maxRows,
          nRepeats: opts.nRepeats ?? 10,
        })
      : undefined);
  const d = describeTargetGroup(model, table, {
    topK: opts.topK,
    ...(opts.y ? { y: opts.y } : {}),
    ...(importance ? { importance } : {}),
    labels: opts.labels,
    seed: opts.seed,
    pdp: { maxRows: opts.maxRows, kind: 'both' },
  });
  const iceRows = opts.iceRows ?? 30;
  const ranked = importance?.columns.slice(0, opts.topK) ?? [];
  return {
    ...(d.class !== undefined ? { class: d.class } : {}),
    importance: {
      loss: importance?.loss ?? 'none (no outcomes given)',
      nRepeats: importance?.nRepeats ?? 0,
      rows: importance?.rows ?? 0,
      fullModel: importance?.fullModel ?? NaN,
      baseline: importance?.baseline ?? NaN,
      columns: ranked.map(({ name, difference, std, min, max, ratio }) => ({ name, difference, std, min, max, ratio })),
    },
    panels: d.sentences.map((s) => ({
      column: s.column,
      label: s.label,
      kind: s.pdp.kind,
      grid: s.pdp.grid,
      average: s.pdp.average,
      individual: (s.pdp.individual ?? []).slice(0, iceRows),
      rule: s.regions.rule,
      cut: s.regions.cut,
      regions: s.regions.regions,
    })),
    sentences: d.sentences.map((s) => ({
      column: s.column,
      sentence: s.sentence,
      share: s.share,
      predictedLift: s.predictedLift,
      ...(s.observedLift !== undefined ? { observedLift: s.observedLift } : {}),
    })),
    together: d.together.sentence,
    rankedBy: d.rankedBy,
  };
}
