/**
 * Worker threads for the tree grower: each node's features are cut into blocks, one per thread;
 * every thread builds its block's histograms and finds its block's best split (split-block.ts),
 * and the main thread merges the candidates in block order. Everything a task reads lives in
 * shared memory (binned rows, gradients, row index, histogram slots), so a task is a few integers
 * in a shared Int32Array, started and awaited with Atomics.notify / Atomics.wait: no message per
 * node. Fits stay synchronous.
 *
 * The pool is process-wide, started on the first fit that asks for more than one thread, and its
 * workers are unref'd: they never keep a process alive. Where worker_threads does not exist (a
 * browser bundle) or the workers cannot start, fits run on the main thread, with the same result.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { nodeBuiltin } from './thread-count';
import {
  blockContext,
  CAND_FLOATS,
  mergeCandidate,
  runBlock,
  runPartitionBlock,
  TASK_FLOATS,
  TASK_INTS,
} from './split-block';
import type { BlockContext } from './split-block';
import * as f from './split-block';
import type { SplitCandidate, BinLayout, SplitParams } from './splitting';
import type { WasmArena } from './histogram-wasm';
import { SplitScan } from './split-scan-wasm';
import { partitionKernels, wasmPartitionOn } from './partition-wasm';
import type { WasmMemory } from '../wasm/assembler';
import type { ForestParams, ForestPart, TreeRange } from './forest';
import type { TreeModelKind } from './fitted-tree-model';
import { OBJECTIVES } from './losses';
import type { Objective } from './losses';

/**
 * Control words shared by the main thread and every worker (16 ints apart: no two on one cache
 * line). A task is published by bumping SEQ; its blocks are claimed one at a time with a
 * compare-and-swap on CLAIM = generation << 16 | blocks << 8 | next block, by the main thread as
 * well as the workers, so a worker that wakes late (a busy machine) simply finds every block taken
 * and the main thread never waits for a thread that has not started. DONE counts finished blocks.
 */
export const C_SEQ = 0;
export const C_CLAIM = 16;
export const C_DONE = 32;
export const C_ERROR = 48;
export const C_READY = 64;
/** Messages posted to every worker so far; a worker reads its mail up to this before a block. */
export const C_MAIL = 80;
const CTRL_INTS = 96;
/** How long the main thread waits for workers' blocks without any progress before giving up. */
const STALL_MS = 300_000;
/**
 * How long a thread spins on a control word before it sleeps on it (Atomics.wait). A futex wake
 * costs tens of microseconds, about a small node's whole histogram: during a fit, tasks come every
 * few hundred microseconds, so the workers spin between them and the main thread spins for the
 * workers' blocks; after a fit they sleep within this time.
 */
export const SPIN_MS = 2;

/** Spins until ctrl[i] differs from `value` or SPIN_MS pass; true when it changed. */
export function spinWhile(ctrl: Int32Array, i: number, value: number): boolean {
  let until = 0;
  for (let n = 1; ; n++) {
    if (Atomics.load(ctrl, i) !== value) return true;
    if ((n & 1023) === 0) {
      const now = performance.now();
      if (until === 0) until = now + SPIN_MS;
      else if (now > until) return false;
    }
  }
}
/** C_ERROR when a worker could not load its script. */
const LOAD_FAILED = 2;
/** At most this many blocks per task (the claim word has 8 bits for them). */
export const MAX_BLOCKS = 64;

/** Messages to a worker (read synchronously with receiveMessageOnPort). */
export type SplitMail =
  | {
      type: 'session';
      gidx: Uint16Array | Uint32Array;
      cols: number;
      offsets: Int32Array;
      nBins: Int32Array;
      isCategorical: Uint8Array;
      params: SplitParams;
      countFree: boolean;
      arena: Float64Array;
      slotSize: number;
      nSlots: number;
      features: Int32Array;
      blockGidx: Uint8Array[];
      bins: Uint8Array;
      tmp: Uint32Array;
      /**
       * The fit's shared WebAssembly memory (arena, blockGidx and features are views of it), its
       * feature offsets and bin counts, the split scan's result areas, and the partition kernels'
       * swizzle tables (-1: partitions in JavaScript; else bins and tmp are views of it too).
       */
      wasm?: {
        memory: WasmMemory;
        offsets: Int32Array;
        nBins: Int32Array;
        scratch: Uint8Array[];
        scanOut: Float64Array[];
        table: number;
      };
    }
  | { type: 'buffer'; id: number; buffer: SharedArrayBuffer }
  | { type: 'forest'; job: ForestJob }
  | { type: 'end' };

