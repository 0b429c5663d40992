// The delivery view, error samples and warehouse syncs through the Public API, against a real
// control plane and FerretDB (the data plane's reports fed to the control plane directly).
import { ConsoleClient, joinByInvitation } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';

const OWNER = 'owner@ops.test';
const READER = 'reader@ops.test';
const PASSWORD = 'correct horse battery';

describe('Public API: delivery view and warehouse syncs', () => {
  let stack: ConsoleStack;
  let owner: ConsoleClient;
  let reader: ConsoleClient;
  let destination: { id: string; workspaceId: string };
  let lake: { id: string; workspaceId: string };

  beforeAll(async () => {
    stack = await startConsoleStack();
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup(OWNER, PASSWORD, 'ops', 'Ops')).status).toBe(201);
    expect((await owner.call('POST', '/api/v1/workspaces/ops/sources', { slug: 'web', name: 'Website' })).status).toBe(
      201,
    );
    const created = await owner.call('POST', '/api/v1/workspaces/ops/destinations', {
      name: 'Acme',
      catalogId: 'acme-analytics',
      settings: { apiKey: 'secret-key-123' },
      sources: ['web'],
    });
    destination = created.body as unknown as typeof destination;
    const warehouse = await owner.call('POST', '/api/v1/workspaces/ops/destinations', {
      name: 'Lake',
      catalogId: 'test-postgres',
      settings: { url: 'postgres://x' },
      sources: ['web'],
    });
    lake = warehouse.body as unknown as typeof lake;
    reader = await joinByInvitation(owner, 'ops', READER, 'read-only', PASSWORD);
  }, 60000);

  afterAll(() => stack?.stop());

  it('serves events per bucket, reasons, percentiles and the latest error of each reason', async () => {
    const observability = stack.controlPlane.domain.observability;
    const at = new Date().toISOString();
    const base = { destinationId: destination.id, workspaceId: destination.workspaceId, at };
    await observability.recordDelivery(
      [
        { ...base, outcome: 'delivered', count: 4, attempts: 4, latenciesMs: [217, 250, 290, 316] },
        { ...base, outcome: 'retrying', reason: 'ECONNREFUSED', count: 3 },
        { ...base, outcome: 'retried', reason: 'ECONNREFUSED', count: 16, attempts: 16 },
        { ...base, outcome: 'filtered', reason: 'UNSUPPORTED_EVENT_TYPE', count: 2 },
      ],
      { partition: 0, offset: '1' },
    );
    await observability.recordSample({
      ...base,
      outcome: 'retried',
      reason: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      messageId: 'm-1',
      eventType: 'track',
      eventName: 'Signed Up',
      attempt: 3,
      request: { method: 'POST', url: 'http://127.0.0.1:9/in', headers: { authorization: '********' }, body: '{}' },
      response: { error: 'connect ECONNREFUSED 127.0.0.1:9' },
    });
    const view = await reader.call<{
      bucket: string;
      buckets: unknown[];
      totals: Record<string, unknown> & { latency: { p50Ms: number; p99Ms: number } };
      reasons: unknown[];
      latestErrors: Array<{ reason: string; response: { error: string; status: number } }>;
    }>('GET', `/api/v1/workspaces/ops/destinations/${destination.id}/delivery?range=hour`);
    expect(view.status).toBe(200);
    expect(view.body.bucket).toBe('minute');
    expect(view.body.buckets).toHaveLength(60);
    expect(view.body.totals).toMatchObject({ delivered: 4, retrying: 3, dropped: 2, filtered: 0, attempts: 20 });
    // Percentiles of the recorded latencies (217–316 ms), not bucket bounds.
    expect(view.body.totals.latency.p50Ms).toBeGreaterThan(240);
    expect(view.body.totals.latency.p50Ms).toBeLessThan(262);
    expect(view.body.totals.latency.p99Ms).toBeGreaterThan(300);
    expect(view.body.totals.latency.p99Ms).toBeLessThan(331);
    expect(view.body.latestErrors[0]).toMatchObject({ reason: 'ECONNREFUSED', response: { status: 0 } });
    expect(view.body.latestErrors[0]!.response.error).toContain('ECONNREFUSED');

    const errors = await reader.call<{ samples: Array<{ messageId: string }> }>(
      'GET',
      `/api/v1/workspaces/ops/destinations/${destination.id}/delivery/errors?reason=ECONNREFUSED`,
    );
    expect(errors.body.samples.map((s) => s.messageId)).toEqual(['m-1']);
    const bad = await reader.call('GET', `/api/v1/workspaces/ops/destinations/${destination.id}/delivery?range=year`);
    expect(bad.status).toBe(400);
  });

  it("lists each warehouse's last sync and next one, syncs on request (writers only), and tells loads in words", async () => {
    const observability = stack.controlPlane.domain.observability;
    await observability.recordLoad({
      loadId: 'load-1',
      warehouseId: lake.id,
      workspaceId: lake.workspaceId,
      sourceId: 'src',
      schema: 'web',
      status: 'partial',
      startedAt: '2026-06-10T10:00:00.000Z',
      finishedAt: '2026-06-10T10:00:02.500Z',
      events: 12,
      rowsByTable: { tracks: 12, signed_up: 12 },
      rows: 24,
      tablesCreated: [],
      columnsAdded: [],
      notices: [
        {
          kind: 'type_conflict',
          table: 'tracks',
          column: 'price',
          columnType: 'float',
          valueType: 'string',
          action: 'dropped',
          count: 2,
        },
      ],
      errors: [],
      attempt: 1,
    });
    const next = new Date(Date.now() + 3_600_000).toISOString();
    await observability.recordWarehouseStatus({
      warehouseId: lake.id,
      workspaceId: lake.workspaceId,
      at: new Date().toISOString(),
      nextSyncAt: next,
      pendingEvents: 7,
    });
    type Status = {
      name: string;
      nextSyncAt: string;
      pendingEvents: number;
      syncRequestedAt: string | null;
      lastSync: { status: string; durationMs: number; events: number; notices: string[]; rows: unknown[] };
    };
    const list = await reader.call<{ warehouses: Status[] }>('GET', '/api/v1/workspaces/ops/warehouse-syncs');
    expect(list.status).toBe(200);
    expect(list.body.warehouses).toHaveLength(1);
    const [status] = list.body.warehouses;
    expect(status).toMatchObject({ name: 'Lake', nextSyncAt: next, pendingEvents: 7, syncRequestedAt: null });
    expect(status!.lastSync).toMatchObject({ status: 'partial', durationMs: 2500, events: 12 });
    expect(status!.lastSync.notices).toEqual([
      'tracks.price: string values that a float column cannot hold were stored as null (2 times)',
    ]);

    expect((await reader.call('POST', `/api/v1/workspaces/ops/warehouses/${lake.id}/sync`)).status).toBe(403);
    expect((await owner.call('POST', `/api/v1/workspaces/ops/warehouses/${destination.id}/sync`)).status).toBe(400);
    const synced = await owner.call<Status>('POST', `/api/v1/workspaces/ops/warehouses/${lake.id}/sync`);
    expect(synced.status).toBe(200);
    expect(synced.body.syncRequestedAt).not.toBeNull();
    // The loaders learn of it through the config stream.
    const broadcaster = stack.controlPlane.domain.broadcaster;
    await broadcaster.refresh();
    const streamed = broadcaster.current().warehouses.find((w) => w.id === lake.id);
    expect(streamed?.syncRequestedAt?.toISOString()).toBe(synced.body.syncRequestedAt);
  });
});
