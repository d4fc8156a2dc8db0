/**
 * The packed tree walk (see TreeEnsemble.addTreePacked) as a small WebAssembly function, assembled
 * here byte by byte. The JavaScript walk spends most of its instructions on typed-array bounds
 * checks, overflow checks and register spills; the same steps in WebAssembly need none of them.
 * Same arithmetic in the same order (one f64 multiply and add per tree and row), so scores are
 * bit for bit those of the JavaScript walk.
 *
 * Linear memory (all offsets in bytes, set by the caller):
 *   meta    per tree 4 x i32: packed node start (in nodes), leaf start minus internal nodes (in
 *           leaves), depth, output column
 *   packed  i32 per node: feature * 8 << 8 | threshold rank
 *   leaves  f64 per leaf
 *   codes   the block's byte codes in groups of eight rows (see TreeEnsemble.encodeBlock)
 *   out     f64 rows x K, the block's scores (the caller fills in the scores so far)
 * walk(m, cols, K, nTrees, scale, meta, packed, leaves, codes, out) adds every tree to out.
 * createPackedWalker sets this up for one model.
 */

const I32 = 0x7f;
const F64 = 0x7c;

const enum Op {
  Block = 0x02,
  Loop = 0x03,
  Br = 0x0c,
  BrIf = 0x0d,
  End = 0x0b,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  I32Load = 0x28,
  F64Load = 0x2b,
  I32Load8U = 0x2d,
  F64Store = 0x39,
  I32Const = 0x41,
  I32GeS = 0x4e,
  I32GtS = 0x4a,
  I32Add = 0x6a,
  I32Sub = 0x6b,
  I32Mul = 0x6c,
  I32And = 0x71,
  I32Or = 0x72,
  I32Shl = 0x74,
  I32ShrU = 0x76,
  F64Add = 0xa0,
  F64Mul = 0xa2,
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** Rows walking a tree together (the codes come in groups of eight rows). */
const U = 8;

function walkBody(): { locals: number[]; code: number[] } {
  // Parameters.
  const m = 0;
  const cols = 1;
  const K = 2;
  const nTrees = 3;
  const scale = 4;
  const meta = 5;
  const packed = 6;
  const leaves = 7;
  const codes = 8;
  const out = 9;
  // i32 locals.
  let next = 10;
  const t = next++;
  const mt = next++; // this tree's meta address
  const pk = next++; // byte address of the tree's first node
  const lf = next++; // byte address of leaf 0 minus internal nodes
  const D = next++;
  const o = next++;
  const i = next++;
  const g = next++;
  const d = next++;
  const p = next++;
  const a = next++;
  const n: number[] = [];
  for (let k = 0; k < U; k++) n.push(next++);
  const nI32 = next - 10;
  const c: number[] = [];
  const get = (x: number): void => void c.push(Op.LocalGet, ...uleb(x));
  const set = (x: number): void => void c.push(Op.LocalSet, ...uleb(x));
  const tee = (x: number): void => void c.push(Op.LocalTee, ...uleb(x));
  const i32 = (v: number): void => void c.push(Op.I32Const, ...sleb(v));
  const op = (...x: number[]): void => void c.push(...x);
  const load = (offset: number): void => void c.push(Op.I32Load, 2, ...uleb(offset));
  const load8 = (offset: number): void => void c.push(Op.I32Load8U, 0, ...uleb(offset));
  const loadF = (offset: number): void => void c.push(Op.F64Load, 3, ...uleb(offset));
  const storeF = (offset: number): void => void c.push(Op.F64Store, 3, ...uleb(offset));

  /** n = (n << 1 | 1) + ((rank - code) >>> 31) for node register n and codes base (local) `base` + offset. */
  const step = (nk: number, base: number, offset: number): void => {
    // p = packed[n]
    get(pk);
    get(nk);
    i32(2);
    op(Op.I32Shl, Op.I32Add);
    load(0);
    tee(p);
    // rank
    i32(255);
    op(Op.I32And);
    // code = codes[base + offset + (p >>> 8)]
    get(base);
    get(p);
    i32(8);
    op(Op.I32ShrU, Op.I32Add);
    load8(offset);
    op(Op.I32Sub);
    i32(31);
    op(Op.I32ShrU);
    get(nk);
    i32(1);
    op(Op.I32Shl);
    i32(1);
    op(Op.I32Or, Op.I32Add);
    set(nk);
  };

  /** out[(i + k) * K + o] += leaves[lf + n] * scale, with the row's address in local a. */
  const addLeaf = (nk: number, rowOffset: number): void => {
    // a = out + ((i + rowOffset) * K + o) * 8
    get(out);
    get(i);
    if (rowOffset) {
      i32(rowOffset);
      op(Op.I32Add);
    }
    get(K);
    op(Op.I32Mul);
    get(o);
    op(Op.I32Add);
    i32(3);
    op(Op.I32Shl, Op.I32Add);
    tee(a);
    get(a);
    loadF(0);
    get(lf);
    get(nk);
    i32(3);
    op(Op.I32Shl, Op.I32Add);
    loadF(0);
    get(scale);
    op(Op.F64Mul, Op.F64Add);
    storeF(0);
  };

  // for (t = 0; t < nTrees; t++)
  i32(0);
  set(t);
  op(Op.Block, 0x40, Op.Loop, 0x40);
  get(t);
  get(nTrees);
  op(Op.I32GeS, Op.BrIf, 1);
  {
    get(meta);
    get(t);
    i32(4);
    op(Op.I32Shl, Op.I32Add);
    tee(mt);
    load(0);
    i32(2);
    op(Op.I32Shl);
    get(packed);
    op(Op.I32Add);
    set(pk);
    get(mt);
    load(4);
    i32(3);
    op(Op.I32Shl);
    get(leaves);
    op(Op.I32Add);
    set(lf);
    get(mt);
    load(8);
    set(D);
    get(mt);
    load(12);
    set(o);
    // Groups of eight rows: for (i = 0; i + 8 <= m; i += 8)
    i32(0);
    set(i);
    op(Op.Block, 0x40, Op.Loop, 0x40);
    get(i);
    i32(U);
    op(Op.I32Add);
    get(m);
    op(Op.I32GtS, Op.BrIf, 1);
    {
      // g = codes + (i >>> 3) * 8 * cols + (i & 7)
      get(codes);
      get(i);
      i32(3);
      op(Op.I32ShrU);
      get(cols);
      op(Op.I32Mul);
      i32(3);
      op(Op.I32Shl, Op.I32Add);
      get(i);
      i32(7);
      op(Op.I32And, Op.I32Add);
      set(g);
      for (let k = 0; k < U; k++) {
        i32(0);
        set(n[k]);
      }
      i32(0);
      set(d);
      op(Op.Block, 0x40, Op.Loop, 0x40);
      get(d);
      get(D);
      op(Op.I32GeS, Op.BrIf, 1);
      for (let k = 0; k < U; k++) step(n[k], g, k);
      get(d);
      i32(1);
      op(Op.I32Add);
      set(d);
      op(Op.Br, 0, Op.End, Op.End);
      for (let k = 0; k < U; k++) addLeaf(n[k], k);
    }
    get(i);
    i32(U);
    op(Op.I32Add);
    set(i);
    op(Op.Br, 0, Op.End, Op.End);
    // Remaining rows one at a time: for (; i < m; i++)
    op(Op.Block, 0x40, Op.Loop, 0x40);
    get(i);
    get(m);
    op(Op.I32GeS, Op.BrIf, 1);
    {
      // g = codes + (i >>> 3) * 8 * cols + (i & 7)
      get(codes);
      get(i);
      i32(3);
      op(Op.I32ShrU);
      get(cols);
      op(Op.I32Mul);
      i32(3);
      op(Op.I32Shl, Op.I32Add);
      get(i);
      i32(7);
      op(Op.I32And, Op.I32Add);
      set(g);
      i32(0);
      set(n[0]);
      i32(0);
      set(d);
      op(Op.Block, 0x40, Op.Loop, 0x40);
      get(d);
      get(D);
      op(Op.I32GeS, Op.BrIf, 1);
      step(n[0], g, 0);
      get(d);
      i32(1);
      op(Op.I32Add);
      set(d);
      op(Op.Br, 0, Op.End, Op.End);
      addLeaf(n[0], 0);
    }
    get(i);
    i32(1);
    op(Op.I32Add);
    set(i);
    op(Op.Br, 0, Op.End, Op.End);
  }
  get(t);
  i32(1);
  op(Op.I32Add);
  set(t);
  op(Op.Br, 0, Op.End, Op.End);
  op(Op.End);
  return { locals: [1, ...uleb(nI32), I32], code: c };
}

function moduleBytes(): Uint8Array {
  const { locals, code } = walkBody();
  const params = [I32, I32, I32, I32, F64, I32, I32, I32, I32, I32];
  const type = section(1, [1, 0x60, ...uleb(params.length), ...params, 0]);
  const imp = section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 0x01]);
  const func = section(3, [1, 0]);
  const exp = section(7, [1, ...str('walk'), 0x00, 0]);
  const body = [...locals, ...code];
  const codeSec = section(10, [1, ...uleb(body.length), ...body]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imp, ...func, ...exp, ...codeSec]);
}

