import type { ColumnTable } from 'arquero';
import type { Client } from 'pg';
import { ConfigError } from '@campaign-ml/core';
import type { ColumnPlan } from './column-kinds';
import type { IfExists } from './database-options';
import { qualifiedName, quoteIdentifier } from './quote-identifier';
import { connectPostgres, pgTypeOf, toPostgresValue } from './postgres-database';
import { checkChunkPlan, stagingName, tablePlan } from './chunk-plan';
import type { TableWriter } from './table-writer';

export async function openPostgresTableWriter(
  url: string,
  name: string,
  schema: string | undefined,
  ifExists: IfExists,
  batchRows: number,
  fixed: ColumnPlan[] | undefined,
): Promise<TableWriter> {
  const client: Client = await connectPostgres(url);
  const target = qualifiedName(name, schema);
  const staging = stagingName(name);
  const stage = qualifiedName(staging, schema);
  const exists = async () =>
    (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [target])).rows[0].t !== null;
  const failExists = () =>
    new ConfigError('TABLE_EXISTS', `table ${target} already exists; pass ifExists: 'replace' or 'append'`, {
      value: name,
    });
  try {
    if (ifExists === 'fail' && (await exists())) throw failExists();
    await client.query('BEGIN');
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  let plan: ColumnPlan[] | undefined;
  let rows = 0;
  let closed = false;

  const create = async (first: ColumnTable | undefined) => {
    plan = first ? tablePlan(fixed, first) : fixed;
    if (!plan) return;
    await client.query(
      `CREATE TABLE ${stage} (${plan.map((c) => `${quoteIdentifier(c.name)} ${pgTypeOf(c)}`).join(', ')})`,
    );
  };

  const insert = async (chunk: ColumnTable, p: ColumnPlan[]) => {
    const cols = p.length;
    const n = chunk.numRows();
    if (n === 0 || cols === 0) return;
    const perBatch = Math.max(1, Math.min(batchRows, Math.floor(65000 / cols)));
    const columnList = p.map((c) => quoteIdentifier(c.name)).join(', ');
    const sql = (k: number) => {
      const tuples: string[] = [];
      for (let r = 0; r < k; r++) tuples.push(`(${p.map((_, c) => `$${r * cols + c + 1}`).join(', ')})`);
      return `INSERT INTO ${stage} (${columnList}) VALUES ${tuples.join(', ')}`;
    };
    const arrays = p.map((c) => chunk.array(c.name) as ArrayLike<unknown>);
    const fullRows = Math.min(perBatch, n);
    const fullSql = sql(fullRows);
    for (let start = 0; start < n; start += perBatch) {
      const k = Math.min(perBatch, n - start);
      const params = new Array<unknown>(k * cols);
      for (let r = 0; r < k; r++)
        for (let c = 0; c < cols; c++) params[r * cols + c] = toPostgresValue(arrays[c][start + r]);
      await client.query(k === fullRows ? fullSql : sql(k), params);
    }
  };

  const finish = async (how: 'COMMIT' | 'ROLLBACK') => {
    if (closed) return;
    closed = true;
    try {
      await client.query(how);
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const writer: TableWriter = {
    async write(chunk) {
      if (closed)
        throw new ConfigError('WRITER_CLOSED', `the writer for table ${target} is already committed or aborted`);
      try {
        if (!plan) await create(chunk);
        checkChunkPlan(plan as ColumnPlan[], chunk, rows);
        await insert(chunk, plan as ColumnPlan[]);
      } catch (e) {
        await writer.abort();
        throw e;
      }
      rows += chunk.numRows();
      return rows;
    },
    async commit() {
      if (closed)
        throw new ConfigError('WRITER_CLOSED', `the writer for table ${target} is already committed or aborted`);
      try {
        if (!plan) await create(undefined);
        if (!plan)
          throw new ConfigError(
            'NO_COLUMNS',
            `nothing was written to table ${target} and no columns were given, so it cannot be created`,
            { value: name },
          );
        const there = await exists();
        if (there && ifExists === 'fail') throw failExists();
        if (there && ifExists === 'append') {
          const list = plan.map((c) => quoteIdentifier(c.name)).join(', ');
          await client.query(`INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stage}`);
          await client.query(`DROP TABLE ${stage}`);
        } else {
          if (there) await client.query(`DROP TABLE ${target}`);
          await client.query(`ALTER TABLE ${stage} RENAME TO ${quoteIdentifier(name)}`);
        }
        await finish('COMMIT');
      } catch (e) {
        await writer.abort();
        throw e;
      }
      return rows;
    },
    async abort() {
      await finish('ROLLBACK');
    },
  };
  return writer;
}
