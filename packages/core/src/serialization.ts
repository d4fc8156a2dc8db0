import { SerializationError } from './errors';
import type { Serialized } from './contracts';

export type Loader<T = unknown> = (json: Serialized) => T;

const loaders = new Map<string, Loader>();

/**
 * Register how to load a kind. Packages register their fitted classes when their module loads
 * (e.g. `registerLoader('models/GradientBoostingClassifier', FittedGBC.fromJSON)`).
 */
export function registerLoader<T>(kind: string, loader: Loader<T>): void {
  const existing = loaders.get(kind);
  if (existing && existing !== loader) {
    throw new SerializationError('DUPLICATE_KIND', `a loader for kind "${kind}" is already registered`, {
      value: kind,
    });
  }
  loaders.set(kind, loader as Loader);
}

export function registeredKinds(): string[] {
  return [...loaders.keys()].sort();
}

/** Load any serialized fitted thing by its `kind`. Accepts the object or its JSON text. */
export function load<T = unknown>(json: Serialized | string): T {
  const obj: unknown = typeof json === 'string' ? parseJson(json) : json;
  if (!obj || typeof obj !== 'object' || typeof (obj as Serialized).kind !== 'string') {
    throw new SerializationError('NOT_SERIALIZED', 'expected an object with a string "kind" (from toJSON())', {
      expected: '{ kind, version, ... }',
    });
  }
  const s = obj as Serialized;
  const loader = loaders.get(s.kind);
  if (!loader) {
    throw new SerializationError(
      'UNKNOWN_KIND',
      `no loader is registered for kind "${s.kind}"; import the package that defines it before calling load()`,
      { value: s.kind, expected: `one of: ${registeredKinds().join(', ') || '(none registered)'}` },
    );
  }
  return loader(s) as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SerializationError('INVALID_JSON', `not valid JSON: ${(e as Error).message}`);
  }
}

/** Check kind and version before reading fields; throws a SerializationError that says which. */
export function expectKind(json: Serialized, kind: string, maxVersion: number): void {
  if (json.kind !== kind) {
    throw new SerializationError('WRONG_KIND', `expected kind "${kind}", got "${json.kind}"`, {
      value: json.kind,
      expected: kind,
    });
  }
  if (typeof json.version !== 'number' || json.version < 1 || json.version > maxVersion) {
    throw new SerializationError(
      'UNSUPPORTED_VERSION',
      `"${kind}" version ${String(json.version)} is not supported by this release (it reads 1..${maxVersion}); upgrade the package`,
      { value: json.version, expected: `1..${maxVersion}` },
    );
  }
}

type TypedArray =
  Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | Int8Array | Int16Array;
type TypedArrayName = 'f64' | 'f32' | 'i32' | 'u32' | 'u16' | 'u8' | 'i8' | 'i16';

const ctors: Record<TypedArrayName, { new (buffer: ArrayBuffer): TypedArray; BYTES_PER_ELEMENT: number }> = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
};

/** A typed array as JSON: base64 of its little-endian bytes. Exact for every value, NaN included. */
export interface EncodedArray {
  dtype: TypedArrayName;
  length: number;
  base64: string;
}

function dtypeOf(a: TypedArray): TypedArrayName {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Int8Array) return 'i8';
  return 'i16';
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeArray(a: TypedArray): EncodedArray {
  if (!littleEndian) throw new SerializationError('BIG_ENDIAN', 'typed-array encoding needs a little-endian platform');
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return { dtype: dtypeOf(a), length: a.length, base64: bytesToBase64(bytes) };
}

export function decodeArray<T extends TypedArray = Float64Array>(e: EncodedArray, field = 'array'): T {
  const ctor = e && ctors[e.dtype];
  if (!ctor || typeof e.base64 !== 'string') {
    throw new SerializationError('CORRUPT_ARRAY', `"${field}" is not an encoded typed array`, { column: field });
  }
  const bytes = base64ToBytes(e.base64);
  if (bytes.length !== e.length * ctor.BYTES_PER_ELEMENT) {
    throw new SerializationError(
      'CORRUPT_ARRAY',
      `"${field}" holds ${bytes.length} bytes, expected ${e.length} ${e.dtype} values`,
      {
        column: field,
      },
    );
  }
  const buf = new ArrayBuffer(bytes.length);
  new Uint8Array(buf).set(bytes);
  return new ctor(buf) as T;
}

function bytesToBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined')
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
