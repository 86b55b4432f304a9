import { Readable } from 'node:stream';
import { AppError } from '@/common/errors/app-error';
import {
  AdvocateImportRepository,
  AdvocateUpsert,
} from '@/modules/advocates/advocate-import.repository';
import { AdvocateImportService } from '@/modules/advocates/advocate-import.service';

/** A repository that remembers the batches it was given and reports every row as created. */
function fakeRepository() {
  const batches: AdvocateUpsert[][] = [];
  const repository = {
    upsertBatchForBrand: (_brandId: string, upserts: AdvocateUpsert[]) => {
      batches.push(upserts);
      return Promise.resolve(upserts.map((u) => ({ externalId: u.externalId, inserted: true })));
    },
  } as unknown as AdvocateImportRepository;
  return { batches, service: new AdvocateImportService(repository) };
}

function chunkedCsv(rows: number): Readable {
  // Many small chunks, as a network upload arrives, with no declared length.
  return Readable.from(
    (function* () {
      yield 'externalId,name\n';
      for (let i = 0; i < rows; i++) yield `c_${i},Name ${i}\n`;
    })(),
  );
}

describe('AdvocateImportService', () => {
  it('writes in batches of 500 distinct externalIds', async () => {
    const { batches, service } = fakeRepository();
    const result = await service.importCsv('brd_x', chunkedCsv(1203));
    expect(result).toMatchObject({ created: 1203, updated: 0, failed: 0 });
    expect(batches.map((b) => b.length)).toEqual([500, 500, 203]);
  });

  it('stops with 413 once an undeclared body passes the limit', async () => {
    const { service } = fakeRepository();
    const body = chunkedCsv(100_000);
    const err = await service.importCsv('brd_x', body, undefined, 50_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('payload_too_large');
    expect((err as AppError).details).toEqual([
      { field: 'body', issue: 'must be at most 50000 bytes' },
    ]);
  });

  it('refuses a declared length over the limit before reading anything', async () => {
    const { batches, service } = fakeRepository();
    const err = await service.importCsv('brd_x', chunkedCsv(10), 60_000, 50_000).catch((e) => e);
    expect((err as AppError).code).toBe('payload_too_large');
    expect(batches).toEqual([]);
  });
});
