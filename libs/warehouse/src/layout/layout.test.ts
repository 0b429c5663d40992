import { sampleEvents } from '../testing';
import {
  buildSourceBatch,
  describeLoadNotice,
  MAX_IDENTIFIER_LENGTH,
  planLoad,
  type LoadPlan,
  type SchemaCatalog,
  type TablePlan,
} from './index';

const options = { schema: 'web', uuidTs: '2026-03-01T10:05:00.000Z', maxStringLength: 512 };

function table(plan: LoadPlan, name: string): TablePlan {
  const found = plan.tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name} in ${plan.tables.map((t) => t.name).join(',')}`);
  return found;
}

function rowsOf(t: TablePlan): Array<Record<string, unknown>> {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
}

function columnsOf(t: TablePlan): Record<string, string> {
  return Object.fromEntries(t.columns.map((c) => [c.name, c.type]));
}

const COMMON = {
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

describe('warehouse layout (as data)', () => {
  it('gives each call type its tables and columns', () => {
    const plan = planLoad(
      buildSourceBatch(
        [
          sampleEvents.identify(),
          sampleEvents.track(),
          sampleEvents.page(),
          sampleEvents.screen(),
          sampleEvents.group(),
          sampleEvents.alias(),
        ],
        options,
      ),
      undefined,
    );
    expect(plan.createSchema).toBe(true);
    expect(plan.tables.map((t) => t.name).sort()).toEqual(
      ['aliases', 'groups', 'identifies', 'order_completed', 'pages', 'screens', 'tracks', 'users'].sort(),
    );
    expect(columnsOf(table(plan, 'identifies'))).toEqual({
      ...COMMON,
      email: 'string',
      plan: 'string',
      logins: 'integer',
    });
    expect(columnsOf(table(plan, 'users'))).toEqual({
      id: 'string',
      received_at: 'timestamp',
      uuid_ts: 'timestamp',
      email: 'string',
      plan: 'string',
      logins: 'integer',
    });
    expect(rowsOf(table(plan, 'users'))[0]).toMatchObject({ id: 'user-1', email: 'ada@example.com' });
    expect(columnsOf(table(plan, 'tracks'))).toEqual({ ...COMMON, event: 'string', event_text: 'string' });
    expect(rowsOf(table(plan, 'tracks'))[0]).toMatchObject({ event: 'order_completed', event_text: 'Order Completed' });
    expect(columnsOf(table(plan, 'order_completed'))).toEqual({
      ...COMMON,
      event: 'string',
      event_text: 'string',
      revenue: 'float',
      currency: 'string',
    });
    expect(columnsOf(table(plan, 'pages'))).toEqual({ ...COMMON, name: 'string', path: 'string', title: 'string' });
    expect(columnsOf(table(plan, 'screens'))).toEqual({ ...COMMON, name: 'string', section: 'string' });
    expect(columnsOf(table(plan, 'groups'))).toEqual({
      ...COMMON,
      group_id: 'string',
      name: 'string',
      employees: 'integer',
    });
    expect(columnsOf(table(plan, 'aliases'))).toEqual({ ...COMMON, previous_id: 'string' });
    for (const t of plan.tables) expect(t.columns[0]?.name).toBe('id');
  });

  it('flattens nested objects, stores arrays as JSON text, snake_cases odd names and discards reserved ones', () => {
    const event = sampleEvents.track({
      event: '3D Model: Viewed!',
      context: { app: { version: '1.2' }, userAgentData: { brands: [{ brand: 'X' }], mobile: false } },
      properties: {
        productDetails: { priceUSD: 9.5, sizes: ['S', 'M'] },
        'weird key$%': 'w',
        '🙂': 'dropped',
        userID: 'reserved',
        event: 'reserved',
        '2fa': true,
        nothing: null,
        long: 'x'.repeat(600),
      },
    });
    const plan = planLoad(buildSourceBatch([event], options), undefined);
    const t = table(plan, '_3d_model_viewed');
    expect(rowsOf(t)[0]).toEqual({
      id: event.messageId,
      anonymous_id: 'anon-1',
      user_id: 'user-1',
      received_at: '2026-03-01T10:00:01.000Z',
      sent_at: '2026-03-01T10:00:00.500Z',
      timestamp: '2026-03-01T10:00:00.000Z',
      original_timestamp: '2026-03-01T09:59:59.000Z',
      uuid_ts: options.uuidTs,
      context_app_version: '1.2',
      context_user_agent_data_brands: '[{"brand":"X"}]',
      context_user_agent_data_mobile: false,
      event: '_3d_model_viewed',
      event_text: '3D Model: Viewed!',
      product_details_price_usd: 9.5,
      product_details_sizes: '["S","M"]',
      weird_key: 'w',
      _2fa: true,
      long: 'x'.repeat(512),
    });
    expect(plan.notices).toEqual(
      expect.arrayContaining([
        { kind: 'unusable_name', table: '_3d_model_viewed', path: '🙂', count: 1 },
        { kind: 'reserved_name', table: '_3d_model_viewed', column: 'user_id', path: 'userID', count: 1 },
        { kind: 'reserved_name', table: '_3d_model_viewed', column: 'event', path: 'event', count: 1 },
      ]),
    );
  });

  it('keeps the first value when keys of one event snake_case to the same column, with a notice for each other', () => {
    const long = 'x'.repeat(MAX_IDENTIFIER_LENGTH);
    const track = sampleEvents.track({
      context: { pageInfo: { path: '/a' }, page_info_path: '/b', ip: '10.0.0.1' },
      properties: {
        orderId: 'o-1',
        order_id: 'o-2',
        a_b: 'flat',
        a: { b: 'nested' },
        [`${long}A`]: 1,
        [`${long}B`]: 2,
      },
    });
    const identify = sampleEvents.identify({ traits: { Plan: 'pro', plan: 'free', email: 'ada@example.com' } });
    const plan = planLoad(buildSourceBatch([track, identify], options), undefined);

    expect(rowsOf(table(plan, 'order_completed'))[0]).toMatchObject({
      order_id: 'o-1',
      a_b: 'flat',
      [long]: 1,
      context_page_info_path: '/a',
    });
    expect(rowsOf(table(plan, 'tracks'))[0]).toMatchObject({ context_page_info_path: '/a' });
    expect(rowsOf(table(plan, 'identifies'))[0]).toMatchObject({ plan: 'pro' });
    expect(rowsOf(table(plan, 'users'))[0]).toMatchObject({ plan: 'pro' });
    expect(plan.notices).toEqual(
      expect.arrayContaining([
        { kind: 'name_collision', table: 'order_completed', column: 'order_id', path: 'order_id', count: 1 },
        { kind: 'name_collision', table: 'order_completed', column: 'a_b', path: 'a.b', count: 1 },
        { kind: 'name_collision', table: 'order_completed', column: long, path: `${long}B`, count: 1 },
        {
          kind: 'name_collision',
          table: 'tracks',
          column: 'context_page_info_path',
          path: 'context.page_info_path',
          count: 1,
        },
        { kind: 'name_collision', table: 'identifies', column: 'plan', path: 'plan', count: 1 },
      ]),
    );
    expect(plan.notices.filter((n) => n.kind === 'name_collision')).toHaveLength(5);
    expect(
      describeLoadNotice({ kind: 'name_collision', table: 'identifies', column: 'plan', path: 'plan', count: 2 }),
    ).toBe(
      'identifies: "plan" is named plan once snake_cased, like a key before it in the same event; its value was left out (2 times)',
    );
  });

  it('keeps the first event of a repeated message id and folds a user into one row, latest traits winning', () => {
    const first = sampleEvents.identify({
      receivedAt: '2026-03-01T10:00:00.000Z',
      traits: { plan: 'free', city: 'Paris' },
    });
    const later = sampleEvents.identify({ receivedAt: '2026-03-01T11:00:00.000Z', traits: { plan: 'pro' } });
    const batch = buildSourceBatch([later, first, { ...first, traits: { plan: 'ignored' } }], options);
    expect(batch.duplicates).toBe(1);
    const plan = planLoad(batch, undefined);
    expect(table(plan, 'identifies').rows).toHaveLength(2);
    expect(rowsOf(table(plan, 'users'))).toEqual([
      expect.objectContaining({ id: 'user-1', plan: 'pro', city: 'Paris', received_at: '2026-03-01T11:00:00.000Z' }),
    ]);
  });

  it('fixes types from the first value seen, adds new columns and casts or drops conflicting values', () => {
    const catalog: SchemaCatalog = new Map([
      [
        'order_completed',
        new Map([
          ['id', 'string'],
          ['revenue', 'integer'],
          ['currency', 'string'],
          ['coupon', 'boolean'],
        ] as const),
      ],
    ]);
    const plan = planLoad(
      buildSourceBatch(
        [
          sampleEvents.track({ properties: { revenue: 19.99, currency: 7, coupon: 'nope', extra: 1 } }),
          sampleEvents.track({ properties: { revenue: 5, extra: 'two', coupon: 'true' } }),
        ],
        options,
      ),
      catalog,
    );
    expect(plan.createSchema).toBe(false);
    const t = table(plan, 'order_completed');
    expect(t.create).toBe(false);
    expect(t.addColumns.map((c) => c.name)).toContain('extra');
    expect(t.addColumns.find((c) => c.name === 'extra')?.type).toBe('integer');
    expect(rowsOf(t).map((r) => [r['revenue'], r['currency'], r['coupon'], r['extra']])).toEqual([
      [19, '7', null, 1],
      [5, null, true, null],
    ]);
    expect(plan.notices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'type_conflict', column: 'revenue', action: 'cast', count: 1 }),
        expect.objectContaining({ kind: 'type_conflict', column: 'currency', action: 'cast', count: 1 }),
        expect.objectContaining({ kind: 'type_conflict', column: 'coupon', action: 'dropped', count: 1 }),
        expect.objectContaining({ kind: 'type_conflict', column: 'coupon', action: 'cast', count: 1 }),
        expect.objectContaining({
          kind: 'type_conflict',
          column: 'extra',
          columnType: 'integer',
          valueType: 'string',
          action: 'dropped',
          count: 1,
        }),
      ]),
    );
    expect(table(plan, 'tracks').create).toBe(true);
  });

  it('loads a track whose name has no usable characters into tracks only, with a notice', () => {
    const plan = planLoad(buildSourceBatch([sampleEvents.track({ event: '日本語' })], options), undefined);
    expect(plan.tables.map((t) => t.name)).toEqual(['tracks']);
    expect(plan.notices).toContainEqual({ kind: 'unusable_event_name', table: 'tracks', event: '日本語', count: 1 });
  });

  it('prefixes event tables that would shadow a standard table', () => {
    const plan = planLoad(buildSourceBatch([sampleEvents.track({ event: 'Users' })], options), undefined);
    expect(plan.tables.map((t) => t.name).sort()).toEqual(['_users', 'tracks']);
  });

  it('stops adding columns at the table width limit and keeps the rest in the overflow column, with a notice', () => {
    const batch = buildSourceBatch(
      [
        sampleEvents.track({ properties: { a: 1, b: 2, c: 3, d: 'x"y' } }),
        sampleEvents.track({ properties: { a: 4 } }),
      ],
      options,
    );
    const plan = planLoad(batch, undefined, { maxColumns: 15 });
    const t = table(plan, 'order_completed');
    // 13 system and context columns, then a and b; c and d would be the 16th and 17th.
    expect(t.columns.map((c) => c.name).slice(-3)).toEqual(['a', 'b', '_overflow']);
    expect(t.columns.at(-1)?.type).toBe('json');
    expect(rowsOf(t).map((r) => r['_overflow'])).toEqual(['{"c":3,"d":"x\\"y"}', null]);
    expect(plan.notices).toEqual([
      { kind: 'overflow', table: 'order_completed', reason: 'column_limit', column: 'c', count: 1 },
      { kind: 'overflow', table: 'order_completed', reason: 'column_limit', column: 'd', count: 1 },
    ]);
    // The overflow JSON escapes the quote with a backslash: COPY text must escape it in turn.
    expect(plan.plainText).toBe(false);
  });

  it("counts the engine's dropped columns against its limit and keeps a column free for the overflow", () => {
    const existing = planLoad(buildSourceBatch([sampleEvents.track({ properties: {} })], options), undefined);
    const catalog: SchemaCatalog = new Map(
      existing.tables.map((t) => [t.name, new Map(t.columns.map((c) => [c.name, c.type]))]),
    );
    const width = catalog.get('order_completed')?.size ?? 0;
    const batch = buildSourceBatch([sampleEvents.track({ properties: { a: 1, b: true } })], options);
    // Room for width + 2 columns, one of them taken by a dropped column: a fits, the overflow takes the last.
    const limits = { maxColumns: width + 3, droppedColumns: new Map([['order_completed', 1]]) };
    const t = table(planLoad(batch, catalog, { limits }), 'order_completed');
    expect(t.addColumns).toEqual([
      { name: 'a', type: 'integer' },
      { name: '_overflow', type: 'json' },
    ]);
    expect(rowsOf(t)[0]).toMatchObject({ a: 1, _overflow: '{"b":true}' });

    // A table widened by hand past the limit has no room even for the overflow: dropped, as before.
    const full = planLoad(batch, catalog, { limits: { maxColumns: width, droppedColumns: new Map() } });
    expect(table(full, 'order_completed').addColumns).toEqual([]);
    expect(full.notices).toEqual([
      { kind: 'column_limit', table: 'order_completed', column: 'a', count: 1 },
      { kind: 'column_limit', table: 'order_completed', column: 'b', count: 1 },
    ]);
  });
});
