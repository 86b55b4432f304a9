import { Logger } from '@nestjs/common';
import { loggableError } from '@/common/errors/all-exceptions.filter';

const FAILURE_LOG_EVERY_MS = 60_000;

/**
 * A background job's timer on one instance: runs `work` every `everyMs` (never two runs at
 * once from the timer), lets callers run it now (tests, scripts), and on stop waits for the
 * run in progress so it finishes before the pool closes. Instances coordinate through the
 * database (SKIP LOCKED claims), not here.
 */
export class PeriodicRun<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;
  private failures = 0;
  private lastFailureLog = 0;

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
      this.runNow().then(
        () => this.succeeded(),
        (err: unknown) => this.failed(err),
      );
    }, everyMs);
    this.timer.unref();
  }

  /**
   * A failing run is logged at once, then at most once a minute while it keeps failing (a
   * database outage made a 250 ms job log four stack traces a second), with the count; the
   * error as loggableError keeps it (never a failed query's parameters).
   */
  private failed(err: unknown): void {
    this.failures += 1;
    const now = Date.now();
    if (this.failures > 1 && now - this.lastFailureLog < FAILURE_LOG_EVERY_MS) return;
    this.lastFailureLog = now;
    this.logger.error(
      { err: loggableError(err), consecutiveFailures: this.failures },
      `${this.what} failed`,
    );
  }

  private succeeded(): void {
    if (this.failures === 0) return;
    this.logger.log(`${this.what} works again after ${this.failures} failed runs`);
    this.failures = 0;
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
