import type { DatabaseLifecycle } from '@/database/database.module';
import type { ClickRepository, ClickRow } from '@/modules/tracking/click.repository';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickJournal, JOURNAL_EVERY_MS } from '@/modules/tracking/click-journal';
import { ClickWriter, FLUSH_AT_ROWS } from '@/modules/tracking/click-writer';

function row(i: number): ClickRow {
  return {
    id: `click-${i}`,
    brandId: 'brd_1',
    programId: 'prg_1',
    ctaId: 'cta_1',
    advocateId: 'adv_1',
    linkId: 'lnk_1',
    channel: 'instagram',
    clickedAt: 0,
    referrerHost: null,
    uaFamily: 'Safari',
    isBot: false,
    isFirstVisit: true,
    visitorHash: 'v',
  };
}

/** A repository that stores rows and fails the next `failures` inserts. */
function fakeRepository() {
  const stored: string[] = [];
  const inserts: number[] = [];
  const repo = {
    failures: 0,
    stored,
    inserts,
    insertMany(rows: ClickRow[]): Promise<void> {
      if (repo.failures > 0) {
        repo.failures -= 1;
        return Promise.reject(new Error('connection refused'));
      }
      inserts.push(rows.length);
      stored.push(...rows.map((r) => r.id));
      return Promise.resolve();
    },
  };
  return repo;
}

function writerWith(repo: ReturnType<typeof fakeRepository>, journal: ClickJournal | null = null) {
  const drains: (() => Promise<void>)[] = [];
  const lifecycle = {
    progress: 0,
    addDrain: (d: () => Promise<void>) => drains.push(d),
    noteDrainProgress: () => (lifecycle.progress += 1),
  };
  const writer = new ClickWriter(
    repo as unknown as ClickRepository,
    lifecycle as unknown as DatabaseLifecycle,
    journal,
  );
  // silence the expected error logs
  (writer as unknown as { logger: { error: () => void; log: () => void } }).logger = {
    error: () => undefined,
    log: () => undefined,
  };
  return { writer, drains, lifecycle };
}

describe('ClickWriter', () => {
  it('writes a full batch at once, in one insert', async () => {
    const repo = fakeRepository();
    const { writer } = writerWith(repo);
    for (let i = 0; i < FLUSH_AT_ROWS; i++) writer.add(row(i));
    await writer.flushAll();
    expect(repo.inserts).toEqual([FLUSH_AT_ROWS]);
    expect(new Set(repo.stored).size).toBe(FLUSH_AT_ROWS);
  });

  it('keeps the rows of a failed insert and writes them once the database is back', async () => {
    const repo = fakeRepository();
    const { writer } = writerWith(repo);
    repo.failures = 2;
    for (let i = 0; i < 10; i++) writer.add(row(i));
    await writer.flushAll();
    expect(repo.stored).toEqual(Array.from({ length: 10 }, (_, i) => `click-${i}`));
    expect(writer.pending).toBe(0);
  });

  it('flushes on shutdown through the database drain and stops its timer', async () => {
    const repo = fakeRepository();
    const { writer, drains, lifecycle } = writerWith(repo);
    writer.onModuleInit();
    expect(drains).toHaveLength(1);
    for (let i = 0; i < 25; i++) writer.add(row(i));
    expect(lifecycle.progress).toBe(0);
    await drains[0]!();
    expect(repo.stored).toHaveLength(25);
    // the stop's writes tell the shutdown deadline that the drain is making progress
    expect(lifecycle.progress).toBe(1);
  });

  it('writes buffered clicks within the flush interval', async () => {
    const repo = fakeRepository();
    const { writer, drains } = writerWith(repo);
    writer.onModuleInit();
    writer.add(row(1));
    await new Promise((r) => setTimeout(r, 250));
    expect(repo.stored).toEqual(['click-1']);
    await drains[0]!();
  });

  describe('with a journal (embedded database)', () => {
    const turn = () => new Promise((resolve) => setTimeout(resolve, JOURNAL_EVERY_MS + 5));
    const segments = (dir: string) => readdirSync(dir).sort();

    it("gives a crashed process's unwritten clicks to the next one, which writes them once", async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'click-journal-')), 'journal');
      const down = fakeRepository();
      down.failures = 100; // the database never answers: nothing is written before the "crash"
      const first = writerWith(down, new ClickJournal(dir)).writer;
      first.onModuleInit();
      for (let i = 0; i < 3; i++) first.add(row(i));
      await turn(); // JOURNAL_EVERY_MS after the redirects were answered
      expect(readFileSync(join(dir, 'clicks-1.ndjson'), 'utf8').trim().split('\n')).toHaveLength(3);
      // kill -9: no drain, no flush. The next process reads the journal.
      const repo = fakeRepository();
      const { writer: second, drains } = writerWith(repo, new ClickJournal(dir));
      second.onModuleInit();
      expect(second.pending).toBe(3);
      second.add(row(3));
      await drains[0]!();
      expect(repo.stored).toEqual(['click-0', 'click-1', 'click-2', 'click-3']);
      // Written: only the segment open at the stop is left, and empty.
      const left = segments(dir);
      expect(left).toHaveLength(1);
      expect(readFileSync(join(dir, left[0]!), 'utf8')).toBe('');
    });

    it('keeps a segment until every row in it is written', async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'click-journal-')), 'journal');
      const repo = fakeRepository();
      const { writer } = writerWith(repo, new ClickJournal(dir));
      writer.onModuleInit();
      writer.add(row(0));
      writer.add(row(1));
      repo.failures = 1;
      await writer.flushAll(1); // the insert fails: both rows stay, and so does their segment
      expect(repo.stored).toEqual([]);
      expect(segments(dir)).toEqual(['clicks-1.ndjson', 'clicks-2.ndjson']);
      writer.add(row(2));
      await writer.flushAll();
      expect(repo.stored).toEqual(['click-0', 'click-1', 'click-2']);
      expect(segments(dir)).toEqual(['clicks-2.ndjson']);
    });

    it('skips a last line cut short by the crash', async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'click-journal-')), 'journal');
      const journal = new ClickJournal(dir);
      journal.open();
      journal.append(row(7));
      journal.close();
      const { appendFileSync } = await import('node:fs');
      appendFileSync(join(dir, 'clicks-1.ndjson'), '{"id":"click-8","bra');
      expect(new ClickJournal(dir).open().map((r) => r.id)).toEqual(['click-7']);
    });
  });
});
