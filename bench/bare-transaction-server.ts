/**
 * The baseline of `npm run bench:events`: a bare Fastify + pg server whose POST /bare runs the
 * smallest honest conversion write, a 3-statement transaction (event, referral, reward), on the
 * same PostgreSQL and pool size as the service. Usage: node bare-transaction-server.js PORT URL POOL
 */
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const [port, url, poolSize] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: Number(poolSize ?? 10) });
  await pool.query(`CREATE TABLE IF NOT EXISTS bare_events (id text PRIMARY KEY, body jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS bare_referrals (id text PRIMARY KEY, event_id text NOT NULL);
    CREATE TABLE IF NOT EXISTS bare_rewards (id text PRIMARY KEY, event_id text NOT NULL, amount bigint NOT NULL)`);
  const app = Fastify({ logger: false });
  app.post('/bare', async (request, reply) => {
    const body = request.body as { id: string };
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO bare_events (id, body) VALUES ($1, $2)', [body.id, body]);
      await client.query('INSERT INTO bare_referrals (id, event_id) VALUES ($1, $2)', [
        randomUUID(),
        body.id,
      ]);
      await client.query('INSERT INTO bare_rewards (id, event_id, amount) VALUES ($1, $2, 1000)', [
        randomUUID(),
        body.id,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    return reply.status(201).send({ id: body.id });
  });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.stdout.write('ready\n');
  process.once(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0)),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
