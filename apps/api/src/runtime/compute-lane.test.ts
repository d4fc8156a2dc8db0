import { ComputeLane } from './compute-lane';

describe('ComputeLane', () => {
  it('runs tasks one at a time in the order they came, each in its own macrotask', async () => {
    const lane = new ComputeLane();
    const log: string[] = [];
    const a = lane.run(() => {
      log.push('a');
      // Something the event loop does after this task: it must come before the next task.
      setImmediate(() => log.push('io after a'));
      return 1;
    });
    const b = lane.run(() => {
      log.push('b');
      return 2;
    });
    expect(lane.length).toBe(2);
    expect(log).toEqual([]);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(log).toEqual(['a', 'io after a', 'b']);
    expect(lane.length).toBe(0);
  });

  it("a task's error goes to its caller only; the tasks after it still run", async () => {
    const lane = new ComputeLane();
    const bad = lane.run(() => {
      throw new Error('bad record');
    });
    const good = lane.run(() => 'fine');
    await expect(bad).rejects.toThrow('bad record');
    await expect(good).resolves.toBe('fine');
    expect(lane.length).toBe(0);
  });
});
