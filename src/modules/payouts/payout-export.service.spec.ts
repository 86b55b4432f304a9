import { Readable } from 'node:stream';
import { AppError } from '@/common/errors/app-error';
import type {
  PayoutBatchRepository,
  PayoutBatchRow,
} from '@/modules/payouts/payout-batch.repository';
import type { AdvocateLineRow } from '@/modules/payouts/payout-export-format';
import type { PayoutExportRepository } from '@/modules/payouts/payout-export.repository';
import { PayoutExportService } from '@/modules/payouts/payout-export.service';

/**
 * The stream's mechanics with in-memory pages: paging, the header once, errors before the
 * first byte rejected (an ordinary JSON error), errors after it destroying the stream. What
 * the SQL returns is tested end to end in test/payouts-export.e2e-spec.ts.
 */
const BATCH = 'pob_00000000000000000001';

function batchRow(status: PayoutBatchRow['status'] = 'created'): PayoutBatchRow {
  const at = new Date('2026-11-30T12:00:00Z');
  return {
    id: BATCH,
    brand_id: 'brd_1',
    status,
    currency: 'USD',
    cutoff: at,
    program_id: null,
    minimum_amount: null,
    idempotency_key: null,
    request_hash: '0'.repeat(64),
    advocate_count: 5,
    reward_count: 9,
    total_amount: '1500',
    clawback_amount: '0',
    carried_advocate_count: 0,
    carried_amount: '0',
    banned_advocate_count: 0,
    banned_amount: '0',
    reference: null,
    exported_at: null,
    paid_at: null,
    canceled_at: null,
    created_at: at,
    updated_at: at,
    cursor_at: '2026-11-30 12:00:00+00',
  };
}

function line(i: number): AdvocateLineRow {
  return {
    advocate_id: `adv_${String(i).padStart(20, '0')}`,
    external_id: `c${i}`,
    email: null,
    name: null,
    amount: String(100 * i),
    reward_count: 1,
    clawback_amount: '0',
    period_start: '2026-11-01T00:00:00.000Z',
    period_end: '2026-11-01T00:00:00.000Z',
  };
}

function service(options: {
  status?: PayoutBatchRow['status'];
  lines?: number;
  failOnCall?: number;
}) {
  const all = Array.from({ length: options.lines ?? 5 }, (_, i) => line(i + 1));
  const calls: (string | null)[] = [];
  const batches = {
    findByIdForBrand: jest.fn(async () => batchRow(options.status)),
    markExported: jest.fn(async () => undefined),
  } as unknown as PayoutBatchRepository;
  const exports = {
    advocateLinesPage: jest.fn(
      async (_b: string, _id: string, after: string | null, limit: number) => {
        calls.push(after);
        if (calls.length === options.failOnCall) throw new Error('connection lost');
        return all.filter((l) => after === null || l.advocate_id > after).slice(0, limit);
      },
    ),
  } as unknown as PayoutExportRepository;
  return { svc: new PayoutExportService(batches, exports), calls, batches };
}

async function readAll(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('PayoutExportService', () => {
  it('reads page after page by keyset and writes the header once', async () => {
    const { svc, calls } = service({ lines: 5 });
    const progress: number[] = [];
    const file = await svc.open('brd_1', BATCH, 'csv', 'advocates', {
      pageSize: 2,
      onProgress: (n) => progress.push(n),
    });
    const text = await readAll(file.stream);
    const records = text.split('\r\n').filter(Boolean);
    expect(records).toHaveLength(6);
    expect(records[0]!.startsWith('batchId,advocateId')).toBe(true);
    expect(records.slice(1).map((r) => r.split(',')[2])).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(calls).toEqual([null, line(2).advocate_id, line(4).advocate_id]);
    expect(progress).toEqual([2, 4, 5]);
    expect(file.lines).toBe(5);
  });

  it('stops after a full last page with one empty read', async () => {
    const { svc, calls } = service({ lines: 4 });
    const file = await svc.open('brd_1', BATCH, 'json', 'advocates', { pageSize: 2 });
    expect((await readAll(file.stream)).trimEnd().split('\n')).toHaveLength(4);
    expect(calls).toHaveLength(3);
  });

  it('refuses before the first byte: missing or canceled batch, failing first query', async () => {
    await expect(
      service({ status: 'canceled' }).svc.open('brd_1', BATCH, 'csv', 'advocates'),
    ).rejects.toBeInstanceOf(AppError);
    const failing = service({ failOnCall: 1 });
    await expect(failing.svc.open('brd_1', BATCH, 'csv', 'advocates')).rejects.toThrow(
      'connection lost',
    );
    expect(failing.batches.markExported).not.toHaveBeenCalled();
  });

  it('a failure after the first byte errors the stream (the connection is cut)', async () => {
    const { svc } = service({ lines: 5, failOnCall: 2 });
    const file = await svc.open('brd_1', BATCH, 'csv', 'advocates', { pageSize: 2 });
    await expect(readAll(file.stream)).rejects.toThrow('connection lost');
  });

  it('stops reading when the client goes away', async () => {
    const { svc, calls } = service({ lines: 5 });
    const file = await svc.open('brd_1', BATCH, 'csv', 'advocates', { pageSize: 1 });
    for await (const _chunk of file.stream) break; // the header, then the consumer leaves
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(file.stream.destroyed).toBe(true);
  });
});