/** Trees of one forest for the workers: its data in shared memory and the tree range of each block. */
export interface ForestJob {
  owner: string;
  kind: TreeModelKind;
  params: ForestParams;
  classification: boolean;
  rows: number;
  cols: number;
  columns: string[];
  data: Float64Array;
  y: Float64Array;
  sampleWeight: Float64Array | undefined;
  ranges: TreeRange[];
}

/** What a worker sends back for a forest block. */
export type ForestReply =
  | { type: 'part'; block: number; part: ForestPart }
  | { type: 'error'; block: number; name: string; code?: string; message: string };

/** Task kind of a forest block (split-block.ts has kinds 1 and 2). */
export const KIND_FOREST = 3;

export interface SplitWorkerData {
  ctrl: Int32Array;
  ti: Int32Array;
  tf: Float64Array;
  out: Float64Array;
  mail: MessagePort;
  back: MessagePort;
}

interface Slot {
  worker: Worker;
  mail: MessagePort;
  back: MessagePort;
}

type WorkerThreads = typeof import('node:worker_threads');

/** Where split-worker is: beside this file (TypeScript sources) or beside the bundled index.js. */
function workerFile(): { file: string; ts: boolean } | undefined {
  let self: string | undefined = typeof __filename === 'string' ? __filename : undefined;
  if (!self) {
    // The ESM bundle has no __filename: the CommonJS entry of this package sits beside it.
    const mod = nodeBuiltin<typeof import('node:module')>('node:module');
    try {
      self = mod?.createRequire(`${process.cwd()}/`).resolve('@campaign-ml/models');
    } catch {
      return undefined;
    }
  }
  if (!self) return undefined;
  const dir = self.slice(0, Math.max(self.lastIndexOf('/'), self.lastIndexOf('\\')) + 1);
  const ts = self.endsWith('.ts');
  return { file: `${dir}split-worker.${ts ? 'ts' : 'js'}`, ts };
}

class SplitPool {
  readonly slots: Slot[] = [];
  /** Why the pool cannot be used (then every fit runs on the main thread). */
  broken: string | undefined;
  owner: SplitThreads | undefined;
  nextBuffer = 1;
  readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
  readonly ti = new Int32Array(new SharedArrayBuffer(TASK_INTS * 4));
  readonly tf = new Float64Array(new SharedArrayBuffer(TASK_FLOATS * 8));
  readonly out = new Float64Array(new SharedArrayBuffer(MAX_BLOCKS * 2 * CAND_FLOATS * 8));
  private posted = 0;
  private gen = 0;

  constructor(private readonly wt: WorkerThreads) {}

  /** Have at least n workers, started and ready; false when they cannot start. */
  ensure(n: number): boolean {
    if (this.broken) return false;
    while (this.slots.length < n) {
      const slot = this.spawn();
      if (!slot) return false;
      this.slots.push(slot);
      // Workers started later catch up with the mail (sessions) they missed: none is kept, so
      // they get the current owner's session when it next runs.
      this.owner = undefined;
    }
    return true;
  }

