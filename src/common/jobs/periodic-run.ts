import { Logger } from '@nestjs/common';

/**
 * A background job's timer on one instance: runs `work` every `everyMs` (never two runs at
 * once from the timer), lets callers run it now (tests, scripts), and on stop waits for the
 * run in progress so it finishes before the pool closes. Instances coordinate through the
 * database (SKIP LOCKED claims), not here.
 */
export class PeriodicRun<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly work: () => Promise<T>,
  ) {}

  /** Starts the timer; 0 or less: never (the job only runs when called). */
  start(everyMs: number): void {
    if (everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // a slow run is never doubled on one instance
      this.runNow().catch((err: unknown) => this.logger.error({ err }, `${this.what} failed`));
    }, everyMs);
    this.timer.unref();
  }

  /** Waits for the run in progress (if any), then runs: sees everything that run committed. */
  async runAfterCurrent(): Promise<T> {
    await this.running?.catch(() => undefined);
    return this.runNow();
  }

  runNow(): Promise<T> {
    const run = this.work();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
