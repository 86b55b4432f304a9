import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { DatabaseLifecycle } from '@/database/database.module';
import { ClickJournal } from '@/modules/tracking/click-journal';
import { ClickRepository, ClickRow } from '@/modules/tracking/click.repository';

/** The ClickJournal of the embedded database (null on a PostgreSQL server). */
export const CLICK_JOURNAL = Symbol('CLICK_JOURNAL');

// A click waits in memory at most FLUSH_EVERY_MS (+ one insert) before it is durable; the
// invariant is 250 ms. On the embedded database that insert can wait behind event transactions
// for longer: there the ClickJournal holds the click within JOURNAL_EVERY_MS (10 ms). A full batch is written at once. 50 rather than 100 ms: half-size
// flushes stall the event loop for half as long (bench:redirect p99 23–30 against 31–38 ms,
// same req/s and database CPU); 25 ms cost more than it gained.
export const FLUSH_EVERY_MS = 50;
// The first retry after a failed write waits this long, doubling up to MAX_BACKOFF_MS.
const RETRY_AFTER_MS = 100;
export const FLUSH_AT_ROWS = 1_000;
const MAX_ROWS_PER_INSERT = 5_000;
// While the database is unreachable rows are kept and retried, up to this many; beyond it the
// oldest are dropped (and counted in the log) rather than exhausting memory.
const MAX_BUFFERED_ROWS = 500_000;
const MAX_BACKOFF_MS = 5_000;
const SHUTDOWN_ATTEMPTS = 5;

/**
 * Buffers click rows and writes them in multi-row inserts off the request path. Registered as
 * a drain of DatabaseLifecycle so a clean stop writes the last rows before the pool closes.
 */
@Injectable()
export class ClickWriter implements OnModuleInit {
  private readonly logger = new Logger(ClickWriter.name);
  private buffer: ClickRow[] = [];
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private retryAt = 0;
  private stopped = false;
  // Rows dropped by overflow so far: tells a finishing batch how much of it is already gone.
  private dropped = 0;
  // Journal: the segment closed when the current flush began, and the rows added since (all
  // of the buffer beyond them came before, so in that segment or older ones).
  private journalCut: number | null = null;
  private addedSinceCut = 0;

  constructor(
    private readonly clicks: ClickRepository,
    private readonly lifecycle: DatabaseLifecycle,
    @Optional() @Inject(CLICK_JOURNAL) private readonly journal: ClickJournal | null = null,
  ) {}

  onModuleInit(): void {
    if (this.journal) {
      // Clicks a crashed process had answered but not written: first in line.
      const recovered = this.journal.open();
      if (recovered.length > 0) {
        this.buffer = recovered;
        this.logger.log({ clicks: recovered.length }, 'writing clicks recovered from the journal');
      }
    }
    this.lifecycle.addDrain(() => this.stop());
    this.timer = setInterval(() => this.tick(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  get pending(): number {
    return this.buffer.length;
  }

  add(row: ClickRow): void {
    this.buffer.push(row);
    if (this.journal) {
      this.journal.append(row);
      this.addedSinceCut += 1;
    }
    if (this.buffer.length > MAX_BUFFERED_ROWS) {
      const dropped = this.buffer.length - MAX_BUFFERED_ROWS;
      this.buffer.splice(0, dropped);
      this.dropped += dropped;
      this.logger.error(
        { dropped },
        'click buffer full while the database is failing: dropped the oldest clicks',
      );
    }
    if (this.buffer.length >= FLUSH_AT_ROWS && !this.flushing && Date.now() >= this.retryAt) {
      void this.flush();
    }
  }

  /** Writes everything buffered now (the shutdown drain; also handy in tests). */
  async flushAll(attempts = SHUTDOWN_ATTEMPTS): Promise<void> {
    let tries = 0;
    if (this.flushing) await this.flushing;
    while (this.buffer.length > 0 && tries < attempts) {
      const before = this.failures;
      await this.flush();
      if (this.failures > before) {
        tries += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** tries, 1_000)));
      }
    }
    if (this.buffer.length > 0) {
      this.logger.error(
        { lost: this.buffer.length },
        'could not write buffered clicks before shutdown',
      );
    }
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.flushAll();
    // Rows that could not be written stay in the journal for the next start.
    this.journal?.close();
  }

  private tick(): void {
    const now = Date.now();
    if (this.buffer.length > 0 && !this.flushing && !this.stopped && now >= this.retryAt) {
      void this.flush();
    }
  }

  /** One insert of up to MAX_ROWS_PER_INSERT rows; chains while a full batch is waiting. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      if (this.journal && this.journalCut === null) {
        this.journalCut = this.journal.rotate();
        this.addedSinceCut = 0;
      }
      do {
        const batch = this.buffer.slice(0, MAX_ROWS_PER_INSERT);
        const droppedBefore = this.dropped;
        try {
          await this.clicks.insertMany(batch);
        } catch (err) {
          // Rows stay in the buffer and are retried with backoff; never log visitor data.
          this.failures += 1;
          const backoff = Math.min(RETRY_AFTER_MS * 2 ** this.failures, MAX_BACKOFF_MS);
          this.retryAt = Date.now() + backoff;
          this.logger.error(
            { err, clicks: batch.length, buffered: this.buffer.length, retryInMs: backoff },
            'could not write clicks; keeping them for a retry',
          );
          return;
        }
        // Only this loop and the overflow guard remove rows, both from the front: what is left
        // of the batch is still in front.
        const gone = Math.min(batch.length, this.dropped - droppedBefore);
        this.buffer.splice(0, batch.length - gone);
        this.releaseJournal();
        if (this.stopped) this.lifecycle.noteDrainProgress();
        if (this.failures > 0) this.logger.log({ clicks: batch.length }, 'click writes recovered');
        this.failures = 0;
        this.retryAt = 0;
      } while (this.buffer.length >= FLUSH_AT_ROWS);
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Once no row from before the cut is left in memory, its segments are no longer needed. */
  private releaseJournal(): void {
    if (!this.journal || this.journalCut === null) return;
    if (this.buffer.length > this.addedSinceCut) return;
    try {
      this.journal.removeThrough(this.journalCut);
    } catch (err) {
      this.logger.warn({ err }, 'could not remove a written click journal segment');
    }
    this.journalCut = null;
  }
}
