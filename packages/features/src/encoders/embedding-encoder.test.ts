import * as aq from 'arquero';
import { ConfigError, InputError, load } from '@campaign-ml/core';
import { ColumnPipeline, type FittedColumnPipeline } from '../pipeline';
import type { Table } from '../pipeline/table-step';
import { EmbeddingEncoder, FittedEmbeddingEncoder, OrdinalEncoder } from './index';

const col = (t: Table, name: string): number[] => Array.from(t.array(name) as ArrayLike<number>);

const table = {
  column: 'category',
  categories: ['Music', 'Film', 'Games'],
  dim: 2,
  vectors: [0.1, -0.2, 1.5, 0.25, -3, 1 / 3],
  unknown: [0.7, 0.8],
};

describe('EmbeddingEncoder', () => {
  const fresh = aq.table({ category: ['Games', 'Comics', null, 'Music', 'Film'], goal: [1, 2, 3, 4, 5] });

  it('maps each category to its vector as <col>_emb_k; missing and unseen categories to the unknown vector', () => {
    const f = new EmbeddingEncoder({ tables: [table] }).fit(aq.table({ category: ['Music'] }));
    expect(f.featureNamesIn).toEqual(['category']);
    expect(f.featureNamesOut).toEqual(['category_emb_0', 'category_emb_1']);
    const out = f.transform(fresh);
    expect(out.columnNames()).toEqual(['category_emb_0', 'category_emb_1']);
    expect(col(out, 'category_emb_0')).toEqual([-3, 0.7, 0.7, 0.1, 1.5]);
    expect(col(out, 'category_emb_1')).toEqual([1 / 3, 0.8, 0.8, -0.2, 0.25]);
    expect(Array.from(f.vectorOf('category', 'Film'))).toEqual([1.5, 0.25]);
    expect(Array.from(f.vectorOf('category', null))).toEqual([0.7, 0.8]);
  });

  it('round-trips through JSON exactly, alone and inside a ColumnPipeline', () => {
    const f = new EmbeddingEncoder({ tables: [table] }).fit(fresh);
    const back = load<FittedEmbeddingEncoder>(JSON.parse(JSON.stringify(f)));
    expect(back).toBeInstanceOf(FittedEmbeddingEncoder);
    expect(back.transform(fresh).objects()).toEqual(f.transform(fresh).objects());
    expect(JSON.stringify(back)).toBe(JSON.stringify(f));
    const pipe = new ColumnPipeline({
      groups: [{ select: ['category'], steps: [new EmbeddingEncoder({ tables: [table] })] }, { select: ['goal'] }],
    }).fit(fresh);
    expect(pipe.featureNamesOut).toEqual(['category_emb_0', 'category_emb_1', 'goal']);
    const again = load<FittedColumnPipeline>(JSON.stringify(pipe));
    expect(again.transform(fresh).data).toEqual(pipe.transform(fresh).data);
    expect(Array.from(pipe.transform(fresh).data.subarray(0, 5))).toEqual([-3, 0.7, 0.7, 0.1, 1.5]);
  });

  it('takes a model’s embeddings() with the categories of the OrdinalEncoder that made its codes', () => {
    const ordinal = new OrdinalEncoder().fit(
      aq.table({ category: ['Film', 'Music', 'Music', 'Games', 'Music', 'Film'] }),
    );
    expect(ordinal.categories('category')).toEqual(['Music', 'Film', 'Games']);
    const learned = [
      { column: 'category', cardinality: 3, dim: 2, vectors: Float64Array.from(table.vectors), unknown: [0.7, 0.8] },
    ];
    const f = EmbeddingEncoder.fromEmbeddings(learned, ordinal).fit(fresh);
    expect(col(f.transform(fresh), 'category_emb_0')).toEqual([-3, 0.7, 0.7, 0.1, 1.5]);
    const viaRecord = EmbeddingEncoder.fromEmbeddings(learned, { category: ['Music', 'Film', 'Games'] }).fit(fresh);
    expect(viaRecord.transform(fresh).objects()).toEqual(f.transform(fresh).objects());
    expect(() => EmbeddingEncoder.fromEmbeddings(learned, { category: ['Music'] })).toThrow(
      /"category" has 3 embedded categories but 1 category names/,
    );
    expect(() => ordinal.categories('city')).toThrow(/not fitted on column "city"/);
  });

  it('refuses malformed tables and names the missing column at transform', () => {
    expect(() => new EmbeddingEncoder({ tables: [] })).toThrow(ConfigError);
    expect(() => new EmbeddingEncoder({ tables: [{ ...table, vectors: [1, 2, 3] }] })).toThrow(
      /\("category"\)\.vectors must be 3 x 2 = 6 numbers/,
    );
    expect(() => new EmbeddingEncoder({ tables: [{ ...table, unknown: [1] }] })).toThrow(/unknown must be 2 numbers/);
    expect(() => new EmbeddingEncoder({ tables: [{ ...table, categories: ['a', 'a', 'b'] }] })).toThrow(/distinct/);
    expect(() => new EmbeddingEncoder({ tables: [{ ...table, vectors: [NaN, 0, 0, 0, 0, 0] }] })).toThrow(/finite/);
    const f = new EmbeddingEncoder({ tables: [table] }).fit(fresh);
    expect(() => f.transform(aq.table({ goal: [1] }))).toThrow(InputError);
    expect(() => f.transform(aq.table({ goal: [1] }))).toThrow(/"category" is missing/);
  });
});