  private spawn(): Slot | undefined {
    const where = workerFile();
    if (!where) {
      this.broken = 'the split worker script was not found';
      return undefined;
    }
    const wt = this.wt;
    const mail = new wt.MessageChannel();
    const back = new wt.MessageChannel();
    const data: SplitWorkerData = {
      ctrl: this.ctrl,
      ti: this.ti,
      tf: this.tf,
      out: this.out,
      mail: mail.port2,
      back: back.port2,
    };
    const options = { workerData: { ...data, skip: this.posted }, transferList: [mail.port2, back.port2] };
    const ready = Atomics.load(this.ctrl, C_READY);
    let worker: Worker;
    try {
      // TypeScript sources (tsx, jest) register tsx's CommonJS hook inside the worker, since Node 20
      // does not apply the parent's loaders to a worker's entry file. A worker that cannot load its
      // script says so in the control words: the main thread is blocked and sees no 'error' event.
      // (Resolved through node:module, not a bare `require`, which a browser bundler would shim.)
      const tsx = where.ts
        ? nodeBuiltin<typeof import('node:module')>('node:module')?.createRequire(where.file).resolve('tsx/cjs/api')
        : undefined;
      const register = tsx ? `require(${JSON.stringify(tsx)}).register();` : '';
      const code = `try { ${register} require(${JSON.stringify(where.file)}); } catch (e) {
        const c = require('node:worker_threads').workerData.ctrl;
        Atomics.store(c, ${C_ERROR}, ${LOAD_FAILED}); Atomics.add(c, ${C_READY}, 1); Atomics.notify(c, ${C_READY});
        throw e;
      }`;
      worker = new wt.Worker(code, { ...options, eval: true });
    } catch (e) {
      this.broken = `a split worker could not start: ${(e as Error).message}`;
      return undefined;
    }
    worker.unref();
    worker.on('error', (e: Error) => {
      this.broken = `a split worker failed: ${e.message}`;
    });
    // The main thread blocks here until the worker has loaded (once per process and worker).
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (Atomics.load(this.ctrl, C_ERROR) === LOAD_FAILED) this.broken = `the split worker ${where.file} did not load`;
      else if (Atomics.load(this.ctrl, C_READY) !== ready) break;
      else if (Date.now() > deadline) this.broken = 'a split worker did not start within 30 s';
      if (this.broken) {
        void worker.terminate();
        return undefined;
      }
      Atomics.wait(this.ctrl, C_READY, ready, 100);
    }
    return { worker, mail: mail.port1, back: back.port1 };
  }

  /** Post a message to every worker. */
  postAll(msg: SplitMail): void {
    for (const s of this.slots) s.mail.postMessage(msg);
    this.posted++;
    Atomics.store(this.ctrl, C_MAIL, this.posted);
  }

  /**
   * Publish the task written by `fill` in `blocks` blocks, run blocks on this thread until none is
   * left, then wait for the blocks the workers took.
   */
  run(blocks: number, fill: (ti: Int32Array, tf: Float64Array) => void, work: (b: number) => void): void {
    const ctrl = this.ctrl;
    const gen = (this.gen = (this.gen + 1) & 0x7fff);
    // No block can be claimed while the task is written.
    Atomics.store(ctrl, C_CLAIM, gen << 16);
    fill(this.ti, this.tf);
    this.ti[f.T_BLOCKS] = blocks;
    Atomics.store(ctrl, C_DONE, 0);
    // Block 0 is this thread's before anyone wakes: waking a worker may preempt this thread, and the
    // worker must not take every block meanwhile.
    Atomics.store(ctrl, C_CLAIM, (gen << 16) | (blocks << 8) | 1);
    Atomics.add(ctrl, C_SEQ, 1);
    Atomics.notify(ctrl, C_SEQ);
    // After an error this thread still takes (and skips) the blocks left, and waits for the workers'
    // blocks, so the next task never starts under a running one.
    let failed = false;
    let error: unknown;
    const block = (b: number): void => {
      if (!failed)
        try {
          work(b);
        } catch (e) {
          failed = true;
          error = e;
        }
      Atomics.add(ctrl, C_DONE, 1);
    };
    block(0);
    for (;;) {
      const c = Atomics.load(ctrl, C_CLAIM);
      const b = c & 0xff;
      if (b >= blocks) break;
      if (Atomics.compareExchange(ctrl, C_CLAIM, c, c + 1) !== c) continue;
      block(b);
    }
    // A worker that died hard (killed, out of memory) never counts its block done, and its 'exit'
    // event cannot reach this blocked thread: give up after a long stall rather than wait forever.
    let last = -1;
    let since = Date.now();
    for (;;) {
      const d = Atomics.load(ctrl, C_DONE);
      if (d >= blocks) break;
      if (d !== last) [last, since] = [d, Date.now()];
      else if (Date.now() - since > STALL_MS)
        this.broken = `a split worker made no progress for ${STALL_MS / 1000} s (it may have died); later fits run on one thread`;
      if (this.broken) throw new Error(this.broken);
      if (!spinWhile(ctrl, C_DONE, d)) Atomics.wait(ctrl, C_DONE, d, 1000);
    }
    if (Atomics.load(ctrl, C_ERROR) !== 0) {
      let m: { message: unknown } | undefined;
      for (const s of this.slots) m ??= this.wt.receiveMessageOnPort(s.back);
      this.broken = `a split worker failed: ${m ? String(m.message) : 'unknown error'}`;
      throw new Error(this.broken);
    }
    if (failed) throw error;
  }

  /** The next message a worker sent back, if any. */
  receive(slot: Slot): unknown {
    const m = this.wt.receiveMessageOnPort(slot.back);
    return m ? m.message : undefined;
  }

  /** Wake the workers so they read their mail now (e.g. to let go of a finished fit's memory). */
  wake(): void {
    Atomics.add(this.ctrl, C_SEQ, 1);
    Atomics.notify(this.ctrl, C_SEQ);
  }
}

