import { AbortError } from '@campaign-ml/core';

/** Run `work` with an AbortSignal that Ctrl-C fires (the work then removes what it started writing). */
export async function withInterrupt<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Ctrl-C can arrive twice (the terminal signals the whole process group, and tsx relays it to
  // its child): stay subscribed so that a second one does not kill the process before cleanup.
  const onSigint = () => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\nStopping: ${what}.\n`);
    controller.abort(new AbortError('interrupted by Ctrl-C'));
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
