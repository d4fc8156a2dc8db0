/**
 * The small WebAssembly assembler the package's kernels are written with (linear/simd-kernels,
 * trees/packed-walk-wasm, neural/mlp-kernels): LEB128 numbers, sections, a function-body builder and
 * the module around the functions. No toolchain and no binary files: each kernel module spells out
 * its instructions in TypeScript (opcodes from ./opcodes) and is assembled and compiled the first
 * time it is needed.
 */

import { F64, I32, Op, V128, VOID } from './opcodes';

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A vector: its length, then its items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** A name (ASCII). */
export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * A function body under construction: parameters first, then locals in the order they are
 * declared (any mix of types). Methods append instructions and return `this` to chain.
 */
export class Fn {
  readonly c: number[] = [];
  private readonly locals: number[] = [];
  constructor(
    readonly params: number[],
    readonly result: number[] = [],
  ) {}
  local(type: number): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }
  localI32(): number {
    return this.local(I32);
  }
  localF64(): number {
    return this.local(F64);
  }
  localV128(): number {
    return this.local(V128);
  }
  get(x: number): this {
    this.c.push(Op.LocalGet, ...uleb(x));
    return this;
  }
  set(x: number): this {
    this.c.push(Op.LocalSet, ...uleb(x));
    return this;
  }
  tee(x: number): this {
    this.c.push(Op.LocalTee, ...uleb(x));
    return this;
  }
  i32(v: number): this {
    this.c.push(Op.I32Const, ...sleb(v));
    return this;
  }
  f64(v: number): this {
    this.c.push(Op.F64Const, ...new Uint8Array(Float64Array.of(v).buffer));
    return this;
  }
  globalGet(x: number): this {
    this.c.push(Op.GlobalGet, ...uleb(x));
    return this;
  }
  globalSet(x: number): this {
    this.c.push(Op.GlobalSet, ...uleb(x));
    return this;
  }
  /** Calls function `index` of the module (its place in assembleModule's `fns`; itself included). */
  call(index: number): this {
    this.c.push(Op.Call, ...uleb(index));
    return this;
  }
  op(...x: number[]): this {
    this.c.push(...x);
    return this;
  }
  /** Memory access with a constant byte offset; alignment is log2 of the access size. */
  mem(opcode: number, align: number, offset = 0): this {
    this.c.push(opcode, align, ...uleb(offset));
    return this;
  }
  /** A SIMD memory access (v128.load, v128.store) with a constant byte offset; alignment as in `mem`. */
  simdMem(opcode: number, align: number, offset = 0): this {
    this.c.push(Op.Simd, ...uleb(opcode), align, ...uleb(offset));
    return this;
  }
  /** A SIMD instruction (0xfd prefix, LEB128 opcode), then any immediates. */
  simd(opcode: number, ...immediates: number[]): this {
    this.c.push(Op.Simd, ...uleb(opcode), ...immediates);
    return this;
  }
  /** while (!exit()) body(); exit pushes an i32 (non-zero leaves the loop). */
  whileNot(exit: () => void, body: () => void): this {
    this.c.push(Op.Block, VOID, Op.Loop, VOID);
    exit();
    this.c.push(Op.BrIf, 1);
    body();
    this.c.push(Op.Br, 0, Op.End, Op.End);
    return this;
  }
  /** for (x = 0; x < n; x++) body(), x and n i32 locals (signed compare). */
  upTo(x: number, n: number, body: () => void): this {
    this.i32(0).set(x);
    return this.whileNot(
      () => this.get(x).get(n).op(Op.I32GeS),
      () => {
        body();
        this.inc(x);
      },
    );
  }
  /** if (cond) then() — cond pushes an i32. */
  when(cond: () => void, then: () => void): this {
    cond();
    this.c.push(Op.If, VOID);
    then();
    this.c.push(Op.End);
    return this;
  }
  /** if (cond) then() else otherwise() — cond pushes an i32. */
  ifElse(cond: () => void, then: () => void, otherwise: () => void): this {
    cond();
    this.c.push(Op.If, VOID);
    then();
    this.c.push(Op.Else);
    otherwise();
    this.c.push(Op.End);
    return this;
  }
  /** do body() while (again()) — again pushes an i32 (non-zero goes round once more). */
  doWhile(body: () => void, again: () => void): this {
    this.c.push(Op.Loop, VOID);
    body();
    again();
    this.c.push(Op.BrIf, 0, Op.End);
    return this;
  }
  /** x += step */
  inc(x: number, step = 1): this {
    return this.get(x).i32(step).op(Op.I32Add).set(x);
  }
  type(): number[] {
    return [0x60, ...uleb(this.params.length), ...this.params, ...uleb(this.result.length), ...this.result];
  }
  body(): number[] {
    const groups: number[][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const b = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...this.c, Op.End];
    return [...uleb(b.length), ...b];
  }
}

