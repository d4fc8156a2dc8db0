/**
 * One lane for the CPU-heavy work of requests (explanations, what-if searches): tasks run one at a
 * time, in the order their requests arrived, each in a macrotask of its own. Between two tasks the
 * event loop reads the sockets, so predictions (which never queue here) are answered in between and
 * a request that came later never overtakes one that came earlier: with many clients explaining
 * at once, each waits for the explanations ahead of it, not for whichever sockets the loop happens
 * to read first.
 */
export class ComputeLane {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Tasks waiting or running. */
  get length(): number {
    return this.queued;
  }

  /** Run `work` after every task queued before it; its result or error is the promise's. */
  run<T>(work: () => T): Promise<T> {
    this.queued++;
    const next = this.tail.then(
      () =>
        new Promise<T>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(work());
            } catch (e) {
              reject(e);
            } finally {
              this.queued--;
            }
          }),
        ),
    );
    this.tail = next.catch(() => undefined);
    return next;
  }
}
