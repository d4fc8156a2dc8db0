/**
 * Read benchmark: readTable on the Kickstarter CSV and XLSX against pandas.read_csv / read_excel
 * (/usr/bin/python3) in the same run. Prints a markdown table with ratios (ours / pandas).
 * Run: npx tsx tools/bench/ingest/read.ts [repeats]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTable } from '@campaign-ml/ingest';

const data = path.resolve(__dirname, '../../../../shared/data/kickstarter');
const repeats = Number(process.argv[2] ?? 3);

async function timeOurs(file: string): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    const t = await readTable(file);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (t.numRows() !== 15215) throw new Error(`unexpected row count ${t.numRows()}`);
    best = Math.min(best, ms);
  }
  return best;
}

function timePandas(file: string, reader: 'read_csv' | 'read_excel'): number {
  const script = [
    'import sys, time, pandas as pd',
    'best = float("inf")',
    `for _ in range(${repeats}):`,
    '    t0 = time.perf_counter()',
    `    df = pd.${reader}(sys.argv[1])`,
    '    best = min(best, (time.perf_counter() - t0) * 1000)',
    'print(best)',
  ].join('\n');
  return Number(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }).trim());
}

async function main(): Promise<void> {
  const csv = path.join(data, 'kickstarter.csv');
  const xlsx = path.join(data, 'Kickstarter.xlsx');
  if (!fs.existsSync(csv)) {
    console.log(`skipped: ${data} is absent`);
    return;
  }
  const rows: [string, number, number, number][] = [];
  const csvOurs = await timeOurs(csv);
  rows.push(['kickstarter.csv (15,215 x 46)', csvOurs, timePandas(csv, 'read_csv'), 1000]);
  const xlsxOurs = await timeOurs(xlsx);
  rows.push(['Kickstarter.xlsx (15,215 x 46)', xlsxOurs, timePandas(xlsx, 'read_excel'), 10000]);
  console.log(`best of ${repeats}, ms\n`);
  console.log('| file | readTable | pandas | ratio (ours/pandas) | target |');
  console.log('|---|---:|---:|---:|---|');
  for (const [name, ours, pandas, target] of rows) {
    console.log(
      `| ${name} | ${ours.toFixed(0)} | ${pandas.toFixed(0)} | ${(ours / pandas).toFixed(2)} | < ${target} ms ${ours < target ? 'ok' : 'MISSED'} |`,
    );
  }
}

void main();
