// An event the warehouse refuses for good loads without the values at fault, each with a notice;
// only an event no value's removal makes loadable is set aside whole. A prepared chunk straight
// into a real PostgreSQL (tables narrowed and constrained by hand, as a customer might), no Kafka.
import type { SourceConfig } from '@manifold/config-client';
import type { SpecEvent } from '@manifold/events';
import { requirePostgres, testInfrastructure, testLogger } from '@manifold/testing';
import {
  PostgresEngine,
  schemaNameForSource,
  type LoadOptions,
  type SourceBatch,
  type SourceLoadResult,
} from '@manifold/warehouse';
import { numericProperties, runWarehouseSql, sampleEvents } from '@manifold/warehouse/testing';
import { LoadOutcome } from './load-outcome';
import { loadIsolatingRefusedRows } from './refused-rows';
import { source } from './testing/harness';
import { pendingOf, prepare, recordBase, stepsFor } from './testing/isolation';

const logger = testLogger('refused-values');
const { warehousePostgresUrl } = testInfrastructure();

/** The real engine, counting its trial loads (to see whether the error's column was used). */
class CountingEngine extends PostgresEngine {
  trials = 0;

  override load(batch: SourceBatch, options?: LoadOptions): Promise<SourceLoadResult> {
    if (options?.trial) this.trials++;
    return super.load(batch, options);
  }
}

let engine: CountingEngine;

beforeAll(async () => {
  await requirePostgres(warehousePostgresUrl);
  engine = new CountingEngine({ connection: { url: warehousePostgresUrl }, logger });
});

afterAll(async () => {
  await engine?.close();
});

/** Loads `first` (creating its tables), then changes them by hand with `sql` (`$schema` replaced). */
async function tablesChangedByHand(web: SourceConfig, first: SpecEvent, sql: string): Promise<string> {
  const schema = schemaNameForSource(web.slug);
  const outcome = new LoadOutcome();
  const { steps } = stepsFor(engine, web, logger);
  expect(await loadIsolatingRefusedRows(await prepare(web, pendingOf([first])), outcome, steps)).toBeUndefined();
  await runWarehouseSql({ postgresUrl: warehousePostgresUrl }, sql.replaceAll('$schema', `"${schema}"`));
  engine.trials = 0;
  return schema;
}

/** Loads a chunk of `events` through the isolation; its load record and what each transaction held. */
async function load(web: SourceConfig, events: SpecEvent[]) {
  const outcome = new LoadOutcome();
  const { steps, transactions } = stepsFor(engine, web, logger);
  expect(await loadIsolatingRefusedRows(await prepare(web, pendingOf(events)), outcome, steps)).toBeUndefined();
  return { record: outcome.record(recordBase(web)), transactions };
}

async function rowsById(schema: string, table: string) {
  return new Map((await engine.readTable(schema, table)).map((row) => [row['id'], row]));
}

const order = (properties: Record<string, unknown>) => sampleEvents.track({ properties });

