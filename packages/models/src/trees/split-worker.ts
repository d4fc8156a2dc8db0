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
import { C_CLAIM, C_DONE, C_ERROR, C_MAIL, C_READY, C_SEQ } from './split-threads';
import type { SplitMail, SplitWorkerData } from './split-threads';

function main(d: SplitWorkerData & { skip: number }): void {
  const { ctrl, ti, tf, out, mail, back } = d;
  const buffers = new Map<number, SharedArrayBuffer>();
  let ctx: BlockContext | null = null;
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
      );
      buffers.clear();
    } else if (m.type === 'buffer') buffers.set(m.id, m.buffer);
    else {
      ctx = null;
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
    Atomics.wait(ctrl, C_SEQ, seen);
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
          if (!ctx) throw new Error('a task arrived before its fit was shared');
          const idx = new Uint32Array(buffers.get(ti[f.T_IDX])!);
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
