/**
 * Whether a process of this machine is still running (signal 0 probes without signalling). Used
 * to tell leftovers of a killed run (a temp file, a SQLite staging table, named with their pid)
 * from the work of a run that is still going.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