let pool: SplitPool | null | undefined;

/** Workers started in this process, and why the pool is unusable (for tests and diagnostics). */
export function splitPoolStatus(): { workers: number; broken: string | undefined } {
  return { workers: pool ? pool.slots.length : 0, broken: pool ? pool.broken : 'worker_threads unavailable' };
}

function getPool(): SplitPool | null {
  if (pool === undefined) {
    const wt = nodeBuiltin<WorkerThreads>('node:worker_threads');
    pool = wt && typeof SharedArrayBuffer === 'function' ? new SplitPool(wt) : null;
  }
  return pool;
}

/**
 * Row-major bin codes of the column blocks [b cols / T, (b + 1) cols / T), in shared memory: one
 * byte per bin (bins are < 256; the global index adds each feature's offset).
 */
function blockIndexes(bins: Uint8Array, rows: number, cols: number, T: number): Uint8Array[] {
  return Array.from({ length: T }, (_, b) => {
    const f0 = Math.floor((b * cols) / T);
    const w = Math.floor(((b + 1) * cols) / T) - f0;
    const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, rows * w)));
    for (let j = 0; j < w; j++) {
      const src = (f0 + j) * rows;
      for (let r = 0; r < rows; r++) out[r * w + j] = bins[src + r];
    }
    return out;
  });
}

function shared(a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(a.length * 8));
  out.set(a);
  return out;
}

/**
 * A forest's trees on the pool: `ranges` (tree ranges in tree order) are claimed like feature
 * blocks, `fitLocal` grows a range on this thread, workers grow theirs with fitForestPart on shared
 * copies of X, y and the weights. Returns the parts in range order, or null when there is no pool.
 * An error of this thread's part is thrown as is (the validation a one-thread fit does).
 */
export function runForestParts(
  threads: number,
  job: Omit<ForestJob, 'data' | 'y' | 'sampleWeight' | 'rows' | 'cols' | 'columns'>,
  X: { rows: number; cols: number; columns: readonly string[]; data: Float64Array },
  y: ArrayLike<number>,
  sampleWeight: ArrayLike<number> | undefined,
  fitLocal: (range: TreeRange) => ForestPart,
): ForestPart[] | null {
  const p = getPool();
  if (!p || threads <= 1 || !p.ensure(Math.min(threads, job.ranges.length) - 1)) return null;
  const full: ForestJob = {
    ...job,
    rows: X.rows,
    cols: X.cols,
    columns: [...X.columns],
    data: shared(X.data),
    y: shared(y),
    sampleWeight: sampleWeight ? shared(sampleWeight) : undefined,
  };
  p.owner = undefined;
  p.postAll({ type: 'forest', job: full });
  const parts: (ForestPart | undefined)[] = new Array(job.ranges.length);
  let threw = true;
  try {
    p.run(
      job.ranges.length,
      (ti) => {
        ti[f.T_KIND] = KIND_FOREST;
      },
      (b) => {
        parts[b] = fitLocal(job.ranges[b]);
      },
    );
    threw = false;
  } finally {
    if (threw) for (const s of p.slots) while (p.receive(s) !== undefined);
    p.postAll({ type: 'end' });
    p.wake();
  }
  // Replies are read after the task (and left for no later one when this thread's part threw).
  let failure: ForestReply | undefined;
  for (const s of p.slots)
    for (let m = p.receive(s); m; m = p.receive(s)) {
      const r = m as ForestReply;
      if (r.type === 'part') parts[r.block] = r.part;
      else failure ??= r;
    }
  if (failure?.type === 'error') {
    const e = new Error(`a forest worker failed: ${failure.message}`);
    e.name = failure.name;
    throw e;
  }
  return parts as ForestPart[];
}

