import { ConfigError, decodeArray, encodeArray, expectKind, registerLoader } from '@campaign-ml/core';
import type { EncodedArray, Serialized } from '@campaign-ml/core';
import { categoryKey, columnValues, makeTable, requireColumns } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { indexOf } from './category-codes';

/**
 * One column's learned embedding as plain data (what @campaign-ml/models' entity-embedding
 * models return from `embeddings()`, with the category names added): category `categories[k]`
 * maps to row k of `vectors` (categories.length x dim, row-major); a missing value or a category
 * not in the list maps to `unknown`.
 */
export interface EmbeddingTable {
  readonly column: string;
  readonly categories: readonly string[];
  readonly dim: number;
  readonly vectors: ArrayLike<number>;
  readonly unknown: ArrayLike<number>;
}

/** The part of a models `CategoryEmbedding` the encoder needs (structural: features does not import models). */
export interface LearnedEmbedding {
  readonly column: string;
  readonly cardinality: number;
  readonly dim: number;
  readonly vectors: ArrayLike<number>;
  readonly unknown: ArrayLike<number>;
}

export interface EmbeddingEncoderOptions {
  /** The tables, one per column to encode. */
  tables: readonly EmbeddingTable[];
}

const NAME = 'EmbeddingEncoder';

/**
 * Categories -> learned vectors: column `c` becomes `c_emb_0..c_emb_{dim-1}` (the entity-embedding
 * export of the McGill Kickstarter study, so tree models read what the embedding MLP learned). It
 * learns nothing at `fit` (which only checks that the columns exist): the vectors come from a fitted
 * EntityEmbeddingClassifier/Regressor through `EmbeddingEncoder.fromEmbeddings`. Missing values and
 * categories not in the table get the `unknown` vector (the model's unknown row: learned when the
 * training rows had unknown or missing codes, otherwise the count-weighted mean vector).
 *
 * ```ts
 * const ordinal = new OrdinalEncoder().fit(train.select('category'));      // codes for the MLP
 * const mlp = new EntityEmbeddingClassifier({ categorical: [{ column: 'category', cardinality: 159 }] }).fit(X, y);
 * const enc = EmbeddingEncoder.fromEmbeddings(mlp.embeddings(), ordinal).fit(train);
 * enc.transform(test); // category_emb_0 .. category_emb_49
 * ```
 */
export class EmbeddingEncoder implements TableStep<FittedEmbeddingEncoder> {
  readonly input = 'table';
  readonly params: Readonly<EmbeddingEncoderOptions>;
  readonly #tables: readonly CheckedTable[];

