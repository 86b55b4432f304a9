import { DataSource, EntityManager } from 'typeorm';
import { DatabaseLifecycle } from '@/database/database.module';
import { deferStatements, runTransaction } from '@/database/pipelined-transaction';
import { preparedQuery } from '@/database/prepared-query';
import { startApp, TestApp } from './helpers/app';

/**
 * The event transaction runner: on a PostgreSQL server it pipelines (BEGIN with the first
 * statement, deferred writes with the COMMIT); on the embedded database it runs the same work
 * one statement at a time. Both must commit all or nothing and throw the failing statement's
 * own error.
 */
describe('runTransaction and deferred statements', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let pipelined: boolean;
  beforeAll(async () => {
    t = await startApp();
    dataSource = t.app.get(DataSource);
    pipelined = !t.app.get(DatabaseLifecycle).connection.isEmbedded;
    await dataSource.query(
      'CREATE TABLE IF NOT EXISTS test_pipelined (id int PRIMARY KEY, note text NOT NULL)',
    );
  });
  afterAll(async () => {
    await dataSource.query('DROP TABLE IF EXISTS test_pipelined');
    await t.close();
  });

  const insert = (em: EntityManager, id: number, note: string) =>
    preparedQuery(em, 'test_pipelined_insert', 'INSERT INTO test_pipelined VALUES ($1, $2)', [
      id,
      note,
    ]);
  const notes = async (from: number, to: number) =>
    (
      await dataSource.query(
        'SELECT id, note FROM test_pipelined WHERE id BETWEEN $1 AND $2 ORDER BY id',
        [from, to],
      )
    ).map((r: { id: number; note: string }) => `${r.id}:${r.note}`);

  it('commits awaited and deferred writes together, in the order they were sent', async () => {
    const result = await runTransaction(dataSource, pipelined, async (em) => {
      await insert(em, 1, 'first');
      deferStatements(em, [
        insert(em, 2, 'deferred'),
        preparedQuery(
          em,
          'test_pipelined_update',
          'UPDATE test_pipelined SET note = $2 WHERE id = $1',
          [2, 'deferred, then updated'],
        ),
      ]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await notes(1, 2)).toEqual(['1:first', '2:deferred, then updated']);
  });

  it('rolls everything back when a deferred write fails, and throws its error', async () => {
    const error = await runTransaction(dataSource, pipelined, async (em) => {
      await insert(em, 10, 'kept only if all commit');
      deferStatements(em, [insert(em, 1, 'duplicate key'), insert(em, 11, 'after the failure')]);
    }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('23505');
    expect(await notes(10, 11)).toEqual([]);
  });

  it('throws the deferred failure, not the aborted transaction, when later work fails after it', async () => {
    const error = await runTransaction(dataSource, pipelined, async (em) => {
      deferStatements(em, [insert(em, 1, 'duplicate key')]);
      await insert(em, 20, 'runs in an aborted transaction');
    }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('23505');
    expect(await notes(20, 20)).toEqual([]);
  });

  it('rolls back when the work throws, and leaves the connections usable', async () => {
    const error = await runTransaction(dataSource, pipelined, async (em) => {
      await insert(em, 30, 'rolled back');
      throw new Error('the work failed');
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('the work failed');
    expect(await notes(30, 30)).toEqual([]);
    // Every pooled connection still answers ordinary queries (none left in pipeline mode).
    const counts = await Promise.all(
      Array.from({ length: 12 }, () =>
        runTransaction(dataSource, pipelined, async (em) => {
          const rows = await em.query('SELECT count(*)::int AS n FROM test_pipelined');
          return rows[0].n as number;
        }),
      ),
    );
    expect(new Set(counts)).toEqual(new Set([2]));
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