/**
 * Nodes with fewer rows x features than this are split on the main thread alone: below it the
 * hand-off costs more than the second thread saves (see the README).
 */
export const MIN_PARALLEL_WORK = 65_536;
let minWork = MIN_PARALLEL_WORK;

/**
 * Row-wise work (a node's row partition) on fewer rows than this stays on the main thread: a
 * hand-off costs tens of microseconds, a row a few nanoseconds (see the README).
 */
export const MIN_PARALLEL_ROWS = 32_768;
let minRows = MIN_PARALLEL_ROWS;

/** The row count from which row-wise work is shared (tests set 0 to send every node's rows through the threads). */
export function minParallelRows(value?: number): number {
  if (value !== undefined) minRows = value;
  return minRows;
}

/** The node size from which work is shared (tests set 0 to send every node through the threads). */
export function minParallelWork(value?: number): number {
  if (value !== undefined) minWork = value;
  return minWork;
}

/**
 * A fit's arrays in one shared WebAssembly memory (histogram-wasm.ts): the histogram slots (nSlots
 * of slotSize, one after the other), the column blocks' codes (one block per thread), the feature
 * offsets and the kernels' scratch of each block; the node features passed to open() must be a
 * view of it too.
 */
export interface ThreadsWasm {
  arena: WasmArena;
  slots: Float64Array;
  codes: Uint8Array[];
  offsets: Int32Array;
  /** The layout's bin counts (for the split scan). */
  nBins: Int32Array;
  scratch: Uint8Array[];
  /** Each block's SCAN_OUT_DOUBLES doubles for the split scan's results (split-scan-wasm.ts). */
  scanOut: Float64Array[];
  /**
   * Set when row partitions run in WebAssembly (partition-wasm.ts): the scratch index (a view of
   * rows entries with three spare ones after it) and the address of the swizzle tables, in the
   * memory; the bins passed to open() must then be a view of it too.
   */
  partition?: { tmp: Uint32Array; table: number };
}

/**
 * One fit's use of the pool: its shared histogram slots and node features, and its row, gradient
 * and hessian buffers as the workers know them. Created by the grower; close() when the fit ends.
 */
export class SplitThreads {
  readonly ctx: BlockContext;
  private readonly buffers = new Map<SharedArrayBuffer, number>();
  private readonly session: SplitMail;
  private closed = false;

  private constructor(
    private readonly p: SplitPool,
    readonly threads: number,
    gidx: Uint16Array | Uint32Array,
    cols: number,
    layout: BinLayout,
    params: SplitParams,
    countFree: boolean,
    readonly nSlots: number,
    slotSize: number,
    features: Int32Array,
    bins: Uint8Array,
    private readonly wasm: ThreadsWasm | undefined,
  ) {
    const rows = Math.floor(bins.length / cols);
    const tmp = wasm?.partition?.tmp ?? new Uint32Array(new SharedArrayBuffer(Math.max(1, rows) * 4));
    const arena = wasm ? wasm.slots : new Float64Array(new SharedArrayBuffer(nSlots * slotSize * 8));
    const slots = Array.from({ length: nSlots }, (_, s) => arena.subarray(s * slotSize, (s + 1) * slotSize));
    const blockGidx = wasm ? wasm.codes : blockIndexes(bins, rows, cols, threads);
    const part = wasm?.partition;
    const w = wasm
      ? {
          kernels: wasm.arena.kernels,
          offsets: wasm.offsets,
          scratch: wasm.scratch,
          scan: wasm.scanOut.map((o) => SplitScan.create(wasm.arena.memory, true, o, wasm.offsets, wasm.nBins)),
          partition: part ? partitionKernels(wasm.arena.memory, true) : null,
          table: part ? part.table : -1,
        }
      : null;
    this.ctx = blockContext(gidx, cols, layout, params, countFree, slots, features, blockGidx, bins, tmp, w);
    this.session = {
      type: 'session',
      gidx,
      cols,
      offsets: layout.offsets,
      nBins: layout.nBins,
      isCategorical: layout.isCategorical,
      params: { ...params },
      countFree,
      arena,
      slotSize,
      nSlots,
      features,
      blockGidx,
      bins,
      tmp,
      wasm: wasm
        ? {
            memory: wasm.arena.memory,
            offsets: wasm.offsets,
            nBins: wasm.nBins,
            scratch: wasm.scratch,
            scanOut: wasm.scanOut,
            table: w!.table,
          }
        : undefined,
    };
  }

