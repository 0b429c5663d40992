// A connection that breaks while a load holds it, between two queries, against a real
// PostgreSQL: the loader must not crash (pg emits 'error' on such a client, and an 'error' event
// nobody listens to is thrown), the next query fails, and the broken client leaves the pool.
import pg from 'pg';
import { eventually, requirePostgres, testInfrastructure, testLogger } from '@manifold/testing';
import { withPooledClient } from './pooled-client';

const logger = testLogger('pooled-client');
let pool: pg.Pool;
let admin: pg.Pool;

beforeAll(async () => {
  const url = testInfrastructure().warehousePostgresUrl;
  await requirePostgres(url);
  pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  admin = new pg.Pool({ connectionString: url, max: 1 });
});

afterAll(async () => {
  await pool.end();
  await admin.end();
});

it('survives its connection being cut between queries, and gives no broken client back', async () => {
  let firstPid = 0;
  let failure: unknown;
  await withPooledClient(pool, logger, async (client) => {
    firstPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
    // The server ends the session while no query runs on it, as a warehouse restart would. The
    // test adds no 'error' listener of its own: only withPooledClient's stands between pg's
    // event and an uncaught exception.
    await admin.query('SELECT pg_terminate_backend($1)', [firstPid]);
    await eventually(
      async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [firstPid])).rowCount,
      (rows) => rows === 0,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    failure = await client.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => error,
    );
  });
  expect(failure).toBeInstanceOf(Error);

  // The pool hands out a new, working connection: the broken one was destroyed, not reused.
  const secondPid = await withPooledClient(
    pool,
    logger,
    async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid,
  );
  expect(secondPid).toBeDefined();
  expect(secondPid).not.toBe(firstPid);
});
