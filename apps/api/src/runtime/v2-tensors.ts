import { SchemaError, type Problem } from '@campaign-ml/core';
import type { Prediction } from '@campaign-ml/bundle';
import type { ModelRuntime, RawRecord } from './model-runtime';
import { v2Datatypes } from './input-schema';

/** An Open Inference Protocol v2 tensor (JSON form). */
export interface V2Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
  parameters?: Record<string, unknown>;
}

export interface V2InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: V2Tensor[];
  outputs?: { name: string }[];
}

function flat(data: unknown[]): unknown[] {
  return data.some(Array.isArray) ? (data as unknown[]).flat(1) : data;
}

/**
 * Turn v2 input tensors (one per input column, shape [n] or [n, 1]) into n records, checking
 * names, datatypes and shapes; element values are then checked by the record schema.
 */
export function tensorsToRecords(runtime: ModelRuntime, body: V2InferRequest): RawRecord[] {
  runtime.checkInferBody(body);
  const byName = new Map(runtime.columns.map((c) => [c.name, c]));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let n = -1;
  const tensors: { name: string; data: unknown[] }[] = [];
  for (const t of body.inputs) {
    const col = byName.get(t.name)!;
    if (seen.has(t.name))
      problems.push({ code: 'DUPLICATE_INPUT', column: t.name, message: `input "${t.name}" is given twice` });
    seen.add(t.name);
    const allowed = v2Datatypes(col);
    if (!allowed.includes(t.datatype)) {
      problems.push({
        code: 'WRONG_DATATYPE',
        column: t.name,
        value: t.datatype,
        expected: allowed.join(' or '),
        message: `input "${t.name}" is a ${col.type} column: datatype must be ${allowed.join(' or ')}, not ${t.datatype}`,
      });
    }
    if (t.shape.length === 2 && t.shape[1] !== 1) {
      problems.push({
        code: 'WRONG_SHAPE',
        column: t.name,
        value: t.shape,
        expected: '[n] or [n, 1]',
        message: `input "${t.name}" has shape [${t.shape.join(', ')}]; one column per tensor: use [n] or [n, 1]`,
      });
      continue;
    }
    const data = flat(t.data);
    if (data.length !== t.shape[0]) {
      problems.push({
        code: 'WRONG_SHAPE',
        column: t.name,
        value: data.length,
        expected: `${t.shape[0]} elements`,
        message: `input "${t.name}" has ${data.length} elements but its shape says ${t.shape[0]}`,
      });
      continue;
    }
    if (n === -1) n = data.length;
    else if (n !== data.length) {
      problems.push({
        code: 'WRONG_SHAPE',
        column: t.name,
        value: data.length,
        expected: `${n} elements`,
        message: `input "${t.name}" has ${data.length} elements but "${tensors[0].name}" has ${n}; every input needs one element per record`,
      });
      continue;
    }
    tensors.push({ name: t.name, data });
  }
  if (n === 0) problems.push({ code: 'EMPTY_INPUT', message: 'the inputs hold no elements; send at least one record' });
  if (problems.length) throw new SchemaError(problems, 'The inference request is not valid');
  const records: RawRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r: RawRecord = {};
    for (const t of tensors) r[t.name] = t.data[i];
    records[i] = r;
  }
  runtime.checkRecords(records, (row, column) =>
    column && seen.has(column) ? `input "${column}" element ${row}` : `record ${row}`,
  );
  return records;
}

/** The v2 response outputs: `label` (BYTES, [n]) and `probabilities` (FP64, [n, classes]). */
export function predictionsToOutputs(
  runtime: ModelRuntime,
  preds: readonly Prediction[],
  wanted?: { name: string }[],
): Record<string, unknown>[] {
  const n = preds.length;
  const classes = runtime.classes;
  const want = new Set(
    (wanted && wanted.length ? wanted : [{ name: 'label' }, { name: 'probabilities' }]).map((o) => o.name),
  );
  const outputs: Record<string, unknown>[] = [];
  if (want.has('label')) {
    const regression = runtime.bundle.task === 'regression';
    outputs.push({
      name: 'label',
      datatype: regression ? 'FP64' : 'BYTES',
      shape: [n],
      data: preds.map((p) => p.label),
    });
  }
  if (want.has('probabilities') && classes.length) {
    const k = classes.length;
    const data = new Array<number>(n * k);
    for (let r = 0; r < n; r++) {
      const probs = preds[r].probabilities ?? {};
      for (let c = 0; c < k; c++) data[r * k + c] = probs[classes[c]];
    }
    outputs.push({
      name: 'probabilities',
      datatype: 'FP64',
      shape: [n, k],
      data,
      parameters: { classes: [...classes] },
    });
  }
  return outputs;
}