  /**
   * Threads for a fit, or null to stay on the main thread (one thread asked, no worker_threads,
   * or the workers could not start). gidx and features must be views of SharedArrayBuffers. With
   * `wasm` (its codes cut in min(threads, cols) blocks), histograms are built from its memory and
   * gidx is not read.
   */
  static open(
    threads: number,
    gidx: Uint16Array | Uint32Array,
    cols: number,
    layout: BinLayout,
    params: SplitParams,
    countFree: boolean,
    nSlots: number,
    slotSize: number,
    features: Int32Array,
    bins: Uint8Array,
    wasm?: ThreadsWasm,
  ): SplitThreads | null {
    if (threads <= 1 || cols < 2) return null;
    const p = getPool();
    const t = Math.min(threads, cols);
    if (!p || !p.ensure(t - 1)) return null;
    return new SplitThreads(p, t, gidx, cols, layout, params, countFree, nSlots, slotSize, features, bins, wasm);
  }

  /** False where there are no worker threads or they could not start. */
  static available(): boolean {
    const p = getPool();
    return p !== null && !p.broken;
  }

  /** False once the fit is closed or the pool broke. */
  usable(): boolean {
    return !this.closed && !this.p.broken;
  }

  /** True when the workers can see these arrays (views of SharedArrayBuffers). */
  canUse(idx: Uint32Array, grad: Float64Array, hess: Float64Array): boolean {
    return (
      !this.closed &&
      !this.p.broken &&
      idx.buffer instanceof SharedArrayBuffer &&
      grad.buffer instanceof SharedArrayBuffer &&
      hess.buffer instanceof SharedArrayBuffer
    );
  }

  /** True when idx, grad and hess are in the fit's WebAssembly memory: the tasks then run its kernels. */
  private inWasm(idx: Uint32Array, grad: Float64Array, hess: Float64Array): boolean {
    const a = this.wasm?.arena;
    return a !== undefined && a.holds(idx) && a.holds(grad) && a.holds(hess);
  }

  /**
   * Build slot `slot` from rows idx[start, end) over the first nf node features, split across the
   * threads; kind 2 also turns slot `parent` into the sibling's histogram (parent - slot). Node A
   * (the built one) is evaluated into candA when evalA, node B (the parent slot) into candB when
   * evalB; a candidate's feature stays -1 when nothing beats the thresholds.
   */
  run(
    kind: 1 | 2,
    nf: number,
    contiguous: boolean,
    idx: Uint32Array,
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array,
    slot: number,
    parent: number,
    evalA: boolean,
    nodeA: { G: number; H: number; C: number },
    evalB: boolean,
    nodeB: { G: number; H: number; C: number },
    candA: SplitCandidate,
    candB: SplitCandidate,
  ): void {
    const p = this.p;
    const blocks = Math.min(this.threads, nf, MAX_BLOCKS);
    const idxId = this.bufferId(idx.buffer as SharedArrayBuffer);
    const gradId = this.bufferId(grad.buffer as SharedArrayBuffer);
    const hessId = this.bufferId(hess.buffer as SharedArrayBuffer);
    const wasm = this.inWasm(idx, grad, hess) ? 1 : 0;
    this.share();
    p.run(
      blocks,
      (ti, tf) => {
        ti[f.T_KIND] = kind;
        ti[f.T_WASM] = wasm;
        ti[f.T_IDX_OFF] = idx.byteOffset / 4;
        ti[f.T_NF] = nf;
        ti[f.T_CONTIGUOUS] = contiguous ? 1 : 0;
        ti[f.T_START] = start;
        ti[f.T_END] = end;
        ti[f.T_SLOT] = slot;
        ti[f.T_PARENT] = parent;
        ti[f.T_EVAL_A] = evalA ? 1 : 0;
        ti[f.T_EVAL_B] = evalB ? 1 : 0;
        ti[f.T_IDX] = idxId;
        ti[f.T_GRAD] = gradId;
        ti[f.T_GRAD_OFF] = grad.byteOffset / 8;
        ti[f.T_HESS] = hessId;
        ti[f.T_HESS_OFF] = hess.byteOffset / 8;
        tf[0] = nodeA.G;
        tf[1] = nodeA.H;
        tf[2] = nodeA.C;
        tf[3] = nodeB.G;
        tf[4] = nodeB.H;
        tf[5] = nodeB.C;
      },
      (b) => runBlock(this.ctx, p.ti, p.tf, b, idx, grad, hess, p.out),
    );
    // Block order, whichever thread ran a block.
    candA.reset();
    candB.reset();
    for (let b = 0; b < blocks; b++) {
      mergeCandidate(candA, p.out, b * 2 * CAND_FLOATS);
      mergeCandidate(candB, p.out, b * 2 * CAND_FLOATS + CAND_FLOATS);
    }
  }

