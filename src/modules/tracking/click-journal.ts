import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ClickRow } from '@/modules/tracking/click.repository';

const SEGMENT = /^clicks-(\d{1,15})\.ndjson$/;
// Clicks reach the file within this long: one write(2) for all of them. Per turn of the event
// loop instead cost ~15% more CPU per redirect at 7,000 req/s (bench:redirect, embedded).
export const JOURNAL_EVERY_MS = 10;

/**
 * An append-only file of the clicks waiting in memory, so that a crash (`kill -9`, an OOM kill)
 * loses none: the ClickWriter reads it back at the next start. Used with the embedded database,
 * whose single backend can keep a click waiting for its insert far longer than the 250 ms a
 * click may wait (behind a burst of event transactions).
 *
 * Clicks are appended every JOURNAL_EVERY_MS (one write(2) for all of them, to the page cache:
 * they survive the process, not the machine). The file is cut in segments:
 * the writer starts a new one when a flush begins and removes the older ones once every row they
 * hold is in the database. Replaying a segment whose rows were already written changes nothing:
 * the click id is the primary key, and the rollups count only the rows an insert adds.
 */
export class ClickJournal {
  private fd: number | null = null;
  private seq = 0;
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly dir: string) {}

  /** The rows of segments left by an earlier process, oldest first; then opens a new segment. */
  open(): ClickRow[] {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const earlier = this.segments();
    const rows: ClickRow[] = [];
    for (const seq of earlier) rows.push(...parseSegment(readFileSync(this.path(seq), 'utf8')));
    this.seq = earlier.length ? earlier[earlier.length - 1]! : 0;
    this.startSegment();
    return rows;
  }

  append(row: ClickRow): void {
    if (this.fd === null) return;
    this.pending.push(JSON.stringify(row));
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.writePending(), JOURNAL_EVERY_MS).unref();
    }
  }

  /** Starts a new segment; answers the last one closed (everything buffered so far is in it or before). */
  rotate(): number {
    this.writePending();
    const closed = this.seq;
    if (this.fd !== null) closeSync(this.fd);
    this.startSegment();
    return closed;
  }

  /** Removes the segments up to `seq` (their rows are in the database). */
  removeThrough(seq: number): void {
    for (const s of this.segments()) if (s <= seq && s !== this.seq) unlinkSync(this.path(s));
  }

  close(): void {
    this.writePending();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private writePending(): void {
    this.scheduled = false;
    if (this.fd === null || this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    writeSync(this.fd, text);
  }

  private startSegment(): void {
    this.seq += 1;
    this.fd = openSync(this.path(this.seq), 'a', 0o600);
  }

  private segments(): number[] {
    return readdirSync(this.dir)
      .map((name) => SEGMENT.exec(name)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private path(seq: number): string {
    return join(this.dir, `clicks-${seq}.ndjson`);
  }
}

/** Whole lines only: the last one may have been cut by the crash. */
function parseSegment(text: string): ClickRow[] {
  const rows: ClickRow[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const row = JSON.parse(line) as ClickRow;
      if (typeof row?.id === 'string' && typeof row.clickedAt === 'number') rows.push(row);
    } catch {
      // a line cut short by the crash: its click was never answered durable
    }
  }
  return rows;
}
