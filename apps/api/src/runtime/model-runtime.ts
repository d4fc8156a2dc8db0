import type { ColumnTable } from 'arquero';
import { InputError, SchemaError, type Problem } from '@campaign-ml/core';
import type { ColumnSchema } from '@campaign-ml/schema';
import { Bundle, type Prediction } from '@campaign-ml/bundle';
import { readBundle } from '@campaign-ml/bundle/node';
import type { UnknownCategoryPolicy } from '../config';
import { createValidatorCompiler, problemsFromAjv, type Validator } from './compile-validator';
import { batchJsonSchema, recordColumns, recordJsonSchema, v2InferJsonSchema, type JsonSchema } from './input-schema';
import { selfTestRecord } from './self-test-record';

export type RawRecord = Record<string, unknown>;

export interface RuntimeOptions {
  unknownCategories: UnknownCategoryPolicy;
  maxBatch: number;
}

/**
 * A loaded bundle prepared for serving: JSON Schemas generated from its input schema and compiled
 * once (the request contract and the OpenAPI document), then the bundle's compiled record
 * validator types the values. Immutable; a hot reload builds a new one and swaps the reference.
 */
export class ModelRuntime {
  readonly bundle: Bundle;
  readonly options: Readonly<RuntimeOptions>;
  /** Fields a record may carry (schema columns except the target). */
  readonly columns: readonly ColumnSchema[];
  readonly recordSchema: JsonSchema;
  readonly batchSchema: JsonSchema;
  readonly predictBodySchema: JsonSchema;
  readonly inferSchema: JsonSchema;
  readonly loadedAt: Date;
  private readonly validateRecord: Validator;
  private readonly validateBatch: Validator;
  private readonly validateInfer: Validator;
  private readonly recordsIsColumn: boolean;

  constructor(bundle: Bundle, options: RuntimeOptions) {
    this.bundle = bundle;
    this.options = Object.freeze({ ...options });
    const doc = bundle.document;
    this.columns = Object.freeze(recordColumns(doc.schema, doc.target.column));
    const byName = new Map(this.columns.map((c) => [c.name, c]));
    const missing = bundle.requiredColumns.filter((n) => !byName.has(n));
    if (missing.length) {
      throw new SchemaError(
        missing.map((n) => ({
          code: 'INVALID_BUNDLE',
          column: n,
          message: `the feature pipeline reads "${n}" but the bundle schema does not describe it`,
        })),
        'The bundle is inconsistent',
      );
    }
    this.recordSchema = recordJsonSchema(this.columns, bundle.requiredColumns, options.unknownCategories);
    this.batchSchema = batchJsonSchema(this.recordSchema, options.maxBatch);
    this.predictBodySchema = { oneOf: [this.recordSchema, this.batchSchema] };
    this.inferSchema = v2InferJsonSchema(this.columns, options.maxBatch);
    const compile = createValidatorCompiler();
    this.validateRecord = compile(this.recordSchema, '/v1/predict#record');
    this.validateBatch = compile(this.batchSchema, '/v1/predict#batch');
    this.validateInfer = compile(this.inferSchema, '/v2/infer');
    this.recordsIsColumn = byName.has('records');
    this.loadedAt = new Date();
    Object.freeze(this);
  }

  get id(): string {
    return this.bundle.document.id;
  }

  get version(): number {
    return this.bundle.document.version;
  }

  get classes(): readonly string[] {
    return this.bundle.classes ?? [];
  }

