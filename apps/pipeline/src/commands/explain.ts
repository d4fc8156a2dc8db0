import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@campaign-ml/core';
import { readBundle } from '@campaign-ml/bundle/node';
import { explainSections, type ExplainSections } from '../explain/explain-sections';
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
}

/** explain.json: what the page shows, and where it came from. */
export interface ExplainDocument extends ExplainSections {
  bundle: string;
  data: string;
  rows: number;
  /** Rows left out: failed the bundle's schema, or had no known outcome. */
  skipped: { schema: number; outcome: number };
  target?: string;
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
    ...(y ? { y } : {}),
  });
  progress.end();
  const document: ExplainDocument = {
    bundle: bundle.document.id,
    data: describeInput(input),
    rows: good.table.numRows(),
    skipped: { schema: rejects.length, outcome: outcomeSkipped },
    ...(hasTarget ? { target } : {}),
    ...sections,
  };
  await fs.mkdir(opts.out, { recursive: true });
  await writeAtomic(path.join(opts.out, 'explain.json'), `${JSON.stringify(document, null, 2)}\n`);
  const subtitle = `bundle ${document.bundle} on ${document.rows} rows of ${document.data}${
    hasTarget ? ` (outcomes from "${target}")` : ' (no outcomes)'
  }`;
  await writeAtomic(
    path.join(opts.out, 'explain.html'),
    renderExplainPage(sections, 'campaign-ml explanation', subtitle),
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
  quiet?: boolean;
}

/** `campaign-ml explain`: write explain.json and explain.html, then print the sentences. */
export async function runExplain(o: ExplainFlags): Promise<void> {
  const { dir, document } = await explainBundle(o, Progress.forStream(process.stderr, Boolean(o.quiet)));
  for (const s of document.sentences) console.log(`- ${s.sentence}`);
  console.log(`Explanation of ${document.rows} rows in ${dir}/explain.html and ${dir}/explain.json`);
}
