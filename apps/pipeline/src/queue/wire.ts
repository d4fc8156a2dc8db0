/**
 * JSON-safe values for job data and job results: BullMQ stores them as JSON, which has no typed
 * arrays and no NaN or Infinity (a fold's AUC is NaN when its test rows hold one class). Typed
 * arrays travel as base64 of their bytes, so values come back bit for bit.
 */
type Tagged = { $f64: string } | { $i32: string } | { $u32: string } | { $num: 'NaN' | 'Infinity' | '-Infinity' };

export function toWire(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
  if (v instanceof Float64Array) return { $f64: bytes(v) };
  if (v instanceof Int32Array) return { $i32: bytes(v) };
  if (v instanceof Uint32Array) return { $u32: bytes(v) };
  if (ArrayBuffer.isView(v)) throw new Error(`internal: ${v.constructor.name} cannot travel on the queue`);
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, toWire(x)]),
    );
  return v;
}

export function fromWire<T = unknown>(v: unknown): T {
  if (Array.isArray(v)) return v.map((x) => fromWire(x)) as T;
  if (v === null || typeof v !== 'object') return v as T;
  const t = v as Partial<Record<'$f64' | '$i32' | '$u32' | '$num', string>>;
  if (t.$num !== undefined) return Number(t.$num) as T;
  if (t.$f64 !== undefined) return new Float64Array(buffer(t.$f64)) as T;
  if (t.$i32 !== undefined) return new Int32Array(buffer(t.$i32)) as T;
  if (t.$u32 !== undefined) return new Uint32Array(buffer(t.$u32)) as T;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)])) as T;
}

export type { Tagged };

function bytes(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** A fresh, aligned ArrayBuffer (a Buffer from base64 may sit at any offset of a shared pool). */
function buffer(b64: string): ArrayBuffer {
  const b = Buffer.from(b64, 'base64');
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}
