import { cliRunner, startTestControlPlane, type Harness } from '../test-support/harness';

describe('manifold CLI: delivery view, errors, warehouse sync and history', () => {
  let h: Harness;
  let dest: { id: string; workspaceId: string };
  let dw: { id: string; workspaceId: string };

  beforeAll(async () => {
    h = await startTestControlPlane();
    await h.client.workspaces.createWorkspace({ slug: 'ops', name: 'Ops', ownerEmail: 'o@ops.test' });
    dest = await h.client.destinations.createDestination({
      workspace: 'ops',
      name: 'Hook',
      catalogId: 'test-analytics',
      settings: { apiKey: '12345678' },
      sources: [],
    });
    dw = await h.client.destinations.createDestination({
      workspace: 'ops',
      name: 'DW',
      catalogId: 'test-warehouse',
      settings: { url: 'x' },
      sources: [],
      syncIntervalSeconds: 600,
    });
  });

  afterAll(() => h?.stop());

  const cli = (...args: string[]) => cliRunner(h)(...args);

  it('shows events per bucket, reasons and the latest error with its masked request and answer', async () => {
    const at = new Date().toISOString();
    const base = { destinationId: dest.id, workspaceId: dest.workspaceId, at };
    const observability = h.controlPlane.domain.observability;
    await observability.recordDelivery(
      [
        { ...base, outcome: 'retrying', reason: 'ECONNREFUSED', count: 3 },
        { ...base, outcome: 'retried', reason: 'ECONNREFUSED', count: 16, attempts: 16 },
        { ...base, outcome: 'failed', reason: 'http_400', count: 1, attempts: 1 },
      ],
      { partition: 0, offset: '1' },
    );
    await observability.recordSample({
      ...base,
      outcome: 'failed',
      reason: 'http_400',
      message: 'HTTP 400: bad payload',
      messageId: 'm-400',
      eventType: 'track',
      eventName: 'Signed Up',
      attempt: 1,
      request: {
        method: 'POST',
        url: 'https://api.test/in?key=********',
        headers: { 'x-api-key': '********' },
        body: '{"a":1}',
      },
      response: { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"bad payload"}' },
    });

    const view = await cli('destinations', 'delivery', 'ops', 'Hook', '--range', 'hour');
    expect(view.code).toBe(0);
    expect(view.out).toContain('Delivery, last hour, by minute');
    expect(view.out).toMatch(/retrying:\s+3/);
    expect(view.out).toMatch(/attempts:\s+17/);
    expect(view.out).toMatch(/retrying\s+ECONNREFUSED\s+3\s+16/);
    expect(view.out).toContain('failed http_400  attempt 1  track "Signed Up"  messageId m-400');
    expect(view.out).toContain('> x-api-key: ********');
    expect(view.out).toContain('< {"error":"bad payload"}');
    const json = JSON.parse((await cli('--json', 'destinations', 'delivery', 'ops', 'Hook')).out) as {
      range: string;
      totals: { failed: number };
    };
    expect(json).toMatchObject({ range: 'day', totals: { failed: 1 } });
    expect((await cli('destinations', 'delivery', 'ops', 'Hook', '--range', 'year')).code).not.toBe(0);

    const errors = await cli('destinations', 'errors', 'ops', 'Hook', '--reason', 'http_400');
    expect(errors.out).toContain('< 400');
    expect((await cli('destinations', 'errors', 'ops', 'Hook', '--reason', 'ECONNRESET')).out).toBe('(none)\n');
  });

  it('lists warehouses with last and next sync, requests a sync, and prints load history in words', async () => {
    const observability = h.controlPlane.domain.observability;
    await observability.recordLoad({
      loadId: 'load-1',
      warehouseId: dw.id,
      workspaceId: dw.workspaceId,
      sourceId: 'src',
      schema: 'web',
      status: 'failure',
      startedAt: '2026-06-10T10:00:00.123Z',
      finishedAt: '2026-06-10T10:00:01.623Z',
      events: 3,
      rowsByTable: {},
      rows: 0,
      tablesCreated: [],
      columnsAdded: [],
      notices: [{ kind: 'unusable_event_name', table: 'tracks', event: '!!!', count: 1 }],
      errors: ['connection refused by the warehouse'],
      attempt: 1,
    });
    await observability.recordWarehouseStatus({
      warehouseId: dw.id,
      workspaceId: dw.workspaceId,
      at: '2026-06-10T10:00:01.700Z',
      nextSyncAt: '2026-06-10T10:00:03.700Z',
      pendingEvents: 3,
    });
    const status = await cli('warehouses', 'status', 'ops');
    expect(status.out).toMatch(/DW\s+enabled\s+failure 2026-06-10T10:00:00Z\s+1.5\s+0\s+2026-06-10T10:00:03Z/);
    const sync = await cli('warehouses', 'sync', 'ops', 'DW');
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/^sync of DW requested at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect((await cli('warehouses', 'status', 'ops')).out).toMatch(/\d\d:\d\dZ\s+3\n/);
    const history = await cli('warehouses', 'history', 'ops', 'DW');
    expect(history.out).toMatch(/2026-06-10T10:00:00Z\s+1.5\s+failure\s+3/);
    expect(history.out).toContain('error: connection refused by the warehouse');
    expect(history.out).toContain(
      'notice: tracks: the event name "!!!" gives no table name; loaded into tracks only (once)',
    );
    expect((await cli('warehouses', 'loads', 'ops', 'DW')).out).toBe(history.out);
  });
});
