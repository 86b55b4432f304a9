import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** The parts of a node-postgres client this module drives. */
interface PgClient {
  pipeline: boolean;
  query(text: string): Promise<{ command?: string }>;
  connection?: { stream?: { cork?: () => void; uncork?: () => void } };
}

/**
 * Statements a transaction sent without waiting for their results (`deferStatements`): the
 * transaction's end waits for them. Each entry resolves to its error, or null; it never rejects
 * (so a failure is never an unhandled rejection while the transaction goes on).
 */
const deferred = new WeakMap<QueryRunner, Promise<unknown>[]>();

/**
 * Registers writes whose results the transaction does not need; they must already be sent, in
 * order — every repository method passed here sends its one statement synchronously (through
 * `preparedQuery`) before it returns its promise. On a pipelined transaction they travel with
 * the COMMIT in one round trip; otherwise node-postgres runs them in order from its queue.
 * Either way the commit happens only if all of them succeeded.
 */
export function deferStatements(
  em: EntityManager,
  writes: Promise<unknown>[] | (() => Promise<unknown>[]),
): void {
  const runner = em.queryRunner;
  if (!runner) throw new Error('deferStatements needs a transaction');
  if (typeof writes === 'function') writes = sendHeld(runner, writes);
  let list = deferred.get(runner);
  if (!list) deferred.set(runner, (list = []));
  for (const write of writes) {
    list.push(
      write.then(
        () => null,
        (error: unknown) => error ?? new Error('deferred statement failed'),
      ),
    );
  }
}

/** Releases the socket writes a transaction holds for its COMMIT (see sendHeld). */
const heldWrites = new WeakMap<QueryRunner, () => void>();

/**
 * Sends statements (`send`) on a pipelined transaction's connection with its socket corked
 * until the COMMIT is sent too: the last writes and the COMMIT leave in one write (a system
 * call and a wake-up of the server process fewer per statement). Released at the latest
 * when the event loop's current turn ends, so a caller that still awaited a result could
 * never hang on it. Elsewhere the statements are just sent.
 */
function sendHeld(runner: QueryRunner, send: () => Promise<unknown>[]): Promise<unknown>[] {
  const client = (runner as unknown as { databaseConnection?: PgClient }).databaseConnection;
  const stream = client?.connection?.stream;
  if (!client?.pipeline || !stream?.cork || !stream.uncork || heldWrites.has(runner)) {
    return send();
  }
  stream.cork();
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    heldWrites.delete(runner);
    stream.uncork!();
  };
  heldWrites.set(runner, release);
  setImmediate(release);
  try {
    return send();
  } catch (error) {
    release();
    throw error;
  }
}

/** Waits for the deferred writes; the first failure (in the order they were sent), if any. */
async function deferredFailure(runner: QueryRunner): Promise<unknown> {
  const list = deferred.get(runner);
  if (!list || list.length === 0) return null;
  deferred.delete(runner);
  const failures = await Promise.all(list);
  return failures.find((f) => f !== null) ?? null;
}

/** Buffers the socket's writes until the current burst of statements is sent: one syscall. */
function corkUntilNextTick(client: PgClient): void {
  const stream = client.connection?.stream;
  if (!stream?.cork || !stream.uncork) return;
  stream.cork();
  process.nextTick(() => stream.uncork!());
}

/**
 * Runs `work` in a READ COMMITTED transaction. With `pipelined` (a PostgreSQL server, not the
 * embedded database whose connections share one backend session) the connection is switched
 * to node-postgres's pipeline mode for the transaction: BEGIN goes out with the first
 * statement, and the deferred writes with the COMMIT, so the transaction costs two round
 * trips fewer plus one per deferred write, and rows the last writes lock (KPI rollup counters
 * every event of a program adds to) stay locked only while PostgreSQL executes and commits,
 * not while the answer travels back to Node and the COMMIT forth. Errors are the statements'
 * own (with their SQLSTATE `code`), the first one sent when several failed.
 */
export async function runTransaction<T>(
  dataSource: DataSource,
  pipelined: boolean,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  if (!pipelined) {
    return dataSource.transaction(async (em) => {
      let result: T;
      try {
        result = await work(em);
      } catch (error) {
        throw (await deferredFailure(em.queryRunner!)) ?? error;
      }
      const failure = await deferredFailure(em.queryRunner!);
      if (failure) throw failure;
      return result;
    });
  }

  const runner = dataSource.createQueryRunner('master');
  await runner.connect();
  const client = (runner as unknown as { databaseConnection: PgClient }).databaseConnection;
  let open = false;
  try {
    client.pipeline = true;
    corkUntilNextTick(client);
    open = true;
    deferStatements(runner.manager, [client.query('BEGIN')]);
    let result: T;
    try {
      result = await work(runner.manager);
    } catch (error) {
      heldWrites.get(runner)?.();
      throw (await deferredFailure(runner)) ?? error;
    }
    corkUntilNextTick(client);
    const sent = client.query('COMMIT');
    heldWrites.get(runner)?.();
    const commit = sent.then(
      (r) => ({ command: r.command, error: null as unknown }),
      (error: unknown) => ({ command: undefined, error }),
    );
    const failure = await deferredFailure(runner);
    const committed = await commit;
    open = false;
    if (failure) throw failure;
    if (committed.error) throw committed.error;
    // COMMIT of a transaction a statement aborted answers ROLLBACK; that statement threw above.
    if (committed.command !== 'COMMIT')
      throw new Error(`transaction ended by ${committed.command}`);
    return result;
  } finally {
    try {
      heldWrites.get(runner)?.();
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      // Every statement sent has answered by now (answers come in order), so the connection
      // goes back to the pool quiet, in its ordinary mode.
      await deferredFailure(runner);
    } finally {
      client.pipeline = false;
      await runner.release();
    }
  }
}