  /**
   * The stable partition of rows idx[start, end) on a numeric split (bin <= thr goes left; the
   * missing bin goes left when missLeft is 1), as TreeGrower.split does it on one thread, cut into
   * one row chunk per thread: each chunk splits its rows into the shared scratch (kind 4), then
   * each copies them to their final places (kind 5). Returns the first right row's position.
   */
  partition(
    idx: Uint32Array,
    start: number,
    end: number,
    feature: number,
    thr: number,
    missing: number,
    missLeft: number,
  ): number {
    const p = this.p;
    const blocks = Math.min(this.threads, MAX_BLOCKS);
    const idxId = this.bufferId(idx.buffer as SharedArrayBuffer);
    // The kernels when idx is in the memory that holds the bins and scratch (and they are on here).
    const wasm = this.ctx.wasm?.partition && wasmPartitionOn() && this.wasm!.arena.holds(idx) ? 1 : 0;
    this.share();
    const fill =
      (kind: number) =>
      (ti: Int32Array): void => {
        ti[f.T_KIND] = kind;
        ti[f.T_WASM] = wasm;
        ti[f.T_START] = start;
        ti[f.T_END] = end;
        ti[f.T_IDX] = idxId;
        ti[f.T_IDX_OFF] = idx.byteOffset / 4;
        ti[f.T_PART_FEATURE] = feature;
        ti[f.T_PART_BIN] = thr;
        ti[f.T_PART_MISSING] = missing;
        ti[f.T_PART_MISS_LEFT] = missLeft;
      };
    const work = (b: number): void => runPartitionBlock(this.ctx, p.ti, b, idx, p.out);
    p.run(blocks, fill(f.KIND_PARTITION), work);
    const out = p.out;
    let left = start;
    for (let b = 0; b < blocks; b++) {
      out[f.PART_LEFT_AT + b] = left;
      left += out[f.PART_LEFT + b];
    }
    let right = left;
    for (let b = 0; b < blocks; b++) {
      out[f.PART_RIGHT_AT + b] = right;
      right += f.chunkStart(start, end, b + 1, blocks) - f.chunkStart(start, end, b, blocks) - out[f.PART_LEFT + b];
    }
    p.run(blocks, fill(f.KIND_SCATTER), work);
    return left;
  }

