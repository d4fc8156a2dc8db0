import { SingleBar, Presets } from 'cli-progress';

/**
 * Stage progress for the CLI: a bar per stage on a TTY, plain lines otherwise (CI logs, pipes),
 * nothing with --quiet. Stage times are kept for the summary.
 */
export class Progress {
  readonly times: Array<{ stage: string; ms: number }> = [];
  private bar?: SingleBar;
  private stageName = '';
  private started = 0;
  private lastPlain = -1;

  constructor(private readonly mode: 'tty' | 'plain' | 'quiet') {}

  static forStream(stream: NodeJS.WriteStream, quiet: boolean): Progress {
    return new Progress(quiet ? 'quiet' : stream.isTTY ? 'tty' : 'plain');
  }

  stage(name: string, total = 0): void {
    this.end();
    this.stageName = name;
    this.started = performance.now();
    this.lastPlain = -1;
    if (this.mode === 'tty' && total > 0) {
      this.bar = new SingleBar(
        { format: `  {stage} [{bar}] {value}/{total} {detail}`, hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      );
      this.bar.start(total, 0, { stage: name.padEnd(22), detail: '' });
    } else if (this.mode !== 'quiet') process.stderr.write(`  ${name}${total > 0 ? ` (0/${total})` : ''}\n`);
  }

  tick(done: number, total: number, detail = ''): void {
    if (this.bar) {
      this.bar.setTotal(total);
      this.bar.update(done, { detail });
    } else if (
      this.mode === 'plain' &&
      done !== this.lastPlain &&
      (done === total || done % Math.max(1, Math.ceil(total / 4)) === 0)
    ) {
      this.lastPlain = done;
      process.stderr.write(`    ${this.stageName}: ${done}/${total}${detail ? ` ${detail}` : ''}\n`);
    }
  }

  info(line: string): void {
    if (this.mode === 'quiet') return;
    if (this.bar) this.bar.stop();
    this.bar = undefined;
    process.stderr.write(`    ${line}\n`);
  }

  end(): void {
    if (this.stageName) this.times.push({ stage: this.stageName, ms: performance.now() - this.started });
    this.stageName = '';
    this.bar?.stop();
    this.bar = undefined;
  }
}
