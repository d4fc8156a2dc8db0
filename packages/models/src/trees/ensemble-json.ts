import { decodeArray, encodeArray, SerializationError } from '@campaign-ml/core';
import type { EncodedArray } from '@campaign-ml/core';
import type { FlatEnsemble } from './flat-ensemble';

/**
 * A flat ensemble as JSON: its layout numbers and every typed array through core's encodeArray,
 * so loading gives back the same bits. The key order is the file format's; keep it.
 */
export interface EnsembleJSON {
  nOutputs: number;
  valueWidth: number;
  scale: number;
  baseScore: EncodedArray;
  treeOutput: EncodedArray;
  roots: EncodedArray;
  feature: EncodedArray;
  threshold: EncodedArray;
  left: EncodedArray;
  right: EncodedArray;
  defaultLeft: EncodedArray;
  catOffset: EncodedArray;
  catBits: EncodedArray;
  value: EncodedArray;
  cover: EncodedArray;
  gain: EncodedArray;
  /** Rows per node; absent in files written before it was kept (those still load and predict). */
  count?: EncodedArray;
}

export function ensembleToJSON(e: FlatEnsemble): EnsembleJSON {
  return {
    nOutputs: e.nOutputs,
    valueWidth: e.valueWidth,
    scale: e.scale,
    baseScore: encodeArray(e.baseScore),
    treeOutput: encodeArray(e.treeOutput),
    roots: encodeArray(e.roots),
    feature: encodeArray(e.feature),
    threshold: encodeArray(e.threshold),
    left: encodeArray(e.left),
    right: encodeArray(e.right),
    defaultLeft: encodeArray(e.defaultLeft),
    catOffset: encodeArray(e.catOffset),
    catBits: encodeArray(e.catBits),
    value: encodeArray(e.value),
    cover: encodeArray(e.cover),
    gain: encodeArray(e.gain),
    ...(e.count ? { count: encodeArray(e.count) } : {}),
  };
}

/**
 * The arrays of a saved ensemble, decoded in the order of the file's keys (so a damaged file names
 * the first bad array). Their lengths are checked by checkLoadedEnsemble once the model is built.
 */
export function ensembleFromJSON(j: EnsembleJSON): FlatEnsemble {
  if (!j || typeof j !== 'object') throw new SerializationError('CORRUPT_MODEL', 'the model has no "ensemble" object');
  const baseScore = decodeArray<Float64Array>(j.baseScore, 'baseScore');
  const treeOutput = decodeArray<Int32Array>(j.treeOutput, 'treeOutput');
  const roots = decodeArray<Int32Array>(j.roots, 'roots');
  return {
    nTrees: roots.length - 1,
    nOutputs: j.nOutputs,
    valueWidth: j.valueWidth,
    scale: j.scale,
    baseScore,
    treeOutput,
    roots,
    feature: decodeArray<Int32Array>(j.feature, 'feature'),
    threshold: decodeArray<Float64Array>(j.threshold, 'threshold'),
    left: decodeArray<Int32Array>(j.left, 'left'),
    right: decodeArray<Int32Array>(j.right, 'right'),
    defaultLeft: decodeArray<Uint8Array>(j.defaultLeft, 'defaultLeft'),
    catOffset: decodeArray<Int32Array>(j.catOffset, 'catOffset'),
    catBits: decodeArray<Uint32Array>(j.catBits, 'catBits'),
    value: decodeArray<Float64Array>(j.value, 'value'),
    cover: decodeArray<Float64Array>(j.cover, 'cover'),
    gain: decodeArray<Float64Array>(j.gain, 'gain'),
    ...(j.count !== undefined ? { count: decodeArray<Float64Array>(j.count, 'count') } : {}),
  };
}

/** Throws CORRUPT_MODEL unless children are adjacent and the arrays agree in length. */
export function checkLoadedEnsemble(e: FlatEnsemble): void {
  const nodes = e.feature.length;
  for (let i = 0; i < nodes; i++) {
    if (e.left[i] >= 0 && e.right[i] !== e.left[i] + 1) {
      throw new SerializationError(
        'CORRUPT_MODEL',
        `node ${i}: children must be adjacent (right = left + 1); the model file is damaged`,
      );
    }
  }
  const lengthsAgree =
    e.left.length === nodes &&
    e.right.length === nodes &&
    e.value.length === nodes * e.valueWidth &&
    (e.count === undefined || e.count.length === nodes) &&
    e.roots[e.nTrees] === nodes;
  if (!lengthsAgree) {
    throw new SerializationError('CORRUPT_MODEL', 'the tree arrays disagree in length; the model file is damaged');
  }
}
