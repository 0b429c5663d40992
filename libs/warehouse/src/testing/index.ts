// Events for tests and benchmarks: one of each call type, with nested, array and oddly named
// properties. `@manifold/warehouse/testing`, apart from the package's API, so the loader's tests
// and benchmark use the same shapes without test fixtures in the public index.
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import type { SpecEvent } from '@manifold/events';

// The SQL pieces the loader's benchmark uses to COPY the same rows into identical tables itself,
// as the baseline the loader is measured against.
export { copyChunks } from '../engines/postgres/copy-text';
export { POSTGRES_TYPES } from '../engines/postgres/types';
export { quoteIdent, qualified } from '../engines/sql';

let sequence = 0;

function base(type: SpecEvent['type'], overrides: Partial<SpecEvent>): SpecEvent {
  sequence++;
  return {
    type,
    messageId: `msg-${type}-${sequence}-${Math.random().toString(36).slice(2, 10)}`,
    userId: 'user-1',
    anonymousId: 'anon-1',
    timestamp: '2026-03-01T10:00:00.000Z',
    originalTimestamp: '2026-03-01T09:59:59.000Z',
    sentAt: '2026-03-01T10:00:00.500Z',
    receivedAt: '2026-03-01T10:00:01.000Z',
    context: { library: { name: 'analytics-node', version: '3.1.0' }, ip: '203.0.113.9' },
    integrations: {},
    ...overrides,
  };
}

export const sampleEvents = {
  identify: (overrides: Partial<SpecEvent> = {}) =>
    base('identify', { traits: { email: 'ada@example.com', plan: 'pro', logins: 3 }, ...overrides }),
  track: (overrides: Partial<SpecEvent> = {}) =>
    base('track', { event: 'Order Completed', properties: { revenue: 19.99, currency: 'USD' }, ...overrides }),
  page: (overrides: Partial<SpecEvent> = {}) =>
    base('page', { name: 'Home', properties: { path: '/', title: 'Welcome' }, ...overrides }),
  screen: (overrides: Partial<SpecEvent> = {}) =>
    base('screen', { name: 'Settings', properties: { section: 'privacy' }, ...overrides }),
  group: (overrides: Partial<SpecEvent> = {}) =>
    base('group', { groupId: 'org-1', traits: { name: 'Acme', employees: 40 }, ...overrides }),
  alias: (overrides: Partial<SpecEvent> = {}) => base('alias', { previousId: 'anon-1', ...overrides }),
};

/** `count` numeric properties `metric_<i>` = i + 0.5: wide rows of fixed-width columns. */
export function numericProperties(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`metric_${i}`, i + 0.5]));
}

/**
 * Runs a statement on a warehouse as its owner would (a customer's own tables, for Reverse ETL
 * tests): on PostgreSQL at `postgresUrl`, or in the DuckDB file at `duckdbPath`.
 */
export async function runWarehouseSql(
  target: { postgresUrl: string } | { duckdbPath: string },
  sql: string,
): Promise<void> {
  if ('postgresUrl' in target) {
    const client = new pg.Client({ connectionString: target.postgresUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    return;
  }
  const instance = await DuckDBInstance.create(target.duckdbPath);
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