type WalkFn = (m: number, cols: number, K: number, nTrees: number, scale: number, meta: number, packed: number, leaves: number, codes: number, out: number) => void;

/** The part of the WebAssembly API used here (the package compiles without the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}

let compiled: { api: WasmApi; module: object } | null | undefined;
/** Switched off by tests only. */
let enabled = true;

/** Tests switch the WebAssembly walk off to cover the JavaScript walk it replaces. */
export function setWasmWalk(on: boolean): void {
  enabled = on;
}

/** True when predictions walk in WebAssembly (available, compiled, not switched off). */
export function wasmWalkOn(): boolean {
  return enabled && walkModule() !== null;
}

/** The compiled module, or null where WebAssembly is unavailable or refused (callers keep the JavaScript walk). */
function walkModule(): { api: WasmApi; module: object } | null {
  if (compiled === undefined) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    try {
      compiled = api ? { api, module: new api.Module(moduleBytes()) } : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** What the walk needs of a model's complete layout. */
export interface PackedModel {
  nTrees: number;
  nOutputs: number;
  /** Per tree: first node, first leaf (length nTrees + 1), depth, output column. */
  nodeBase: Int32Array;
  leafBase: Int32Array;
  depth: Int32Array;
  treeOutput: Int32Array;
  packed: Int32Array;
  /** One value per leaf. */
  value: Float64Array;
}

/**
 * A model's trees in WebAssembly memory, with room for one block of `blockRows` rows: fill
 * `codes` (as TreeEnsemble.encodeBlock does) and `out` (the scores so far, rows x nOutputs), then
 * run(m, scale) adds every tree's leaf value times scale to out.
 */
export interface PackedWalker {
  readonly codes: Uint8Array;
  readonly out: Float64Array;
  run(m: number, scale: number): void;
}

export function createPackedWalker(model: PackedModel, cols: number, blockRows: number): PackedWalker | null {
  const wasm = walkModule();
  if (!wasm) return null;
  const T = model.nTrees;
  const K = model.nOutputs;
  const align = (x: number): number => Math.ceil(x / 8) * 8;
  const packedAt = align(T * 16);
  const leavesAt = align(packedAt + model.packed.length * 4);
  const codesAt = align(leavesAt + model.value.length * 8);
  const codesLen = Math.ceil(blockRows / 8) * 8 * cols;
  const outAt = align(codesAt + codesLen);
  const bytes = outAt + blockRows * K * 8;
  try {
    const memory = new wasm.api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const walk = new wasm.api.Instance(wasm.module, { env: { mem: memory } }).exports.walk as WalkFn;
    const buf = memory.buffer;
    const meta = new Int32Array(buf, 0, T * 4);
    for (let t = 0; t < T; t++) {
      const nb = model.nodeBase[t];
      meta[4 * t] = nb;
      // Leaf index minus the tree's internal nodes: a walk ends at heap position internal + leaf.
      meta[4 * t + 1] = model.leafBase[t] - (model.nodeBase[t + 1] - nb);
      meta[4 * t + 2] = model.depth[t];
      meta[4 * t + 3] = model.treeOutput[t];
    }
    new Int32Array(buf, packedAt, model.packed.length).set(model.packed);
    new Float64Array(buf, leavesAt, model.value.length).set(model.value);
    return {
      codes: new Uint8Array(buf, codesAt, codesLen),
      out: new Float64Array(buf, outAt, blockRows * K),
      run: (m: number, scale: number): void => walk(m, cols, K, T, scale, 0, packedAt, leavesAt, codesAt, outAt),
    };
  } catch {
    return null;
  }
}