/**
 * A module of the given functions, exported under their names (function i is the i-th, for `call`),
 * that imports one memory as `memory[0].memory[1]` (at least one page), with mutable globals of the
 * given types (I32 or F64, index i the i-th), each starting at 0. A shared module imports a shared
 * memory (any size up to the 4 GiB of 32-bit addresses), which worker threads can use at once.
 */
export function assembleModule(
  memory: readonly [string, string],
  fns: Readonly<Record<string, Fn>>,
  globals: readonly number[] = [],
  shared = false,
): Uint8Array {
  const list = Object.values(fns);
  const names = Object.keys(fns);
  const zero = (t: number): number[] =>
    t === F64 ? [Op.F64Const, 0, 0, 0, 0, 0, 0, 0, 0] : t === I32 ? [Op.I32Const, 0] : unsupported(t);
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // magic, version 1
    ...section(1, vec(list.map((f) => f.type()))), // one type per function
    // Limits: flags 0 (minimum only) or 3 (shared, minimum and maximum), in pages.
    ...section(
      2,
      vec([[...str(memory[0]), ...str(memory[1]), 0x02, ...(shared ? [0x03, 1, ...uleb(65536)] : [0x00, 1])]]),
    ),
    ...section(3, vec(list.map((_, i) => uleb(i)))),
    ...(globals.length ? section(6, vec(globals.map((t) => [t, 0x01, ...zero(t), Op.End]))) : []),
    ...section(7, vec(names.map((nm, i) => [...str(nm), 0x00, ...uleb(i)]))),
    ...section(10, vec(list.map((f) => f.body()))),
  ]);
}

function unsupported(type: number): never {
  throw new Error(`assembleModule: globals of type 0x${type.toString(16)} are not supported`);
}

/** The part of the WebAssembly API the kernels use (the package compiles without the DOM library). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface CompiledModule {
  api: WasmApi;
  module: object;
}

/** Bytes per WebAssembly memory page. */
export const PAGE = 65536;

/** Byte offsets of a kernel's regions in one memory, laid out one after another, each aligned. */
export class MemoryPlan {
  /** Bytes taken so far (the memory's least size). */
  size = 0;
  constructor(private readonly align = 8) {}
  /** The offset of a new region of `bytes` bytes. */
  take(bytes: number): number {
    const here = this.size;
    this.size = Math.ceil((this.size + bytes) / this.align) * this.align;
    return here;
  }
}

/**
 * Compiles a module, or null where WebAssembly is missing or refuses the bytes (say, no SIMD): the
 * callers then keep their JavaScript code. The bytes are built only when WebAssembly exists.
 */
export function compileModule(bytes: () => Uint8Array): CompiledModule | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const b = bytes();
    return api.validate(b) ? { api, module: new api.Module(b) } : null;
  } catch {
    return null;
  }
}

/**
 * A kernel module over an imported memory, compiled on first use (once per thread for plain and
 * once for shared memories) and instantiated once per memory, with the switch tests and benchmarks
 * turn off to run the JavaScript the kernels replace. T is the module's exports.
 */
export class KernelModule<T> {
  private readonly compiled: { plain?: CompiledModule | null; shared?: CompiledModule | null } = {};
  private readonly instances = new WeakMap<WasmMemory, T | null>();
  /** Off: callers take their JavaScript paths (tests and benchmarks only). */
  enabled = true;

  constructor(
    /** The memory's import (module, name). */
    private readonly memoryImport: readonly [string, string],
    private readonly bytes: (shared: boolean) => Uint8Array,
  ) {}

  /** The compiled module for plain or shared memories (null: WebAssembly or the module is unavailable here). */
  module(shared: boolean): CompiledModule | null {
    const key = shared ? 'shared' : 'plain';
    if (this.compiled[key] === undefined) this.compiled[key] = compileModule(() => this.bytes(shared));
    return this.compiled[key]!;
  }

  /** True when switched on and the module compiles here. */
  on(): boolean {
    return this.enabled && this.module(false) !== null;
  }

  /** The kernels over `memory` in this thread (instantiated once per memory), or null. */
  kernels(memory: WasmMemory, shared: boolean): T | null {
    let k = this.instances.get(memory);
    if (k !== undefined) return k;
    const c = this.module(shared);
    k = null;
    if (c)
      try {
        const [mod, name] = this.memoryImport;
        k = new c.api.Instance(c.module, { [mod]: { [name]: memory } }).exports as unknown as T;
      } catch {
        k = null;
      }
    this.instances.set(memory, k);
    return k;
  }
}

/** An instance of a compiled module over a new memory of at least `bytes` bytes. */
export function instantiate(
  compiled: CompiledModule,
  memory: readonly [string, string],
  bytes: number,
): { memory: WasmMemory; exports: Record<string, unknown> } {
  const mem = new compiled.api.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const { exports } = new compiled.api.Instance(compiled.module, { [memory[0]]: { [memory[1]]: mem } });
  return { memory: mem, exports };
}
