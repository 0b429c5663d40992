// The same behaviour from both engines, against a real PostgreSQL (a schema per test) and real
// DuckDB files in a temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SpecEvent } from '@manifold/events';
import { requirePostgres, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { buildSourceBatch, schemaNameForSource, type ColumnType } from '../layout';
import { sampleEvents } from '../testing';
import { DuckdbEngine } from './duckdb/duckdb-engine';
import type { WarehouseEngine } from './engine';
import { PostgresEngine } from './postgres/postgres-engine';

const logger = testLogger('warehouse-engines');
let tempDir: string;

beforeAll(async () => {
  await requirePostgres(testInfrastructure().warehousePostgresUrl);
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-duckdb-'));
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const engines: Array<[string, () => WarehouseEngine]> = [
  ['postgres', () => new PostgresEngine({ connection: { url: testInfrastructure().warehousePostgresUrl }, logger })],
  ['duckdb', () => new DuckdbEngine({ path: join(tempDir, `${uniqueName('wh')}.duckdb`), logger })],
];

describe.each(engines)('%s engine', (_kind, makeEngine) => {
  let engine: WarehouseEngine;
  let schema: string;

  beforeEach(() => {
    engine = makeEngine();
    schema = schemaNameForSource(uniqueName('src'));
  });

  afterEach(async () => {
    await engine.close();
  });

  const load = (events: SpecEvent[]) =>
    engine.load(buildSourceBatch(events, { schema, uuidTs: new Date().toISOString(), maxStringLength: 512 }));

  const columns = async (table: string): Promise<Record<string, ColumnType>> =>
    Object.fromEntries((await engine.catalog(schema))?.get(table) ?? []);

  it('creates the schema, a table per call type and per event, with every column typed', async () => {
    const identify = sampleEvents.identify({ traits: { email: 'a@x.io', address: { postalCode: '75001' } } });
    const track = sampleEvents.track({
      event: 'Order Completed',
      properties: {
        revenue: 19.99,
        items: 2,
        gift: false,
        products: [{ sku: 'A', price: 9.99 }],
        deliveredAt: '2026-03-02T08:00:00.000Z',
        'Coupon Code!': 'SPRING',
        userId: 'reserved-and-discarded',
      },
    });
    const events = [
      identify,
      track,
      sampleEvents.page(),
      sampleEvents.screen(),
      sampleEvents.group(),
      sampleEvents.alias(),
    ];
    const result = await load(events);
    expect(result.rowsByTable).toEqual({
      identifies: 1,
      users: 1,
      tracks: 1,
      order_completed: 1,
      pages: 1,
      screens: 1,
      groups: 1,
      aliases: 1,
    });
    const catalog = await engine.catalog(schema);
    expect([...(catalog?.keys() ?? [])].sort()).toEqual(
      ['aliases', 'groups', 'identifies', 'order_completed', 'pages', 'screens', 'tracks', 'users'].sort(),
    );
    const common = {
      id: 'string',
      anonymous_id: 'string',
      user_id: 'string',
      received_at: 'timestamp',
      sent_at: 'timestamp',
      timestamp: 'timestamp',
      original_timestamp: 'timestamp',
      uuid_ts: 'timestamp',
      context_library_name: 'string',
      context_library_version: 'string',
      context_ip: 'string',
    };
    expect(await columns('order_completed')).toEqual({
      ...common,
      event: 'string',
      event_text: 'string',
      revenue: 'float',
      items: 'integer',
      gift: 'boolean',
      products: 'string',
      delivered_at: 'timestamp',
      coupon_code: 'string',
    });
    expect(await columns('tracks')).toEqual({ ...common, event: 'string', event_text: 'string' });
    expect(await columns('identifies')).toEqual({ ...common, email: 'string', address_postal_code: 'string' });
    expect(await columns('users')).toEqual({
      id: 'string',
      received_at: 'timestamp',
      uuid_ts: 'timestamp',
      email: 'string',
      address_postal_code: 'string',
    });
    expect(await columns('aliases')).toEqual({ ...common, previous_id: 'string' });
    expect(await columns('groups')).toEqual({ ...common, group_id: 'string', name: 'string', employees: 'integer' });

    const [row] = await engine.readTable(schema, 'order_completed');
    expect(row).toMatchObject({
      id: track.messageId,
      user_id: 'user-1',
      received_at: '2026-03-01T10:00:01.000Z',
      event: 'order_completed',
      event_text: 'Order Completed',
      revenue: 19.99,
      items: 2,
      gift: false,
      products: '[{"sku":"A","price":9.99}]',
      delivered_at: '2026-03-02T08:00:00.000Z',
      coupon_code: 'SPRING',
    });
    expect(result.plan.notices).toContainEqual(
      expect.objectContaining({ kind: 'reserved_name', column: 'user_id', path: 'userId' }),
    );
  });

  it('adds a column for a new property, keeping earlier rows', async () => {
    await load([sampleEvents.track({ properties: { revenue: 10 } })]);
    const later = sampleEvents.track({ properties: { revenue: 12, newThing: 'hello' } });
    const result = await load([later]);
    expect(result.plan.tables.find((t) => t.name === 'order_completed')?.addColumns).toEqual([
      { name: 'new_thing', type: 'string' },
    ]);
    expect((await columns('order_completed'))['new_thing']).toBe('string');
    const rows = await engine.readTable(schema, 'order_completed');
    expect(rows.map((r) => r['new_thing']).sort()).toEqual(['hello', null].sort());
  });

  it('keeps the first type of a column; a conflicting value is cast or dropped and reported, not failing the load', async () => {
    await load([sampleEvents.track({ properties: { revenue: 10, size: 'L' } })]);
    const conflicting = sampleEvents.track({ properties: { revenue: 'lots', size: 42 } });
    const result = await load([conflicting]);
    expect(result.rowsByTable['order_completed']).toBe(1);
    expect(await columns('order_completed')).toMatchObject({ revenue: 'integer', size: 'string' });
    const row = (await engine.readTable(schema, 'order_completed')).find((r) => r['id'] === conflicting.messageId);
    expect(row).toMatchObject({ revenue: null, size: '42' });
    expect(result.plan.notices).toEqual(
      expect.arrayContaining([
        {
          kind: 'type_conflict',
          table: 'order_completed',
          column: 'revenue',
          columnType: 'integer',
          valueType: 'string',
          action: 'dropped',
          count: 1,
        },
        {
          kind: 'type_conflict',
          table: 'order_completed',
          column: 'size',
          columnType: 'string',
          valueType: 'integer',
          action: 'cast',
          count: 1,
        },
      ]),
    );
  });

  it('updates a user in place with the latest traits; an identify arriving late only fills traits the user lacks', async () => {
    const first = sampleEvents.identify({
      userId: 'u-42',
      receivedAt: '2026-03-01T10:00:00.000Z',
      traits: { plan: 'free', city: 'Paris', age: 30 },
    });
    const second = sampleEvents.identify({
      userId: 'u-42',
      receivedAt: '2026-03-01T12:00:00.000Z',
      traits: { plan: 'pro', company: { name: 'Acme' } },
    });
    const late = sampleEvents.identify({
      userId: 'u-42',
      receivedAt: '2026-03-01T11:00:00.000Z',
      traits: { plan: 'team', city: 'Lyon', phone: '555-0100' },
    });
    await load([first]);
    await load([second]);
    const result = await load([late]);
    expect(result.rowsByTable['users']).toBe(1);
    const users = await engine.readTable(schema, 'users');
    expect(users).toEqual([
      expect.objectContaining({
        id: 'u-42',
        plan: 'pro',
        city: 'Paris',
        age: 30,
        phone: '555-0100',
        company_name: 'Acme',
        received_at: '2026-03-01T12:00:00.000Z',
      }),
    ]);
    expect(await engine.readTable(schema, 'identifies')).toHaveLength(3);
  });

  it('stores a redelivered event once, within a load and across loads', async () => {
    const track = sampleEvents.track();
    const identify = sampleEvents.identify();
    const first = await load([track, track, identify]);
    expect(first.rowsByTable).toMatchObject({ tracks: 1, order_completed: 1, identifies: 1 });
    const again = await load([track, identify, sampleEvents.page()]);
    expect(again.rowsByTable).toMatchObject({ tracks: 0, order_completed: 0, identifies: 0, pages: 1 });
    expect(await engine.readTable(schema, 'tracks')).toHaveLength(1);
    expect(await engine.readTable(schema, 'order_completed')).toHaveLength(1);
    expect(await engine.readTable(schema, 'identifies')).toHaveLength(1);
    expect(await engine.readTable(schema, 'users')).toHaveLength(1);
  });

  it('loads the new events of a batch that repeats some already stored, each once', async () => {
    const old = [sampleEvents.track(), sampleEvents.track()];
    await load(old);
    const fresh = [sampleEvents.track(), sampleEvents.track(), sampleEvents.track()];
    const again = await load([old[1] as SpecEvent, ...fresh, old[0] as SpecEvent]);
    expect(again.rowsByTable).toMatchObject({ tracks: 3, order_completed: 3 });
    const ids = (await engine.readTable(schema, 'tracks')).map((r) => r['id']);
    expect(ids.sort()).toEqual([...old, ...fresh].map((e) => e.messageId).sort());
  });

  it('keeps page and screen category as analytics.js, the Go and the Python SDKs send it, with no notice', async () => {
    const url = 'https://example.com/docs/start';
    // analytics.page('Docs', 'Getting Started'): both at the top level and again in properties.
    const ajsPage = sampleEvents.page({
      name: 'Getting Started',
      category: 'Docs',
      properties: { category: 'Docs', name: 'Getting Started', path: '/docs/start', url, title: 'Start' },
    });
    // analytics.screen('Account', 'Settings'): the top level only.
    const ajsScreen = sampleEvents.screen({ name: 'Settings', category: 'Account', properties: {} });
    // analytics-go: Page{Name, Properties: NewProperties().SetCategory("Docs")}: no top-level category.
    const goPage = sampleEvents.page({ name: 'Getting Started', properties: { category: 'Docs', url } });
    const goScreen = sampleEvents.screen({ name: 'Settings', properties: { category: 'Account' } });
    // analytics-python: page(user_id, category, name, properties), screen(...) alike; an unset
    // category or name is sent as null.
    const pyPage = sampleEvents.page({ name: 'Getting Started', category: 'Docs', properties: { url } });
    const pyScreen = sampleEvents.screen({ name: 'Settings', category: 'Account', properties: {} });
    const pyUnset = sampleEvents.page(
      JSON.parse('{"name":null,"category":null,"properties":{"url":"https://example.com/"}}') as Partial<SpecEvent>,
    );
    const result = await load([ajsPage, ajsScreen, goPage, goScreen, pyPage, pyScreen, pyUnset]);
    expect(result.plan.notices).toEqual([]);
    const pages = await engine.readTable(schema, 'pages');
    const byId = (rows: typeof pages, id: string) => rows.find((r) => r['id'] === id);
    for (const page of [ajsPage, goPage, pyPage]) {
      expect(byId(pages, page.messageId)).toMatchObject({ name: 'Getting Started', category: 'Docs', url });
    }
    expect(byId(pages, pyUnset.messageId)).toMatchObject({ name: null, category: null });
    const screens = await engine.readTable(schema, 'screens');
    for (const screen of [ajsScreen, goScreen, pyScreen]) {
      expect(byId(screens, screen.messageId)).toMatchObject({ name: 'Settings', category: 'Account' });
    }
    expect(await columns('screens')).toMatchObject({ name: 'string', category: 'string' });

    // Two different categories in one event: the top-level one is kept, the other reported.
    const both = sampleEvents.page({ category: 'Docs', properties: { category: 'Blog' } });
    const conflict = await load([both]);
    expect(byId(await engine.readTable(schema, 'pages'), both.messageId)).toMatchObject({ category: 'Docs' });
    expect(conflict.plan.notices).toEqual([
      { kind: 'reserved_name', table: 'pages', column: 'category', path: 'category', count: 1 },
    ]);
  });

  it('cuts long text to the string length without splitting a character in two', async () => {
    // 511 units then an emoji (two UTF-16 units): cutting at 512 would keep half of it, which
    // reaches the warehouse as U+FFFD. The whole character goes; the text stays within 512.
    const text = `${'x'.repeat(511)}😀 and more`;
    // An array's JSON text is cut the same way: `["` and 509 units, then the emoji.
    const list = [`${'x'.repeat(509)}😀`];
    // The top-level name is kept whole; the same name in properties is no conflict.
    const page = sampleEvents.page({ name: text, properties: { name: text, note: text, list } });
    const result = await load([page]);
    expect(result.plan.notices).toEqual([]);
    const [row] = await engine.readTable(schema, 'pages');
    expect(row).toMatchObject({ name: text, note: 'x'.repeat(511), list: `["${'x'.repeat(509)}` });
    // An emoji that fits whole is kept.
    const fits = sampleEvents.track({ event: 'Emoji', properties: { note: `${'x'.repeat(510)}😀!` } });
    await load([fits]);
    expect((await engine.readTable(schema, 'emoji'))[0]).toMatchObject({ note: `${'x'.repeat(510)}😀` });
  });

  it('keeps text with tabs, newlines, backslashes and quotes intact', async () => {
    const odd = 'tab\there\nnew "line" \\ back\\slash \r end';
    const event = sampleEvents.track({ event: 'Note "Saved"', properties: { body: odd } });
    await load([event]);
    const [row] = await engine.readTable(schema, 'note_saved');
    expect(row).toMatchObject({ body: odd, event_text: 'Note "Saved"' });
  });
});

describe('postgres engine with a table made by hand', () => {
  it('still stores a redelivered event once when the table has no key on id', async () => {
    const engine = new PostgresEngine({ connection: { url: testInfrastructure().warehousePostgresUrl }, logger });
    const schema = schemaNameForSource(uniqueName('src'));
    const load = (events: SpecEvent[]) =>
      engine.load(buildSourceBatch(events, { schema, uuidTs: new Date().toISOString(), maxStringLength: 512 }));
    try {
      const track = sampleEvents.track();
      await load([track]);
      const db = new pg.Client({ connectionString: testInfrastructure().warehousePostgresUrl });
      await db.connect();
      try {
        await db.query(`ALTER TABLE "${schema}".tracks DROP CONSTRAINT tracks_pkey`);
      } finally {
        await db.end();
      }
      const again = await load([track, sampleEvents.track()]);
      expect(again.rowsByTable).toMatchObject({ tracks: 1 });
      expect(await engine.readTable(schema, 'tracks')).toHaveLength(2);
    } finally {
      await engine.close();
    }
  });
});