  /**
   * computeGradients over every row, one row chunk per thread: each row's gradient and hessian
   * depend on that row alone, so the values are the one-thread ones bit for bit. y, w and raw must
   * be whole SharedArrayBuffers (sharable), grad and hess views of SharedArrayBuffers.
   */
  gradients(
    obj: Objective,
    y: Float64Array,
    w: Float64Array | undefined,
    raw: Float64Array,
    K: number,
    grad: Float64Array,
    hess: Float64Array,
  ): void {
    const p = this.p;
    const blocks = Math.min(this.threads, MAX_BLOCKS);
    const id = (a: Float64Array): number => this.bufferId(a.buffer as SharedArrayBuffer);
    const ids = [id(y), w ? id(w) : -1, id(raw), id(grad), id(hess)];
    this.share();
    p.run(
      blocks,
      (ti) => {
        ti[f.T_KIND] = f.KIND_GRADIENTS;
        ti[f.T_START] = 0;
        ti[f.T_END] = y.length;
        ti[f.T_OBJ] = OBJECTIVES.indexOf(obj);
        ti[f.T_K] = K;
        ti[f.T_Y] = ids[0];
        ti[f.T_W] = ids[1];
        ti[f.T_RAW] = ids[2];
        ti[f.T_GRAD] = ids[3];
        ti[f.T_HESS] = ids[4];
        ti[f.T_GRAD_OFF] = grad.byteOffset / 8;
        ti[f.T_HESS_OFF] = hess.byteOffset / 8;
      },
      (b) => f.runGradientBlock(p.ti, b, y, w, raw, grad, hess),
    );
  }

  /**
   * TreeGrower.addLeafValues on the threads: `leaves` (start, end, value of each leaf, in node
   * order) cut into one run per block of about equal rows; scores must be a whole SharedArrayBuffer
   * (sharable) and idx a view of one. False, with nothing done, when the list does not fit the
   * task's shared area.
   */
  leafValues(
    idx: Uint32Array,
    scores: Float64Array,
    stride: number,
    k: number,
    leaves: Float64Array,
    n: number,
  ): boolean {
    const p = this.p;
    const out = p.out;
    if (f.LEAF_LIST + 3 * n > out.length) return false;
    const blocks = Math.min(this.threads, MAX_BLOCKS);
    let rows = 0;
    for (let l = 0; l < n; l++) rows += leaves[3 * l + 1] - leaves[3 * l];
    out.set(leaves.subarray(0, 3 * n), f.LEAF_LIST);
    // Block b's run starts at the first leaf whose rows begin past b / blocks of all the rows.
    out[f.LEAF_BLOCKS] = 0;
    let l = 0;
    let seen = 0;
    for (let b = 1; b < blocks; b++) {
      const target = (rows * b) / blocks;
      while (l < n && seen < target) seen += leaves[3 * l + 1] - leaves[3 * l++];
      out[f.LEAF_BLOCKS + b] = l;
    }
    out[f.LEAF_BLOCKS + blocks] = n;
    const idxId = this.bufferId(idx.buffer as SharedArrayBuffer);
    const rawId = this.bufferId(scores.buffer as SharedArrayBuffer);
    this.share();
    p.run(
      blocks,
      (ti) => {
        ti[f.T_KIND] = f.KIND_LEAF_VALUES;
        ti[f.T_IDX] = idxId;
        ti[f.T_IDX_OFF] = idx.byteOffset / 4;
        ti[f.T_RAW] = rawId;
        ti[f.T_K] = stride;
        ti[f.T_LEAF_CHANNEL] = k;
      },
      (b) => f.runLeafValuesBlock(p.ti, b, idx, scores, out),
    );
    return true;
  }

  /** True when the workers can read and write these arrays in place (whole SharedArrayBuffers). */
  static sharable(...arrays: (Float64Array | undefined)[]): boolean {
    return arrays.every(
      (a) =>
        !a || (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength),
    );
  }

  /** Posts this fit's session and buffers to the workers if another fit used them last. */
  private share(): void {
    const p = this.p;
    if (p.owner !== this) {
      p.postAll(this.session);
      for (const [buffer, id] of this.buffers) p.postAll({ type: 'buffer', id, buffer });
      p.owner = this;
    }
  }

  private bufferId(buffer: SharedArrayBuffer): number {
    let id = this.buffers.get(buffer);
    if (id !== undefined) return id;
    id = this.p.nextBuffer++;
    this.buffers.set(buffer, id);
    if (this.p.owner === this) this.p.postAll({ type: 'buffer', id, buffer });
    return id;
  }

  /** The fit is over: workers drop their references to its shared memory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const p = this.p;
    if (p.owner !== this || p.broken) return;
    p.owner = undefined;
    p.postAll({ type: 'end' });
    p.wake();
  }
}
