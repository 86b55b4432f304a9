import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }>;
}

// Statement names carry a per-connection tag: the embedded database runs every connection (of
// every process) in ONE backend session, where two connections preparing a name would collide.
const processTag = randomBytes(4).toString('hex');
const clientIds = new WeakMap<object, number>();
let nextClientId = 0;

/**
 * Runs a hot-path statement as a named prepared statement on the transaction's connection:
 * PostgreSQL parses and plans it once per connection, and later calls send only the
 * parameters. `name` must identify `text` exactly (pg refuses one name for two texts).
 * Falls back to an ordinary query outside a transaction's query runner. Inside one, the
 * statement is handed to the connection before this returns its promise (callers that send
 * several statements without awaiting rely on that order: see deferStatements).
 */
/** A connection pool (pg's Pool): a client is taken for the statement and given back. */
interface PgPool {
  connect(): Promise<PgClient & { release(): void }>;
}

export async function preparedQuery<T = any>(
  em: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  // A batch (an array parameter of more than one element) is planned per call: a prepared
  // statement's generic plan, once PostgreSQL settles on one after a few single events, assumes
  // a handful of array elements whatever the batch holds (batches of 500 ran 5-10x slower
  // after a run of single events than alone).
  if (values.some((v) => Array.isArray(v) && v.length > 1)) {
    return unpreparedQuery<T>(em, text, values);
  }
  const client = (em.queryRunner as unknown as { databaseConnection?: PgClient } | undefined)
    ?.databaseConnection;
  if (!client) return em.query(text, values);
  return runPrepared<T>(client, name, text, values);
}

/** The same outside a transaction: on whichever pooled connection is free. */
export async function preparedPoolQuery<T = any>(
  pool: PgPool,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = await pool.connect();
  try {
    return await runPrepared<T>(client, name, text, values);
  } finally {
    client.release();
  }
}

async function runPrepared<T>(
  client: PgClient,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  let id = clientIds.get(client);
  if (id === undefined) {
    id = ++nextClientId;
    clientIds.set(client, id);
  }
  const result = await client.query({ name: `${name}_${processTag}_${id}`, text, values });
  return result.rows as T[];
}

/**
 * The same, but planned for each call (an unnamed statement): the planner sees the values as
 * constants, e.g. an id array's length and members (looked up by hash), where a prepared
 * statement's generic plan knows neither. For statements whose best plan depends on them.
 */
export async function unpreparedQuery<T = any>(
  em: EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = (
    em.queryRunner as unknown as { databaseConnection?: { query: PgClient['query'] } } | undefined
  )?.databaseConnection as unknown as
    { query(text: string, values: unknown[]): Promise<{ rows: any[] }> } | undefined;
  if (!client) return em.query(text, values);
  return (await client.query(text, values)).rows;
}