  /**
   * Validate a /v1/predict body: one record, or `{ records: [...] }`. Returns the records and
   * whether the body was a single record; throws a SchemaError (400) naming every bad field.
   */
  parsePredictBody(body: unknown): { records: RawRecord[]; single: boolean } {
    const isBatch =
      body !== null &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      Object.prototype.hasOwnProperty.call(body, 'records') &&
      !this.recordsIsColumn;
    if (isBatch) {
      if (!this.validateBatch(body))
        throw new SchemaError(
          problemsFromAjv(this.validateBatch.errors ?? [], { recordsKey: 'records' }),
          'The records do not match the model input',
        );
      return { records: (body as { records: RawRecord[] }).records, single: false };
    }
    if (Array.isArray(body)) {
      throw new SchemaError(
        [
          {
            code: 'WRONG_TYPE',
            expected: 'an object',
            message: 'the body is an array; send one record as an object, or several as { "records": [...] }',
          },
        ],
        'The body is not a record',
      );
    }
    if (!this.validateRecord(body))
      throw new SchemaError(
        problemsFromAjv(this.validateRecord.errors ?? [], { recordsKey: null }),
        'The record does not match the model input',
      );
    return { records: [body as RawRecord], single: true };
  }

  /** Validate a /v2 infer body's shape (tensor names, datatypes, sizes). */
  checkInferBody(body: unknown): void {
    if (!this.validateInfer(body))
      throw new SchemaError(
        problemsFromAjv(this.validateInfer.errors ?? [], { recordsKey: 'inputs' }),
        'The inference request is not valid',
      );
  }

  /** Validate records built from v2 tensors; problems name the tensor and element. */
  checkRecords(records: readonly RawRecord[], describe: (row: number, column: string | undefined) => string): void {
    const problems: Problem[] = [];
    for (let i = 0; i < records.length; i++) {
      if (!this.validateRecord(records[i])) {
        for (const p of problemsFromAjv(this.validateRecord.errors ?? [], { recordsKey: null })) {
          problems.push({ ...p, row: i, message: `${describe(i, p.column)}: ${p.message}` });
        }
      }
    }
    if (problems.length) throw new SchemaError(problems, 'The inputs do not match the model input');
  }

  /**
   * Validated records -> a table of the schema's types, through the bundle's compiled record
   * validator (the same one batch scoring and library calls use): dates parsed to UTC Dates,
   * blanks and missing tokens to null. Throws a SchemaError for dates that match the ISO pattern
   * but do not exist (2021-02-30) and for missing required values.
   */
  toTable(records: readonly RawRecord[]): ColumnTable {
    const { table, problems } = this.bundle.validator(this.options.unknownCategories).records(records);
    if (problems.length) throw new SchemaError(problems, 'The records do not match the model input');
    return table;
  }

  /** Predictions for validated records. */
  predict(records: readonly RawRecord[]): Prediction[] {
    return this.score(records).predictions;
  }

  /** Predictions for validated records, with the typed table they were made from (for the drift window). */
  score(records: readonly RawRecord[]): { table: ColumnTable; predictions: Prediction[] } {
    if (records.length === 0) throw new InputError('EMPTY_INPUT', 'no records to predict');
    const table = this.toTable(records);
    return { table, predictions: this.bundle.predictTable(table) };
  }

  /**
   * Predict a record built from the schema (a typical value per column) through the full path,
   * validation included; throws when the bundle cannot answer or answers nonsense.
   */
  selfTest(): Prediction {
    const record = selfTestRecord(this.columns, this.bundle.requiredColumns);
    const { records } = this.parsePredictBody(record);
    const [p] = this.predict(records);
    if (this.bundle.task !== 'regression') {
      const probs = Object.values(p.probabilities ?? {});
      const sum = probs.reduce((a, b) => a + b, 0);
      if (probs.length !== this.classes.length || !probs.every(Number.isFinite) || Math.abs(sum - 1) > 1e-6) {
        throw new InputError(
          'SELF_TEST_FAILED',
          `the bundle's self-test prediction is not a probability distribution: ${JSON.stringify(p.probabilities)}`,
        );
      }
    } else if (typeof p.label !== 'number' || !Number.isFinite(p.label)) {
      throw new InputError(
        'SELF_TEST_FAILED',
        `the bundle's self-test prediction is not a finite number: ${String(p.label)}`,
      );
    }
    return p;
  }

  /** Read, validate and self-test a bundle file. */
  static async load(file: string, options: RuntimeOptions): Promise<ModelRuntime> {
    const runtime = new ModelRuntime(await readBundle(file), options);
    runtime.selfTest();
    return runtime;
  }
}
