import type { ColumnTable } from 'arquero';
import { ConfigError } from '@campaign-ml/core';
import type { ColumnPlan } from './column-kinds';
import type { IfExists } from './database-options';
import { qualifiedName, quoteIdentifier } from './quote-identifier';
import { openSqlite, SQLITE_TYPES, toSqliteValue } from './sqlite-database';
import { checkChunkPlan, stagingName, stagingPid, tablePlan } from './chunk-plan';
import { processAlive } from '../process-alive';
import type { TableWriter } from './table-writer';

export function openSqliteTableWriter(
  path: string,
  name: string,
  ifExists: IfExists,
  batchRows: number,
  fixed: ColumnPlan[] | undefined,
): TableWriter {
  const db = openSqlite(path, false);
  const exists = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  const failExists = () =>
    new ConfigError('TABLE_EXISTS', `table "${name}" already exists in ${path}; pass ifExists: 'replace' or 'append'`, {
      value: name,
    });
  try {
    if (ifExists === 'fail' && exists()) throw failExists();
    dropStaleStaging(db, name);
  } catch (e) {
    db.close();
    throw e;
  }
  const staging = stagingName(name);
  const target = qualifiedName(name);
  const stage = qualifiedName(staging);
  let plan: ColumnPlan[] | undefined;
  let rows = 0;
  let closed = false;

  const create = (first: ColumnTable | undefined) => {
    plan = first ? tablePlan(fixed, first) : fixed;
    if (!plan) return;
    db.exec(
      `CREATE TABLE ${stage} (${plan.map((c) => `${quoteIdentifier(c.name)} ${SQLITE_TYPES[c.kind]}`).join(', ')})`,
    );
  };

  const insert = (chunk: ColumnTable, p: ColumnPlan[]) => {
    const cols = p.length;
    const n = chunk.numRows();
    if (n === 0 || cols === 0) return;
    const perBatch = Math.max(1, Math.min(batchRows, Math.floor(32000 / cols)));
    const columnList = p.map((c) => quoteIdentifier(c.name)).join(', ');
    const slots = `(${p.map(() => '?').join(', ')})`;
    const sql = (k: number) =>
      `INSERT INTO ${stage} (${columnList}) VALUES ${Array.from({ length: k }, () => slots).join(', ')}`;
    const arrays = p.map((c) => chunk.array(c.name) as ArrayLike<unknown>);
    const full = db.prepare(sql(Math.min(perBatch, n)));
    for (let start = 0; start < n; start += perBatch) {
      const k = Math.min(perBatch, n - start);
      const params = new Array<unknown>(k * cols);
      for (let r = 0; r < k; r++)
        for (let c = 0; c < cols; c++) params[r * cols + c] = toSqliteValue(arrays[c][start + r]);
      (k === Math.min(perBatch, n) ? full : db.prepare(sql(k))).run(params);
    }
  };

  const close = () => {
    if (!closed) db.close();
    closed = true;
  };

  const writer: TableWriter = {
    async write(chunk) {
      if (closed)
        throw new ConfigError('WRITER_CLOSED', `the writer for table "${name}" is already committed or aborted`);
      try {
        db.transaction(() => {
          if (!plan) create(chunk);
          checkChunkPlan(plan as ColumnPlan[], chunk, rows);
          insert(chunk, plan as ColumnPlan[]);
        })();
      } catch (e) {
        await writer.abort();
        throw e;
      }
      rows += chunk.numRows();
      return rows;
    },
    async commit() {
      if (closed)
        throw new ConfigError('WRITER_CLOSED', `the writer for table "${name}" is already committed or aborted`);
      try {
        db.transaction(() => {
          if (!plan) create(undefined);
          if (!plan)
            throw new ConfigError(
              'NO_COLUMNS',
              `nothing was written to table "${name}" and no columns were given, so it cannot be created`,
              { value: name },
            );
          const there = exists();
          if (there && ifExists === 'fail') throw failExists();
          if (there && ifExists === 'append') {
            const list = plan.map((c) => quoteIdentifier(c.name)).join(', ');
            db.exec(`INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stage}`);
            db.exec(`DROP TABLE ${stage}`);
            return;
          }
          if (there) db.exec(`DROP TABLE ${target}`);
          db.exec(`ALTER TABLE ${stage} RENAME TO ${target}`);
        })();
      } catch (e) {
        await writer.abort();
        throw e;
      }
      close();
      return rows;
    },
    async abort() {
      if (closed) return;
      try {
        db.exec(`DROP TABLE IF EXISTS ${stage}`);
      } finally {
        close();
      }
    },
  };
  return writer;
}

/**
 * Drop the staging tables of `name` left by writers that were killed before they could abort
 * (SQLite commits each chunk to the staging table, so only a killed process leaves one); tables of
 * writers still running, here or in another process, are left alone.
 */
function dropStaleStaging(db: ReturnType<typeof openSqlite>, name: string): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
  for (const { name: table } of tables) {
    const pid = stagingPid(name, table);
    if (pid !== undefined && !processAlive(pid)) db.exec(`DROP TABLE ${qualifiedName(table)}`);
  }
}
