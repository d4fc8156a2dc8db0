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
import { blockContext, CAND_FLOATS, mergeCandidate, runBlock, TASK_FLOATS, TASK_INTS } from './split-block';
import type { BlockContext } from './split-block';
import * as f from './split-block';
import type { SplitCandidate, BinLayout, SplitParams } from './splitting';

/** Control words of one worker (16 ints apart, so two workers never share a cache line). */
export const C_SEQ = 0;
export const C_DONE = 1;
export const C_READY = 2;
export const C_ERROR = 3;
const CTRL_INTS = 16;

/** Messages to a worker (read synchronously with receiveMessageOnPort before a task). */
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
    }
  | { type: 'buffer'; id: number; buffer: SharedArrayBuffer }
  | { type: 'end' };

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
  ctrl: Int32Array;
  ti: Int32Array;
  tf: Float64Array;
  out: Float64Array;
  mail: MessagePort;
  back: MessagePort;
  posted: number;
  seq: number;
}

type WorkerThreads = typeof import('node:worker_threads');

function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

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

  constructor(private readonly wt: WorkerThreads) {}

  /** Have at least n workers, started and ready; false when they cannot start. */
  ensure(n: number): boolean {
    if (this.broken) return false;
    while (this.slots.length < n) {
      const slot = this.spawn();
      if (!slot) return false;
      this.slots.push(slot);
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
    const ctrl = sharedI32(CTRL_INTS);
    const ti = sharedI32(TASK_INTS);
    const tf = new Float64Array(new SharedArrayBuffer(TASK_FLOATS * 8));
    const out = new Float64Array(new SharedArrayBuffer(2 * CAND_FLOATS * 8));
    const mail = new wt.MessageChannel();
    const back = new wt.MessageChannel();
    const data: SplitWorkerData = { ctrl, ti, tf, out, mail: mail.port2, back: back.port2 };
    const options = { workerData: data, transferList: [mail.port2, back.port2] };
    let worker: Worker;
    try {
      if (where.ts) {
        // TypeScript sources (tsx, jest): register tsx's CommonJS hook inside the worker, since
        // Node 20 does not apply the parent's loaders to a worker's entry file.
        const tsx = require.resolve('tsx/cjs/api');
        const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(where.file)});`;
        worker = new wt.Worker(code, { ...options, eval: true });
      } else worker = new wt.Worker(where.file, options);
    } catch (e) {
      this.broken = `a split worker could not start: ${(e as Error).message}`;
      return undefined;
    }
    worker.unref();
    worker.on('error', (e: Error) => {
      this.broken = `a split worker failed: ${e.message}`;
    });
    // The main thread blocks here until the worker has loaded (once per process and worker).
    if (Atomics.wait(ctrl, C_READY, 0, 60_000) === 'timed-out' && Atomics.load(ctrl, C_READY) === 0) {
      this.broken = 'a split worker did not start within 60 s';
      void worker.terminate();
      return undefined;
    }
    return { worker, ctrl, ti, tf, out, mail: mail.port1, back: back.port1, posted: 0, seq: 0 };
  }

  post(slot: Slot, msg: SplitMail): void {
    slot.mail.postMessage(msg);
    slot.posted++;
  }

  /** Start a task already written into slot.ti / slot.tf. */
  start(slot: Slot): void {
    slot.ti[f.T_MAIL] = slot.posted;
    slot.seq++;
    Atomics.store(slot.ctrl, C_SEQ, slot.seq);
    Atomics.notify(slot.ctrl, C_SEQ);
  }

  /** Wait until the slot's last task is done; throws the worker's error. */
  finish(slot: Slot): void {
    for (;;) {
      const d = Atomics.load(slot.ctrl, C_DONE);
      if (d === slot.seq) break;
      Atomics.wait(slot.ctrl, C_DONE, d, 1000);
      if (this.broken) throw new Error(this.broken);
    }
    if (Atomics.load(slot.ctrl, C_ERROR) !== 0) {
      const m = this.wt.receiveMessageOnPort(slot.back);
      this.broken = `a split worker failed: ${m ? String(m.message) : 'unknown error'}`;
      throw new Error(this.broken);
    }
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

/** Nodes with fewer rows x features than this are split on the main thread alone (see README). */
export const MIN_PARALLEL_WORK = 16_384;

/**
 * One fit's use of the pool: its shared histogram slots and node features, and its row, gradient
 * and hessian buffers as the workers know them. Created by the grower; close() when the fit ends.
 */
export class SplitThreads {
  readonly ctx: BlockContext;
  private readonly buffers = new Map<SharedArrayBuffer, number>();
  private readonly out: Float64Array;
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
  ) {
    const arena = new Float64Array(new SharedArrayBuffer(nSlots * slotSize * 8));
    const slots = Array.from({ length: nSlots }, (_, s) => arena.subarray(s * slotSize, (s + 1) * slotSize));
    this.ctx = blockContext(gidx, cols, layout, params, countFree, slots, features);
    this.out = new Float64Array(2 * CAND_FLOATS);
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
    };
  }

  /**
   * Threads for a fit, or null to stay on the main thread (one thread asked, no worker_threads,
   * or the workers could not start). gidx and features must be views of SharedArrayBuffers.
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
  ): SplitThreads | null {
    if (threads <= 1 || cols < 2) return null;
    const p = getPool();
    const t = Math.min(threads, cols);
    if (!p || !p.ensure(t - 1)) return null;
    return new SplitThreads(p, t, gidx, cols, layout, params, countFree, nSlots, slotSize, features);
  }

  /** A SharedArrayBuffer-backed array, or a plain one. */
  static sharedFloat64(n: number): Float64Array {
    return new Float64Array(new SharedArrayBuffer(n * 8));
  }

  /** True when the workers can see these arrays (views of SharedArrayBuffers; idx from its start). */
  canUse(idx: Uint32Array, grad: Float64Array, hess: Float64Array): boolean {
    return (
      !this.closed &&
      !this.p.broken &&
      idx.buffer instanceof SharedArrayBuffer &&
      idx.byteOffset === 0 &&
      grad.buffer instanceof SharedArrayBuffer &&
      hess.buffer instanceof SharedArrayBuffer
    );
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
    const T = Math.min(this.threads, nf);
    const idxId = this.bufferId(idx.buffer as SharedArrayBuffer);
    const gradId = this.bufferId(grad.buffer as SharedArrayBuffer);
    const hessId = this.bufferId(hess.buffer as SharedArrayBuffer);
    if (p.owner !== this) {
      for (let w = 0; w < this.threads - 1; w++) {
        p.post(p.slots[w], this.session);
        for (const [buffer, id] of this.buffers) p.post(p.slots[w], { type: 'buffer', id, buffer });
      }
      p.owner = this;
    }
    const fill = (ti: Int32Array, tf: Float64Array, b: number): void => {
      ti[f.T_KIND] = kind;
      ti[f.T_FI0] = Math.floor((b * nf) / T);
      ti[f.T_FI1] = Math.floor(((b + 1) * nf) / T);
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
    };
    for (let w = 0; w < T - 1; w++) {
      const s = p.slots[w];
      // A task's fields are rewritten only after the worker is done with the previous one.
      p.finish(s);
      fill(s.ti, s.tf, w + 1);
      p.start(s);
    }
    // Block 0 on the main thread, meanwhile.
    const ti = this.mainTi;
    const tf = this.mainTf;
    fill(ti, tf, 0);
    runBlock(this.ctx, ti, 0, tf, 0, idx, grad, hess, this.out, 0);
    for (let w = 0; w < T - 1; w++) p.finish(p.slots[w]);
    candA.reset();
    candB.reset();
    mergeCandidate(candA, this.out, 0);
    mergeCandidate(candB, this.out, CAND_FLOATS);
    for (let w = 0; w < T - 1; w++) {
      const out = p.slots[w].out;
      mergeCandidate(candA, out, 0);
      mergeCandidate(candB, out, CAND_FLOATS);
    }
  }

  private readonly mainTi = new Int32Array(TASK_INTS);
  private readonly mainTf = new Float64Array(TASK_FLOATS);

  private bufferId(buffer: SharedArrayBuffer): number {
    let id = this.buffers.get(buffer);
    if (id !== undefined) return id;
    id = this.p.nextBuffer++;
    this.buffers.set(buffer, id);
    if (this.p.owner === this)
      for (let w = 0; w < this.threads - 1; w++) this.p.post(this.p.slots[w], { type: 'buffer', id, buffer });
    return id;
  }

  /** The fit is over: workers drop their references to its shared memory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const p = this.p;
    if (p.owner !== this || p.broken) return;
    p.owner = undefined;
    for (let w = 0; w < this.threads - 1; w++) {
      const s = p.slots[w];
      p.finish(s);
      p.post(s, { type: 'end' });
      s.ti[f.T_KIND] = 0;
      p.start(s);
    }
  }
}