  constructor(options: EmbeddingEncoderOptions) {
    const tables = (options?.tables ?? []).map(checkTable);
    if (tables.length === 0)
      throw new ConfigError('INVALID_PARAM', `${NAME}: tables must hold at least one column's embedding`, {
        column: 'tables',
        expected: '[{ column, categories, dim, vectors, unknown }]',
      });
    this.#tables = Object.freeze(tables);
    this.params = Object.freeze({ tables: this.#tables });
  }

  /**
   * The encoder for a fitted entity-embedding model's `embeddings()`, naming code k of each column
   * with `categories(column)[k]` — an OrdinalEncoder fitted on the rows that made the codes has
   * that method, or pass a record of lists.
   */
  static fromEmbeddings(
    embeddings: readonly LearnedEmbedding[],
    categories: { categories(column: string): readonly string[] } | Readonly<Record<string, readonly string[]>>,
  ): EmbeddingEncoder {
    const lookup = (column: string): readonly string[] | undefined =>
      typeof categories.categories === 'function'
        ? (categories as { categories(column: string): readonly string[] }).categories(column)
        : (categories as Readonly<Record<string, readonly string[]>>)[column];
    return new EmbeddingEncoder({
      tables: embeddings.map((e) => {
        const names = lookup(e.column);
        if (!names || names.length !== e.cardinality)
          throw new ConfigError(
            'INVALID_PARAM',
            `${NAME}: column "${e.column}" has ${e.cardinality} embedded categories but ${names ? names.length : 'no'} category names were given; use the categories of the encoder that made the model's codes`,
            { column: e.column, value: names?.length, expected: `${e.cardinality} category names` },
          );
        return { column: e.column, categories: names, dim: e.dim, vectors: e.vectors, unknown: e.unknown };
      }),
    });
  }

  fit(table: Table): FittedEmbeddingEncoder {
    requireColumns(
      table,
      this.params.tables.map((t) => t.column),
      NAME,
    );
    return new FittedEmbeddingEncoder(this.#tables);
  }
}

interface CheckedTable {
  readonly column: string;
  readonly categories: readonly string[];
  readonly dim: number;
  readonly vectors: Float64Array;
  readonly unknown: Float64Array;
}

function checkTable(t: EmbeddingTable, i: number): CheckedTable {
  const where = `${NAME}: tables[${i}]${t?.column ? ` ("${t.column}")` : ''}`;
  const bad = (field: string, expected: string, value?: unknown): never => {
    throw new ConfigError('INVALID_PARAM', `${where}.${field} must be ${expected}`, {
      column: t?.column ?? `tables[${i}]`,
      value,
      expected,
    });
  };
  if (!t || typeof t.column !== 'string' || t.column === '') bad('column', 'a column name', t?.column);
  if (!Number.isInteger(t.dim) || t.dim < 1) bad('dim', 'a positive integer', t.dim);
  if (!Array.isArray(t.categories) || t.categories.some((c) => typeof c !== 'string'))
    bad('categories', 'a list of category names (strings)');
  if (new Set(t.categories).size !== t.categories.length) bad('categories', 'distinct names');
  const k = t.categories.length;
  if (!t.vectors || t.vectors.length !== k * t.dim)
    bad('vectors', `${k} x ${t.dim} = ${k * t.dim} numbers (row-major)`, t.vectors?.length);
  if (!t.unknown || t.unknown.length !== t.dim) bad('unknown', `${t.dim} numbers`, t.unknown?.length);
  const vectors = Float64Array.from(t.vectors);
  const unknown = Float64Array.from(t.unknown);
  if (!vectors.every(Number.isFinite) || !unknown.every(Number.isFinite)) bad('vectors', 'finite numbers');
  return Object.freeze({
    column: t.column,
    categories: Object.freeze([...t.categories]),
    dim: t.dim,
    vectors,
    unknown,
  });
}

const KIND = 'features/EmbeddingEncoder';

export class FittedEmbeddingEncoder implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];
  readonly #tables: readonly CheckedTable[];
  readonly #indexes: readonly Map<string, number>[];

  /** @internal */
  constructor(tables: readonly CheckedTable[]) {
    this.#tables = tables;
    this.#indexes = tables.map((t) => indexOf(t.categories));
    this.featureNamesIn = Object.freeze(tables.map((t) => t.column));
    this.featureNamesOut = Object.freeze(
      tables.flatMap((t) => Array.from({ length: t.dim }, (_, d) => `${t.column}_emb_${d}`)),
    );
    Object.freeze(this);
  }

  /** The vector of `category` in `column` (the unknown vector for null or an unseen category); a copy. */
  vectorOf(column: string, category: unknown): Float64Array {
    const j = this.featureNamesIn.indexOf(column);
    if (j < 0)
      throw new ConfigError('UNKNOWN_COLUMN', `${NAME}: no embedding for column "${column}"`, {
        column,
        expected: this.featureNamesIn.join(', '),
      });
    const t = this.#tables[j];
    const key = categoryKey(category);
    const k = key === null ? undefined : this.#indexes[j].get(key);
    return k === undefined ? t.unknown.slice() : t.vectors.slice(k * t.dim, (k + 1) * t.dim);
  }

  transform(table: Table): Table {
    requireColumns(table, this.featureNamesIn, NAME);
    const out: Float64Array[] = [];
    this.#tables.forEach((t, j) => {
      const values = columnValues(table, t.column);
      const n = values.length;
      const cols = Array.from({ length: t.dim }, () => new Float64Array(n));
      const index = this.#indexes[j];
      for (let i = 0; i < n; i++) {
        const key = categoryKey(values[i]);
        const k = key === null ? undefined : index.get(key);
        const src = k === undefined ? t.unknown : t.vectors;
        const off = k === undefined ? 0 : k * t.dim;
        for (let d = 0; d < t.dim; d++) cols[d][i] = src[off + d];
      }
      out.push(...cols);
    });
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      tables: this.#tables.map((t) => ({
        column: t.column,
        categories: [...t.categories],
        dim: t.dim,
        vectors: encodeArray(t.vectors),
        unknown: encodeArray(t.unknown),
      })),
    };
  }

  static fromJSON(json: Serialized): FittedEmbeddingEncoder {
    expectKind(json, KIND, 1);
    const tables = (json.tables as Record<string, unknown>[]).map((t, i) =>
      checkTable(
        {
          column: t.column as string,
          categories: t.categories as string[],
          dim: t.dim as number,
          vectors: decodeArray<Float64Array>(t.vectors as EncodedArray, 'vectors'),
          unknown: decodeArray<Float64Array>(t.unknown as EncodedArray, 'unknown'),
        },
        i,
      ),
    );
    return new FittedEmbeddingEncoder(tables);
  }
}

registerLoader(KIND, FittedEmbeddingEncoder.fromJSON);