describe('an event the warehouse refuses for good (PostgreSQL)', () => {
  it('loads without the value in the column its error names, with a notice; the other events untouched', async () => {
    const web = source();
    const schema = await tablesChangedByHand(
      web,
      order({ quantity: 1, sku: 'A-0' }),
      'ALTER TABLE $schema."order_completed" ALTER COLUMN quantity TYPE integer',
    );
    const before = order({ quantity: 2, sku: 'A-2' });
    const bad = order({ quantity: 3_000_000_000, sku: 'A-3' });
    const after = order({ quantity: 4, sku: 'A-4' });

    const { record, transactions } = await load(web, [before, bad, after]);

    expect(record).toMatchObject({ status: 'partial', events: 3, skippedEvents: 0, skipped: [], errors: [] });
    expect(record.notices).toEqual([
      {
        kind: 'value_refused',
        table: 'order_completed',
        column: 'quantity',
        messageId: bad.messageId,
        reason: expect.stringContaining('SQLSTATE 22003') as string,
        count: 1,
      },
    ]);
    // PostgreSQL's COPY error named the column: one trial confirmed it, no search.
    expect(engine.trials).toBe(1);
    expect(transactions.flatMap((t) => t.events).sort()).toEqual([before, bad, after].map((e) => e.messageId).sort());
    const rows = await rowsById(schema, 'order_completed');
    expect(rows.get(bad.messageId)).toMatchObject({ quantity: null, sku: 'A-3' });
    expect(rows.get(before.messageId)).toMatchObject({ quantity: 2, sku: 'A-2' });
    expect(rows.get(after.messageId)).toMatchObject({ quantity: 4, sku: 'A-4' });
    expect(await rowsById(schema, 'tracks')).toHaveProperty('size', 4);
  });

  it('finds by trials the values refused by constraints whose errors name no column, among 40 others', async () => {
    const web = source();
    const schema = await tablesChangedByHand(
      web,
      order({ ...numericProperties(40), coupon: 'WELCOME' }),
      `ALTER TABLE $schema."order_completed" ADD CONSTRAINT no_free_coupon CHECK (coupon <> 'FREE');
       ALTER TABLE $schema."order_completed" ADD CONSTRAINT small_metric CHECK (metric_17 < 1000)`,
    );
    const bad = order({ ...numericProperties(40), metric_17: 5000, coupon: 'FREE' });
    const good = order({ ...numericProperties(40), coupon: 'SPRING' });

    const { record } = await load(web, [bad, good]);

    expect(record).toMatchObject({ status: 'partial', events: 2, skippedEvents: 0 });
    const refused = record.notices.filter((n) => n.kind === 'value_refused');
    expect(refused.map((n) => n.kind === 'value_refused' && n.column).sort()).toEqual(['coupon', 'metric_17']);
    for (const notice of refused) {
      expect(notice).toMatchObject({ table: 'order_completed', messageId: bad.messageId });
      expect(notice.kind === 'value_refused' && notice.reason).toMatch(/SQLSTATE 23514/);
    }
    const byColumn = Object.fromEntries(refused.map((n) => [n.kind === 'value_refused' && n.column, n]));
    expect(byColumn['coupon']).toMatchObject({ reason: expect.stringContaining('no_free_coupon') as string });
    expect(byColumn['metric_17']).toMatchObject({ reason: expect.stringContaining('small_metric') as string });
    // About 60 values: a handful of trials per fault, not one per value.
    expect(engine.trials).toBeGreaterThan(1);
    expect(engine.trials).toBeLessThan(30);
    const rows = await rowsById(schema, 'order_completed');
    expect(rows.get(bad.messageId)).toMatchObject({ coupon: null, metric_17: null, metric_16: 16.5, metric_18: 18.5 });
    expect(rows.get(good.messageId)).toMatchObject({ coupon: 'SPRING', metric_17: 17.5 });
  });

  it('drops a trait only from the table that refuses it (users), keeping it in identifies', async () => {
    const web = source();
    const schema = await tablesChangedByHand(
      web,
      sampleEvents.identify({ userId: 'u-1' }),
      'ALTER TABLE $schema."users" ALTER COLUMN logins TYPE smallint',
    );
    const bad = sampleEvents.identify({ userId: 'u-2', traits: { email: 'bo@example.com', logins: 100_000 } });

    const { record } = await load(web, [bad]);

    expect(record.notices).toEqual([
      expect.objectContaining({ kind: 'value_refused', table: 'users', column: 'logins', messageId: bad.messageId }),
    ]);
    expect((await rowsById(schema, 'identifies')).get(bad.messageId)).toMatchObject({ logins: 100_000 });
    expect((await rowsById(schema, 'users')).get('u-2')).toMatchObject({ logins: null, email: 'bo@example.com' });
  });

  it('sets aside whole, with the reason, an event refused for a value no removal fixes', async () => {
    const web = source();
    const schema = await tablesChangedByHand(
      web,
      order({ quantity: 1 }),
      `ALTER TABLE $schema."order_completed" ADD CONSTRAINT not_future CHECK (received_at < '2030-01-01')`,
    );
    const bad = sampleEvents.track({ receivedAt: '2031-01-01T00:00:00.000Z', properties: { quantity: 2 } });
    const good = order({ quantity: 3 });

    const { record } = await load(web, [bad, good]);

    expect(record).toMatchObject({ status: 'partial', events: 2, skippedEvents: 1 });
    expect(record.skipped).toEqual([
      { messageId: bad.messageId, reason: expect.stringMatching(/not_future.*SQLSTATE 23514/) as string },
    ]);
    expect(record.notices.filter((n) => n.kind === 'value_refused')).toEqual([]);
    // One trial: even without every value that can go, the event is refused.
    expect(engine.trials).toBe(1);
    const rows = await rowsById(schema, 'order_completed');
    expect([...rows.keys()]).not.toContain(bad.messageId);
    expect(rows.get(good.messageId)).toMatchObject({ quantity: 3 });
    expect([...(await rowsById(schema, 'tracks')).keys()]).not.toContain(bad.messageId);
  });
});
