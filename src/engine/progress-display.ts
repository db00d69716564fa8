import type { Logger } from '../log.js';
import { formatProgressLine, progressBar } from '../report/summary-line.js';
import { filesInProgress } from '../store/progress-queries.js';
import type { Store } from '../store/store.js';

export interface ProgressDisplayOptions {
  /** `log`: one progress line per file per tick (`start`); `terminal`: live lines redrawn in place (`run-once` on a TTY). */
  mode: 'log' | 'terminal';
  intervalMs: number;
  /** Where terminal mode draws; stdout by default. */
  out?: NodeJS.WriteStream;
}

/** Shows the operator how each file in progress is doing, from the store, on a timer. */
export class ProgressDisplay {
  private timer: NodeJS.Timeout | undefined;
  private drawnLines = 0;

  constructor(
    private readonly store: Store,
    private readonly options: ProgressDisplayOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Prints a line above the live block (terminal mode) or logs it. */
  announce(line: string, details: Record<string, unknown>): void {
    if (this.options.mode === 'terminal') {
      this.clear();
      this.out().write(`${line}\n`);
      this.tick();
    } else {
      this.logger.info(details, line);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.mode === 'terminal') this.clear();
  }

  private out(): NodeJS.WriteStream {
    return this.options.out ?? process.stdout;
  }

  private tick(): void {
    if (!this.store.db.open) return;
    const now = Date.now();
    const files = filesInProgress(this.store.db);
    if (this.options.mode === 'log') {
      for (const file of files) {
        if (file.state === 'submitting') this.logger.info({ file: file.file, rows: file.rows, done: file.done }, formatProgressLine(file, now));
      }
      return;
    }
    this.clear();
    const lines = files.map((file) =>
      file.state === 'reading' ? `${file.file}: reading...` : `${progressBar(file.done, file.rows)} ${formatProgressLine(file, now)}`,
    );
    if (lines.length > 0) this.out().write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  /** Erases the live block: cursor up over each drawn line, clearing it. */
  private clear(): void {
    if (this.drawnLines === 0) return;
    this.out().write('\x1b[1A\x1b[2K'.repeat(this.drawnLines));
    this.drawnLines = 0;
  }
}
