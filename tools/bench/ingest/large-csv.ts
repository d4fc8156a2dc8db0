/**
 * Peak-memory check for streamed CSV reading: writes a large generated CSV to /tmp (size in MB from
 * argv, default 200), reads it with readTable, prints rows, time and peak RSS, deletes the file.
 * Run: /usr/bin/time -v npx tsx tools/bench/ingest/large-csv.ts 200   (or read the printed RSS)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRng } from '@campaign-ml/core';
import { readTable } from '@campaign-ml/ingest';

async function main(): Promise<void> {
  const targetMb = Number(process.argv[2] ?? 200);
  const file = path.join(os.tmpdir(), `campaign-ml-large-${process.pid}.csv`);
  const rng = createRng(7);
  const cats = ['US', 'GB', 'CA', 'AU', 'DE'];
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, 'id,goal,country,staff_pick,launched_at,name\n');
  let bytes = 0;
  let rows = 0;
  const target = targetMb * 1024 * 1024;
  while (bytes < target) {
    let chunk = '';
    for (let i = 0; i < 10000; i++, rows++) {
      const day = 1 + (rows % 28);
      chunk += `${rows},${(rng.random() * 100000).toFixed(2)},${cats[rows % 5]},${rows % 7 === 0 ? 'True' : 'False'},2017-06-${String(day).padStart(2, '0')} 12:00:00,project ${rows % 1000}\n`;
    }
    fs.writeSync(out, chunk);
    bytes += chunk.length;
  }
  fs.closeSync(out);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const t0 = Date.now();
    const t = await readTable(file);
    const ms = Date.now() - t0;
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      `file ${(bytes / 1048576).toFixed(0)} MB, ${t.numRows()} rows x ${t.numCols()} cols, ${ms} ms, peak RSS ${(peak / 1048576).toFixed(0)} MB`,
    );
  } finally {
    clearInterval(timer);
    fs.unlinkSync(file);
  }
}

void main();
