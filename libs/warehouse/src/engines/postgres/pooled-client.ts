import type pg from 'pg';
import type { Logger } from '@manifold/logger';

/**
 * Runs one unit of work on a pooled client and gives it back. pg's pool listens for connection
 * errors only while a client is idle in the pool: one that breaks while checked out but between
 * queries (the warehouse restarts while a load plans its tables) emits 'error' with nobody
 * listening, which would crash the loader. Here that error is logged, the work's next query
 * fails as any failed query does (the load is retried later), and the client is destroyed
 * instead of going back to the pool. `markBroken` lets the work say the same of a client whose
 * ROLLBACK failed.
 */
export async function withPooledClient<T>(
  pool: pg.Pool,
  log: Logger,
  work: (client: pg.PoolClient, markBroken: () => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const markBroken = (): void => {
    broken = true;
  };
  const onError = (error: Error): void => {
    broken = true;
    log.warn({ err: error }, 'warehouse connection failed while in use');
  };
  client.on('error', onError);
  try {
    return await work(client, markBroken);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
