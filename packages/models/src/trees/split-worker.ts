/**
 * Worker thread entry for split-threads.ts: waits on its control word for a task, reads any mail
 * first (a fit's shared memory, new row and gradient buffers), runs its block (split-block.ts)
 * and signals done. It never returns to its event loop; the pool unrefs it, so it never keeps a
 * process alive. Never imported by the main thread.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { blockContext, runBlock } from './split-block';
import * as f from './split-block';
import type { BlockContext } from './split-block';
import type { MessagePort } from 'node:worker_threads';
import { createMatrix } from '@campaign-ml/core';
import { fitForestPart } from './forest';
import { histogramKernels } from './histogram-wasm';
import { SplitScan } from './split-scan-wasm';
import { partitionKernels } from './partition-wasm';
import { C_CLAIM, C_DONE, C_ERROR, C_MAIL, C_READY, C_SEQ, KIND_FOREST, spinWhile } from './split-threads';
import type { ForestJob, ForestReply, SplitMail, SplitWorkerData } from './split-threads';

/** Trees of one forest block, sent back as a ForestPart (or the error a one-thread fit would throw). */
function growForestBlock(job: ForestJob | null, block: number, back: MessagePort): void {
  let reply: ForestReply;
  try {
    if (!job) throw new Error('a forest block arrived before its forest was shared');
    const X = createMatrix(job.rows, job.cols, job.data, job.columns);
    const part = fitForestPart(job.owner, job.kind, job.params, job.classification, X, job.y, job.ranges[block], {
      sampleWeight: job.sampleWeight,
    });
    reply = { type: 'part', block, part };
  } catch (e) {
    const err = e as Error & { code?: string };
    reply = { type: 'error', block, name: err?.name ?? 'Error', code: err?.code, message: err?.message ?? String(e) };
  }
  back.postMessage(reply);
}

function main(d: SplitWorkerData & { skip: number }): void {
  const { ctrl, ti, tf, out, mail, back } = d;
  const buffers = new Map<number, SharedArrayBuffer>();
  let ctx: BlockContext | null = null;
  let forest: ForestJob | null = null;
  let received = d.skip;
  const read = (m: SplitMail): void => {
    if (m.type === 'session') {
      const slots = Array.from({ length: m.nSlots }, (_, s) => m.arena.subarray(s * m.slotSize, (s + 1) * m.slotSize));
      ctx = blockContext(
        m.gidx,
        m.cols,
        { offsets: m.offsets, nBins: m.nBins, isCategorical: m.isCategorical },
        m.params,
        m.countFree,
        slots,
        m.features,
        m.blockGidx,
        m.bins,
        m.tmp,
        m.wasm
          ? {
              kernels: histogramKernels(m.wasm.memory, true),
              offsets: m.wasm.offsets,
              scratch: m.wasm.scratch,
              scan: m.wasm.scanOut.map((o) =>
                SplitScan.create(m.wasm!.memory, true, o, m.wasm!.offsets, m.wasm!.nBins),
              ),
              partition: m.wasm.table >= 0 ? partitionKernels(m.wasm.memory, true) : null,
              table: m.wasm.table,
            }
          : null,
      );
      buffers.clear();
    } else if (m.type === 'buffer') buffers.set(m.id, m.buffer);
    else if (m.type === 'forest') forest = m.job;
    else {
      ctx = null;
      forest = null;
      buffers.clear();
    }
  };
  const readMail = (): void => {
    const want = Atomics.load(ctrl, C_MAIL);
    while (received < want) {
      const m = receiveMessageOnPort(mail);
      if (!m) throw new Error(`message ${received + 1} of ${want} did not arrive`);
      read(m.message as SplitMail);
      received++;
    }
  };
  Atomics.add(ctrl, C_READY, 1);
  Atomics.notify(ctrl, C_READY);
  let seen = Atomics.load(ctrl, C_SEQ);
  for (;;) {
    if (!spinWhile(ctrl, C_SEQ, seen)) Atomics.wait(ctrl, C_SEQ, seen);
    seen = Atomics.load(ctrl, C_SEQ);
    try {
      readMail();
      // Take blocks of the current task until none is left (see C_CLAIM).
      for (;;) {
        const c = Atomics.load(ctrl, C_CLAIM);
        const b = c & 0xff;
        if (b >= ((c >>> 8) & 0xff)) break;
        if (Atomics.compareExchange(ctrl, C_CLAIM, c, c + 1) !== c) continue;
        // The block is ours: the task cannot change until DONE counts it.
        try {
          readMail();
          if (ti[f.T_KIND] === KIND_FOREST) {
            growForestBlock(forest, b, back);
            continue;
          }
          if (!ctx) throw new Error('a task arrived before its fit was shared');
          if (ti[f.T_KIND] === f.KIND_LEAF_VALUES) {
            const idx = new Uint32Array(buffers.get(ti[f.T_IDX])!, ti[f.T_IDX_OFF] * 4);
            f.runLeafValuesBlock(ti, b, idx, new Float64Array(buffers.get(ti[f.T_RAW])!), out);
            continue;
          }
          if (ti[f.T_KIND] === f.KIND_GRADIENTS) {
            const view = (id: number, off = 0): Float64Array => new Float64Array(buffers.get(id)!, off * 8);
            const w = ti[f.T_W] < 0 ? undefined : view(ti[f.T_W]);
            const grad = view(ti[f.T_GRAD], ti[f.T_GRAD_OFF]);
            f.runGradientBlock(
              ti,
              b,
              view(ti[f.T_Y]),
              w,
              view(ti[f.T_RAW]),
              grad,
              view(ti[f.T_HESS], ti[f.T_HESS_OFF]),
            );
            continue;
          }
          const idx = new Uint32Array(buffers.get(ti[f.T_IDX])!, ti[f.T_IDX_OFF] * 4);
          if (ti[f.T_KIND] >= f.KIND_PARTITION) {
            f.runPartitionBlock(ctx, ti, b, idx, out);
            continue;
          }
          const grad = new Float64Array(buffers.get(ti[f.T_GRAD])!, ti[f.T_GRAD_OFF] * 8);
          const hess = new Float64Array(buffers.get(ti[f.T_HESS])!, ti[f.T_HESS_OFF] * 8);
          runBlock(ctx, ti, tf, b, idx, grad, hess, out);
        } finally {
          Atomics.add(ctrl, C_DONE, 1);
          Atomics.notify(ctrl, C_DONE);
        }
      }
    } catch (e) {
      Atomics.store(ctrl, C_ERROR, 1);
      back.postMessage((e as Error)?.stack ?? String(e));
    }
  }
}

const data = workerData as (SplitWorkerData & { skip: number }) | null;
if (data && data.ctrl) main(data);
