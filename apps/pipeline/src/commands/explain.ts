import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@campaign-ml/core';
import { readBundle } from '@campaign-ml/bundle/node';
import { explainSettings } from '../explain/explain-config';
import { explainSections, type ExplainSections } from '../explain/explain-sections';
import { recordSections, recordsFromJson, type RecordSection } from '../explain/record-sections';
import { describeInput, readInput, resolveInput, type InputOptions } from '../input';
import { Progress } from '../progress';
import { renderExplainPage } from '../report/explain-html';
import { splitValid } from '../row-validator';
import { labelOf } from '../train/read-data';

export interface ExplainOptions extends InputOptions {
  bundle: string;
  /** The outcome column, when the data has it (default: the bundle's target column, if present). */
  target?: string;
  /** Columns to explain (default 5). */
  top?: number;
  /** Where explain.json and explain.html go (default "explain"). */
  out: string;
  /** Rows the importance and curves use (default 1,000). */
  maxRows?: number;
  seed?: number;
  /** A JSON file with one raw record (or an array): each gets a "This record" section. */
  record?: string;
  /** Columns the advice may change (default: the training config's explain.actionable; none: no advice). */
  actionable?: string[];
  /** Columns the advice never changes (default: the training config's explain.fixed). */
  fixed?: string[];
  /** The positive-class probability the advice reaches (default 0.5). */
  targetProbability?: number;
  /** LIME's perturbed samples per record (default 5,000). */
  limeSamples?: number;
}

/** explain.json: what the page shows, and where it came from. */
export interface ExplainDocument extends ExplainSections {
  bundle: string;
  data: string;
  rows: number;
  /** Rows left out: failed the bundle's schema, or had no known outcome. */
  skipped: { schema: number; outcome: number };
  target?: string;
  /** "This record": one per record of --record. */
  records?: RecordSection[];
}

/**
 * Explain a bundle on a table: permutation importance (when the table has the outcome), partial
 * dependence with its high regions and a target-group sentence for the top columns. Writes
 * explain.json and a self-contained explain.html into `out`.
 */
export async function explainBundle(
  opts: ExplainOptions,
  progress: Progress,
): Promise<{ dir: string; document: ExplainDocument }> {
  const input = resolveInput(opts);
  progress.stage('load bundle + data');
  const bundle = await readBundle(opts.bundle);
  // The records first: a bad one stops here (the bundle's SchemaError names the field), before any work.
  let records: Record<string, unknown>[] | undefined;
  if (opts.record !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(opts.record, 'utf8');
    } catch (e) {
      throw new InputError(
        'RECORD_NOT_FOUND',
        `cannot read --record ${opts.record}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { value: opts.record },
      );
    }
    records = recordsFromJson(text, opts.record);
    bundle.recordsToTable(records);
  }
  const settings = explainSettings(bundle.document.provenance?.config);
  const raw = await readInput(input);
  const target = opts.target ?? bundle.document.target.column;
  const hasTarget = raw.columnNames().includes(target);
  if (opts.target !== undefined && !hasTarget)
    throw new InputError('MISSING_TARGET', `the data has no "${opts.target}" column (--target)`, {
      column: opts.target,
      expected: `one of ${raw.columnNames().slice(0, 12).join(', ')}`,
    });
  let table = raw;
  let outcomeSkipped = 0;
  if (hasTarget) {
    const classes = bundle.classes;
    const labels = raw.array(target) as ArrayLike<unknown>;
    const keep: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i];
      if (v !== null && v !== undefined && v !== '' && (!classes || classes.includes(labelOf(v)))) keep.push(i);
    }
    outcomeSkipped = raw.numRows() - keep.length;
    table = raw.reify(keep as never);
  }
  const features = table.select(table.columnNames().filter((c) => c !== target));
  const { good, rejects } = splitValid(features, bundle, 'unseen');
  if (good.table.numRows() < 2)
    throw new InputError(
      'TOO_FEW_ROWS',
      `only ${good.table.numRows()} rows fit the bundle's schema; explain needs more`,
      {
        value: good.table.numRows(),
        expected: 'at least 2 valid rows',
      },
    );
  let y: Float64Array | undefined;
  if (hasTarget) {
    const all = table.array(target) as ArrayLike<unknown>;
    const classes = bundle.classes;
    y = Float64Array.from(good.rows, (r) => (classes ? classes.indexOf(labelOf(all[r])) : Number(all[r])));
  }
  progress.stage('importance, partial dependence, target group');
  const sections = explainSections(bundle, good.table, {
    topK: opts.top ?? 5,
    maxRows: opts.maxRows ?? 1000,
    seed: opts.seed ?? 0,
    labels: settings.describe,
    ...(y ? { y } : {}),
  });
  let recordParts: RecordSection[] | undefined;
  if (records) {
    progress.stage('this record: SHAP, LIME, what to change');
    recordParts = recordSections(bundle, good.table, records, {
      actionable: opts.actionable ?? settings.actionable,
      fixed: opts.fixed ?? settings.fixed,
      targetProbability: opts.targetProbability ?? 0.5,
      seed: opts.seed ?? 0,
      ...(opts.limeSamples !== undefined ? { limeSamples: opts.limeSamples } : {}),
    });
  }
  progress.end();
  const document: ExplainDocument = {
    bundle: bundle.document.id,
    data: describeInput(input),
    rows: good.table.numRows(),
    skipped: { schema: rejects.length, outcome: outcomeSkipped },
    ...(hasTarget ? { target } : {}),
    ...sections,
    ...(recordParts ? { records: recordParts } : {}),
  };
  await fs.mkdir(opts.out, { recursive: true });
  await writeAtomic(path.join(opts.out, 'explain.json'), `${JSON.stringify(document, null, 2)}\n`);
  const subtitle = `bundle ${document.bundle} on ${document.rows} rows of ${document.data}${
    hasTarget ? ` (outcomes from "${target}")` : ' (no outcomes)'
  }`;
  await writeAtomic(
    path.join(opts.out, 'explain.html'),
    renderExplainPage(sections, 'campaign-ml explanation', subtitle, recordParts),
  );
  return { dir: opts.out, document };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

/** The `explain` command's flags (see main.ts). */
export interface ExplainFlags extends InputOptions {
  bundle: string;
  target?: string;
  top: number;
  out: string;
  maxRows: number;
  seed: number;
  record?: string;
  actionable?: string[];
  fixed?: string[];
  targetProbability?: number;
  quiet?: boolean;
}

/** `campaign-ml explain`: write explain.json and explain.html, then print the sentences. */
export async function runExplain(o: ExplainFlags): Promise<void> {
  const { dir, document } = await explainBundle(o, Progress.forStream(process.stderr, Boolean(o.quiet)));
  for (const s of document.sentences) console.log(`- ${s.sentence}`);
  for (const r of document.records ?? []) {
    const top = r.shap.contributions
      .slice(0, 3)
      .map((c) => `${c.column} ${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(3)}`);
    const best = r.advice?.counterfactuals[0];
    const advice = best
      ? `; to reach ${r.advice!.target.probability}: ${best.changes.map((c) => `${c.column} ${String(c.from)} -> ${String(c.to)}`).join(', ')} (${best.probability.toFixed(3)})`
      : '';
    console.log(`- record ${r.index}: ${String(r.prediction.label)} (${top.join(', ')})${advice}`);
  }
  console.log(`Explanation of ${document.rows} rows in ${dir}/explain.html and ${dir}/explain.json`);
}
