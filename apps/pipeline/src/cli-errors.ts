import { describeValue, type Problem, type SchemaError } from '@campaign-ml/core';

// Errors as a CLI user reads them: problems grouped by column (a few values shown, the rest
// counted with their rows), and each column's fix in CLI terms — config keys and flags, not
// library classes.

const SHOWN_VALUES = 3;
const SHOWN_ROWS = 8;

const isNumeric = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /^\s*-?[\d.,]+\s*$/.test(v));
const asNumber = (v: unknown) => Number(String(v).replace(/,/g, ''));

function fixFor(column: string, problems: readonly Problem[]): string | undefined {
  const code = problems[0].code;
  if (code === 'COERCION_FAILED' || code === 'WRONG_TYPE') {
    const values = problems.map((p) => p.value);
    const numeric = values.filter(isNumeric);
    const words = [...new Set(values.filter((v) => !isNumeric(v)).map((v) => String(v).trim()))]
      .slice(0, 3)
      .map((v) => JSON.stringify(v));
    const missing = words.length ? `list them in the config (missing: [${words.join(', ')}])` : '';
    if (numeric.length >= values.length / 2) {
      const type = numeric.every((v) => Number.isInteger(asNumber(v))) ? 'integer' : 'number';
      const setType = `set the column's type in a config file (--config; features.types: { ${JSON.stringify(column)}: ${type} })`;
      return (
        `fix: most of these read as ${type === 'integer' ? 'integers' : 'numbers'}, so the column's type is what is wrong: ${setType}` +
        (missing ? `; the words among them, if they mean "missing": ${missing}` : '')
      );
    }
    return (
      `fix: correct those values in the data; or, if they mean "missing", ${missing}; ` +
      `or set the column's type in a config file (--config; features.types: { ${JSON.stringify(column)}: category })`
    );
  }
  if (code === 'UNKNOWN_CATEGORY') return 'fix: score with --unknown-categories unseen, or retrain on data that has it';
  if (code === 'MISSING_COLUMN') return 'fix: add the column to the data, or retrain without it (features.drop)';
  return undefined;
}

/** A SchemaError for stderr: one block per column, naming the bad values and rows, with the fix. */
export function formatSchemaError(e: SchemaError): string {
  const byColumn = new Map<string, Problem[]>();
  for (const p of e.problems) {
    const key = p.column ?? '';
    const list = byColumn.get(key) ?? [];
    list.push(p);
    byColumn.set(key, list);
  }
  const headline = e.message.split(':')[0];
  const blocks: string[] = [];
  for (const [column, problems] of byColumn) {
    if (problems[0].code !== 'COERCION_FAILED' || problems.length === 1) {
      const shown = problems.slice(0, SHOWN_VALUES).map((p) => `  - ${p.message}`);
      if (problems.length > SHOWN_VALUES) shown.push(`  - and ${problems.length - SHOWN_VALUES} more like these`);
      const fix = fixFor(column, problems);
      blocks.push([...shown, ...(fix ? [`    ${fix}`] : [])].join('\n'));
      continue;
    }
    const values = problems
      .slice(0, SHOWN_VALUES)
      .map((p) => `${describeValue(p.value)} (row ${p.row})`)
      .join(', ');
    const rest = problems.slice(SHOWN_VALUES);
    const rows = rest.slice(0, SHOWN_ROWS).map((p) => p.row);
    const more = rest.length
      ? ` and ${rest.length} more (rows ${rows.join(', ')}${rest.length > SHOWN_ROWS ? ', ...' : ''})`
      : '';
    blocks.push(
      `  - column "${column}" (${problems.length} values): expected ${problems[0].expected}, found ${values}${more}\n    ${fixFor(column, problems)}`,
    );
  }
  return `Error: ${headline}:\n${blocks.join('\n')}\n`;
}
