// Isolating the rows a warehouse refuses for good, on its own: a prepared chunk straight into a
// real DuckDB file and a real PostgreSQL, without Kafka or a loader around it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client as PgClient } from 'pg';
import type { SourceConfig } from '@manifold/config-client';
import { requirePostgres, TcpProxy, testInfrastructure, testLogger } from '@manifold/testing';
import { DuckdbEngine, PostgresEngine, schemaNameForSource, type WarehouseEngine } from '@manifold/warehouse';
import { sampleEvents } from '@manifold/warehouse/testing';
import { LoadOutcome } from './load-outcome';
import { loadIsolatingRefusedRows } from './refused-rows';
import { source } from './testing/harness';
import { pendingOf, prepare, recordBase as base, stepsFor as isolationSteps } from './testing/isolation';

const logger = testLogger('refused-rows');
const { warehousePostgresUrl } = testInfrastructure();
let tempDir: string;

beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-refused-rows-'));
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const stepsFor = (engine: WarehouseEngine, web: SourceConfig, afterFirstLoad?: () => Promise<void>) =>
  isolationSteps(engine, web, logger, afterFirstLoad);

const quantity = (n: number) => sampleEvents.track({ properties: { quantity: n } });

/** A first event creates `order_completed`; then someone narrows its quantity column by hand. */
async function narrowedTable(engine: WarehouseEngine, web: SourceConfig, narrow: (sql: string) => Promise<void>) {
  const first = quantity(1);
  const created = await loadIsolatingRefusedRows(
    await prepare(web, pendingOf([first])),
    new LoadOutcome(),
    stepsFor(engine, web).steps,
  );
  expect(created).toBeUndefined();
  const schema = schemaNameForSource(web.slug);
  await narrow(`ALTER TABLE "${schema}"."order_completed" ALTER COLUMN quantity TYPE integer`);
  return first;
}

describe('loadIsolatingRefusedRows', () => {
  it('splits a chunk down to the event the warehouse refuses, loads it without the refused value with a notice, and the rest untouched (DuckDB)', async () => {
    const web = source();
    const path = join(tempDir, 'refused.duckdb');
    const engine = new DuckdbEngine({ path, logger });
    const first = await narrowedTable(engine, web, async (sql) => {
      const instance = await DuckDBInstance.create(path);
      const connection = await instance.connect();
      await connection.run(sql);
      connection.closeSync();
      instance.closeSync();
    });
    const good = Array.from({ length: 20 }, (_, i) => quantity(i));
    const bad = sampleEvents.track({ properties: { quantity: 3_000_000_000, sku: 'A-1' } });
    const events = pendingOf([...good.slice(0, 13), bad, ...good.slice(13)]);
    const outcome = new LoadOutcome();
    const { steps, transactions } = stepsFor(engine, web);

    expect(await loadIsolatingRefusedRows(await prepare(web, events), outcome, steps)).toBeUndefined();

    const record = outcome.record(base(web));
    expect(record).toMatchObject({ status: 'partial', events: 21, skippedEvents: 0, skipped: [], errors: [] });
    expect(record.notices).toEqual([
      {
        kind: 'value_refused',
        table: 'order_completed',
        column: 'quantity',
        messageId: bad.messageId,
        reason: expect.stringMatching(/conver/i) as string,
        count: 1,
      },
    ]);
    // Each committed transaction is reported once, and together they hold every event.
    expect(transactions.length).toBeGreaterThan(1);
    expect(transactions.flatMap((t) => t.events).sort()).toEqual([...good, bad].map((e) => e.messageId).sort());
    const rows = await engine.readTable(schemaNameForSource(web.slug), 'order_completed');
    expect(rows.map((r) => r['id']).sort()).toEqual([first, ...good, bad].map((e) => e.messageId).sort());
    const byId = new Map(rows.map((r) => [r['id'], r]));
    // The refused value alone is missing: the event's other values are there, its neighbours untouched.
    expect(byId.get(bad.messageId)).toMatchObject({ quantity: null, sku: 'A-1', user_id: 'user-1' });
    for (const [i, event] of good.entries()) expect(byId.get(event.messageId)?.['quantity']).toBe(i);
    expect(await engine.readTable(schemaNameForSource(web.slug), 'tracks')).toHaveLength(22);
    await engine.close();
  });

  it('stops at an outage midway, returning the events not loaded with the error, keeping what loaded (PostgreSQL)', async () => {
    await requirePostgres(warehousePostgresUrl);
    const web = source();
    const { proxy, url } = await TcpProxy.inFrontOf(warehousePostgresUrl);
    const engine = new PostgresEngine({ connection: { url }, logger });
    const reader = new PostgresEngine({ connection: { url: warehousePostgresUrl }, logger });
    try {
      const first = await narrowedTable(engine, web, async (sql) => {
        const admin = new PgClient({ connectionString: warehousePostgresUrl });
        await admin.connect();
        await admin.query(sql);
        await admin.end();
      });
      const good = Array.from({ length: 19 }, (_, i) => quantity(i));
      const events = pendingOf([...good.slice(0, 3), quantity(3_000_000_000), ...good.slice(3)]);
      const outcome = new LoadOutcome();
      // The warehouse goes away once the first part committed (and the pool has noticed).
      const { steps, transactions } = stepsFor(engine, web, async () => {
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 300));
      });

      const unloaded = await loadIsolatingRefusedRows(await prepare(web, events), outcome, steps);

      // 20 → 10 + 10 → (5 → 3 + 2) …: the first three loaded, then the connection was gone.
      expect(transactions.map((t) => t.events)).toEqual([events.slice(0, 3).map((e) => e.messageId)]);
      expect(unloaded?.events.map((e) => e.messageId)).toEqual(events.slice(3).map((e) => e.messageId));
      expect(engine.classifyError(unloaded?.error)).toBe('unavailable');
      expect(outcome.record(base(web))).toMatchObject({ status: 'success', events: 3, skippedEvents: 0 });
      const rows = await reader.readTable(schemaNameForSource(web.slug), 'order_completed');
      expect(rows.map((r) => r['id']).sort()).toEqual([first, ...good.slice(0, 3)].map((e) => e.messageId).sort());
    } finally {
      proxy.restore();
      await engine.close();
      await reader.close();
      await proxy.stop();
    }
  });
});
