import { status } from '@grpc/grpc-js';
import { connectControlPlane, type Source } from '@manifold/proto';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

describe('control plane gRPC API (real FerretDB)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startTestControlPlane();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('refuses calls without the service token, or with a wrong one', async () => {
    const wrong = connectControlPlane({ address: h.controlPlane.address, token: 'not-the-token' });
    const e = await grpcError(wrong.workspaces.listWorkspaces({}));
    expect(e.code).toBe(status.UNAUTHENTICATED);
    expect(e.details).toBe('invalid token');
    wrong.close();
  });

  it('creates, reads, lists, updates and deletes workspaces, with every error code', async () => {
    const ws = await h.client.workspaces.createWorkspace({
      slug: 'acme',
      name: 'Acme',
      ownerEmail: 'owner@acme.test',
      members: [],
    });
    expect(ws).toMatchObject({ slug: 'acme', name: 'Acme', createdBy: 'tester@example.com' });
    expect(ws.members).toEqual([{ email: 'owner@acme.test', role: 'owner' }]);

    const dup = await grpcError(
      h.client.workspaces.createWorkspace({ slug: 'acme', name: 'Other', ownerEmail: 'o@x.test', members: [] }),
    );
    expect(dup.code).toBe(status.ALREADY_EXISTS);

    const bad = await grpcError(
      h.client.workspaces.createWorkspace({
        slug: 'Not A Slug',
        name: '',
        ownerEmail: 'nope',
        members: [{ email: 'm@x.test', role: 'king' }],
      }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['members[0].role', 'name', 'owner_email', 'slug']);

    expect((await h.client.workspaces.getWorkspace({ workspace: ws.id })).slug).toBe('acme');
    expect((await h.client.workspaces.getWorkspace({ workspace: 'acme' })).id).toBe(ws.id);
    expect((await grpcError(h.client.workspaces.getWorkspace({ workspace: 'missing' }))).code).toBe(status.NOT_FOUND);

    const updated = await h.client.workspaces.updateWorkspace({
      workspace: 'acme',
      name: 'Acme Inc',
      updateMembers: true,
      members: [{ email: 'dev@acme.test', role: 'member' }],
    });
    expect(updated.name).toBe('Acme Inc');
    expect(updated.members).toEqual([
      { email: 'owner@acme.test', role: 'owner' },
      { email: 'dev@acme.test', role: 'member' },
    ]);
    const mine = await h.client.workspaces.listWorkspaces({ memberEmail: 'dev@acme.test' });
    expect(mine.workspaces.map((w) => w.slug)).toEqual(['acme']);

    const temp = await h.client.workspaces.createWorkspace({
      slug: 'temp',
      name: 'Temp',
      ownerEmail: 'o@t.test',
      members: [],
    });
    await h.client.sources.createSource({
      workspace: 'temp',
      slug: 'web',
      name: 'Web',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    const notEmpty = await grpcError(h.client.workspaces.deleteWorkspace({ workspace: temp.id }));
    expect(notEmpty.code).toBe(status.FAILED_PRECONDITION);
    await h.client.sources.deleteSource({ workspace: 'temp', source: 'web' });
    await h.client.workspaces.deleteWorkspace({ workspace: temp.id });
    expect((await grpcError(h.client.workspaces.getWorkspace({ workspace: 'temp' }))).code).toBe(status.NOT_FOUND);
  });

  describe('sources and destinations', () => {
    let web: Source;

    beforeAll(async () => {
      await h.client.workspaces.createWorkspace({
        slug: 'shop',
        name: 'Shop',
        ownerEmail: 'boss@shop.test',
        members: [],
      });
      await h.client.workspaces.createWorkspace({
        slug: 'rival',
        name: 'Rival',
        ownerEmail: 'boss@rival.test',
        members: [],
      });
      web = await h.client.sources.createSource({
        workspace: 'shop',
        slug: 'website',
        name: 'Website',
        environment: 'prod',
        type: 'javascript',
        category: 'website',
      });
      await h.client.sources.createSource(
        { workspace: 'shop', slug: 'backend', name: 'Backend', environment: 'prod', type: 'node', category: 'server' },
        { actor: 'alice@shop.test' },
      );
      await h.client.sources.createSource({
        workspace: 'shop',
        slug: 'ios',
        name: 'iOS',
        environment: 'dev',
        type: 'ios',
        category: 'mobile',
      });
    });

    it('creates a source with a unique write key of at least 32 characters', async () => {
      expect(web.writeKeys).toHaveLength(1);
      expect(web.writeKeys[0]?.key).toMatch(/^[A-Za-z0-9]{32,}$/);
      expect(web).toMatchObject({
        enabled: true,
        environment: 'prod',
        type: 'javascript',
        category: 'website',
        createdBy: 'tester@example.com',
      });
      const dup = await grpcError(
        h.client.sources.createSource({
          workspace: 'shop',
          slug: 'website',
          name: 'Another',
          environment: 'prod',
          type: 'node',
          category: 'server',
        }),
      );
      expect(dup.code).toBe(status.ALREADY_EXISTS);
      const dupName = await grpcError(
        h.client.sources.createSource({
          workspace: 'shop',
          slug: 'website-2',
          name: 'Website',
          environment: 'prod',
          type: 'node',
          category: 'server',
        }),
      );
      expect(dupName.code).toBe(status.ALREADY_EXISTS);
      // The same slug in another workspace is fine.
      const other = await h.client.sources.createSource({
        workspace: 'rival',
        slug: 'website',
        name: 'Website',
        environment: 'prod',
        type: 'javascript',
        category: 'website',
      });
      expect(other.writeKeys[0]?.key).not.toBe(web.writeKeys[0]?.key);
      const bad = await grpcError(
        h.client.sources.createSource({
          workspace: 'shop',
          slug: '-x-',
          name: 'X',
          environment: '1prod',
          type: 'cobol',
          category: 'tv',
        }),
      );
      expect(bad.violations.map((v) => v.field).sort()).toEqual(['category', 'environment', 'slug', 'type']);
    });

    it('reads a source by slug or id and never through another workspace', async () => {
      expect((await h.client.sources.getSource({ workspace: 'shop', source: 'website' })).id).toBe(web.id);
      expect((await h.client.sources.getSource({ workspace: 'shop', source: web.id })).slug).toBe('website');
      const foreign = await grpcError(h.client.sources.getSource({ workspace: 'rival', source: web.id }));
      expect(foreign.code).toBe(status.NOT_FOUND);
      expect(
        (
          await grpcError(
            h.client.sources.updateSource({ workspace: 'rival', source: web.id, name: 'Hijack', reason: '' }),
          )
        ).code,
      ).toBe(status.NOT_FOUND);
      expect((await grpcError(h.client.sources.deleteSource({ workspace: 'rival', source: web.id }))).code).toBe(
        status.NOT_FOUND,
      );
      expect(
        (
          await grpcError(
            h.client.sources.rotateWriteKey({ workspace: 'rival', source: web.id, gracePeriodSeconds: 0 }),
          )
        ).code,
      ).toBe(status.NOT_FOUND);
    });

    it('disables and re-enables a source, recording who, when and why', async () => {
      const disabled = await h.client.sources.updateSource(
        { workspace: 'shop', source: 'ios', enabled: false, reason: 'app retired' },
        { actor: 'bob@shop.test' },
      );
      expect(disabled.enabled).toBe(false);
      expect(disabled.status).toMatchObject({ status: 'disabled', changedBy: 'bob@shop.test', reason: 'app retired' });
      const enabled = await h.client.sources.updateSource({
        workspace: 'shop',
        source: 'ios',
        enabled: true,
        reason: '',
      });
      expect(enabled.statusHistory.map((s) => s.status)).toEqual(['enabled', 'disabled', 'enabled']);
    });

    it('rotates a write key with a grace period in which both keys work', async () => {
      const rotated = await h.client.sources.rotateWriteKey({
        workspace: 'shop',
        source: 'backend',
        gracePeriodSeconds: 3600,
      });
      expect(rotated.writeKeys).toHaveLength(2);
      const [current, old] = rotated.writeKeys;
      expect(current?.expiresAt).toBeUndefined();
      expect(old?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
      const snapshot = h.controlPlane.domain.broadcaster.current();
      const backend = snapshot.sources.find((s) => s.slug === 'backend');
      expect(backend?.writeKeys.sort()).toEqual([current?.key, old?.key].sort());
      const revoked = await h.client.sources.rotateWriteKey({
        workspace: 'shop',
        source: 'backend',
        gracePeriodSeconds: -1,
      });
      expect(revoked.writeKeys).toHaveLength(1);
      expect(revoked.writeKeys[0]?.key).not.toBe(current?.key);
    });

    it('validates destination settings against the catalog, naming every bad field', async () => {
      const bad = await grpcError(
        h.client.destinations.createDestination({
          workspace: 'shop',
          name: 'Analytics',
          catalogId: 'test-analytics',
          settings: { apiKey: 'short', region: 'mars', colour: 'blue' },
          sources: ['website', 'nope'],
          syncIntervalSeconds: 0,
        }),
      );
      expect(bad.code).toBe(status.INVALID_ARGUMENT);
      expect(bad.violations.map((v) => v.field).sort()).toEqual([
        'settings.apiKey',
        'settings.colour',
        'settings.region',
        'sources[1]',
      ]);
      const missing = await grpcError(
        h.client.destinations.createDestination({
          workspace: 'shop',
          name: 'A',
          catalogId: 'test-analytics',
          settings: {},
          sources: [],
          syncIntervalSeconds: 0,
        }),
      );
      expect(missing.violations).toEqual([{ field: 'settings.apiKey', message: 'is required' }]);
      const unknown = await grpcError(
        h.client.destinations.createDestination({
          workspace: 'shop',
          name: 'A',
          catalogId: 'nope',
          settings: {},
          sources: [],
          syncIntervalSeconds: 0,
        }),
      );
      expect(unknown.violations.map((v) => v.field)).toEqual(['catalog_id']);
      // A schema that does not close itself is closed too: the translator would never read a misspelt setting.
      const misspelt = await grpcError(
        h.client.destinations.createDestination({
          workspace: 'shop',
          name: 'Mailer',
          catalogId: 'test-email',
          settings: { tokn: 'abc' },
          sources: [],
          syncIntervalSeconds: 0,
        }),
      );
      expect(misspelt.violations).toEqual([
        { field: 'settings.tokn', message: 'is not a setting of this destination (its settings: token)' },
      ]);
    });

    it('encrypts secrets at rest, masks them in reads and decrypts them for the data plane only', async () => {
      const created = await h.client.destinations.createDestination({
        workspace: 'shop',
        name: 'Analytics',
        catalogId: 'test-analytics',
        settings: { apiKey: 'secret-key-123' },
        sources: ['website'],
        syncIntervalSeconds: 0,
      });
      expect(created.settings).toEqual({ apiKey: '********', region: 'us' });
      expect(created).toMatchObject({
        type: 'Test Analytics',
        categories: ['analytics'],
        sourceNames: ['Website'],
        enabled: true,
      });
      const raw = await h.controlPlane.domain.store.destinations.findOne({ _id: created.id });
      expect(JSON.stringify(raw)).not.toContain('secret-key-123');
      expect(String(raw?.settings['apiKey'])).toMatch(/^enc:v1:/);

      // Re-submitting the masked value keeps the secret; other fields change.
      const updated = await h.client.destinations.updateDestination({
        workspace: 'shop',
        destination: created.id,
        settings: { apiKey: '********', region: 'eu' },
        reason: '',
      });
      expect(updated.settings).toEqual({ apiKey: '********', region: 'eu' });
      await h.controlPlane.domain.broadcaster.refresh();
      const config = h.controlPlane.domain.broadcaster.current().destinations.find((d) => d.id === created.id);
      expect(config?.settings).toEqual({ apiKey: 'secret-key-123', region: 'eu' });
      expect(config).toMatchObject({ catalogName: 'Test Analytics', sourceIds: [web.id] });

      const source = await h.client.sources.getSource({ workspace: 'shop', source: 'website' });
      expect(source.destinationNames).toEqual(['Analytics']);
      expect(source.withoutDestinationSince).toBeUndefined();
    });

    it('connects and disconnects sources, only within the workspace', async () => {
      const dest = await h.client.destinations.createDestination({
        workspace: 'shop',
        name: 'Mailer',
        catalogId: 'test-email',
        settings: { token: 'tok' },
        sources: [],
        syncIntervalSeconds: 0,
        enabled: false,
      });
      const connected = await h.client.destinations.connectSource({
        workspace: 'shop',
        source: 'backend',
        destination: 'Mailer',
      });
      expect(connected.sourceNames).toEqual(['Backend']);
      const backend = await h.client.sources.getSource({ workspace: 'shop', source: 'backend' });
      expect(backend.destinationIds).toEqual([dest.id]);
      // Connected, but only to a disabled destination: the auto-disable clock keeps running.
      expect(backend.withoutDestinationSince).toBeInstanceOf(Date);
      const rivalSource = await h.client.sources.getSource({ workspace: 'rival', source: 'website' });
      expect(
        (
          await grpcError(
            h.client.destinations.connectSource({ workspace: 'shop', source: rivalSource.id, destination: dest.id }),
          )
        ).code,
      ).toBe(status.NOT_FOUND);
      expect(
        (
          await grpcError(
            h.client.destinations.connectSource({ workspace: 'rival', source: rivalSource.id, destination: dest.id }),
          )
        ).code,
      ).toBe(status.NOT_FOUND);
      const disconnected = await h.client.destinations.disconnectSource({
        workspace: 'shop',
        source: 'backend',
        destination: dest.id,
      });
      expect(disconnected.sourceIds).toEqual([]);
      expect((await h.client.sources.getSource({ workspace: 'shop', source: 'backend' })).destinationIds).toEqual([]);
    });

    it('lists warehouses with destinations, with a sync interval', async () => {
      const bad = await grpcError(
        h.client.destinations.createDestination({
          workspace: 'shop',
          name: 'DW',
          catalogId: 'test-warehouse',
          settings: { url: 'x' },
          sources: [],
          syncIntervalSeconds: -5,
        }),
      );
      expect(bad.violations.map((v) => v.field)).toEqual(['sync_interval_seconds']);
      const dw = await h.client.destinations.createDestination({
        workspace: 'shop',
        name: 'DW',
        catalogId: 'test-warehouse',
        settings: { url: 'postgres://dw', password: 'pw' },
        sources: ['website'],
        syncIntervalSeconds: 600,
      });
      expect(dw).toMatchObject({
        warehouse: true,
        syncIntervalSeconds: 600,
        settings: { url: 'postgres://dw', password: '********' },
      });
      const all = await h.client.destinations.listDestinations({ workspace: 'shop' });
      expect(all.destinations.map((d) => d.name)).toEqual(['Analytics', 'DW', 'Mailer']);
      const onlyWarehouses = await h.client.destinations.listDestinations({
        workspace: 'shop',
        page: { pageSize: 0, pageToken: '', sort: [], filters: [{ field: 'warehouse', values: ['warehouse'] }] },
      });
      expect(onlyWarehouses.destinations.map((d) => d.name)).toEqual(['DW']);
      await h.controlPlane.domain.broadcaster.refresh();
      const snapshot = h.controlPlane.domain.broadcaster.current();
      expect(
        snapshot.warehouses.map((w) => ({
          kind: w.kind,
          interval: w.syncIntervalSeconds,
          password: w.settings?.['password'],
        })),
      ).toEqual([{ kind: 'test-warehouse', interval: 600, password: 'pw' }]);
    });

    it('sorts, filters and pages sources by every console column', async () => {
      const page = (
        sort: Array<{ field: string; descending: boolean }>,
        filters: Array<{ field: string; values: string[]; from?: Date; to?: Date }> = [],
        pageSize = 0,
        pageToken = '',
      ) => h.client.sources.listSources({ workspace: 'shop', page: { pageSize, pageToken, sort, filters } });
      const names = (r: { sources: Source[] }) => r.sources.map((s) => s.name);

      expect(names(await page([]))).toEqual(['Backend', 'iOS', 'Website']);
      expect(names(await page([{ field: 'category', descending: false }]))).toEqual(['iOS', 'Backend', 'Website']);
      expect(
        names(
          await page([
            { field: 'destinations', descending: true },
            { field: 'name', descending: false },
          ]),
        ),
      ).toEqual(['Website', 'Backend', 'iOS']);
      expect(names(await page([], [{ field: 'environment', values: ['dev'] }]))).toEqual(['iOS']);
      expect(names(await page([], [{ field: 'type', values: ['node', 'ios'] }]))).toEqual(['Backend', 'iOS']);
      expect(names(await page([], [{ field: 'destinations', values: ['Analytics'] }]))).toEqual(['Website']);
      expect(names(await page([], [{ field: 'created_by', values: ['alice@shop.test'] }]))).toEqual(['Backend']);
      expect(names(await page([], [{ field: 'status', values: ['enabled'] }]))).toEqual(['Backend', 'iOS', 'Website']);
      // Search: part of the name, any case; regular-expression characters are only text.
      expect(names(await page([], [{ field: 'search', values: ['SIT'] }]))).toEqual(['Website']);
      expect(names(await page([], [{ field: 'search', values: ['o', 'x'] }]))).toEqual(['iOS']);
      expect(names(await page([], [{ field: 'search', values: ['.*'] }]))).toEqual([]);
      const today = new Date().toISOString().slice(0, 10);
      expect(names(await page([], [{ field: 'created_at', values: [today] }]))).toHaveLength(3);
      expect(
        names(await page([], [{ field: 'created_at', values: [], to: new Date(Date.now() - 86_400_000) }])),
      ).toEqual([]);

      const first = await page([{ field: 'name', descending: true }], [], 2);
      expect(names(first)).toEqual(['Website', 'iOS']);
      expect(first.page?.totalCount).toBe(3);
      const second = await page([{ field: 'name', descending: true }], [], 2, first.page?.nextPageToken);
      expect(names(second)).toEqual(['Backend']);
      expect(second.page?.nextPageToken).toBe('');

      const bad = await grpcError(
        page([{ field: 'colour', descending: false }], [{ field: 'status', values: ['sleeping'] }]),
      );
      expect(bad.violations.map((v) => v.field).sort()).toEqual(['page.filters[0].values', 'page.sort[0].field']);
    });

    it('sorts and filters destinations by status, type, sources, category and created at', async () => {
      const list = (
        sort: Array<{ field: string; descending: boolean }>,
        filters: Array<{ field: string; values: string[] }> = [],
      ) =>
        h.client.destinations
          .listDestinations({ workspace: 'shop', page: { pageSize: 0, pageToken: '', sort, filters } })
          .then((r) => r.destinations.map((d) => d.name));
      expect(await list([], [{ field: 'status', values: ['disabled'] }])).toEqual(['Mailer']);
      expect(await list([], [{ field: 'search', values: ['ail'] }])).toEqual(['Mailer']);
      expect(await list([], [{ field: 'category', values: ['marketing'] }])).toEqual(['Mailer']);
      expect(await list([], [{ field: 'type', values: ['Test Analytics'] }])).toEqual(['Analytics']);
      expect(await list([], [{ field: 'sources', values: ['Website'] }])).toEqual(['Analytics', 'DW']);
      expect(
        await list([
          { field: 'sources', descending: true },
          { field: 'name', descending: true },
        ]),
      ).toEqual(['DW', 'Analytics', 'Mailer']);
      expect(await list([{ field: 'created_at', descending: true }])).toEqual(['DW', 'Mailer', 'Analytics']);
    });

    it('sets destination filters on connected sources only', async () => {
      const bad = await grpcError(
        h.client.destinations.setDestinationFilters({
          workspace: 'shop',
          destination: 'Analytics',
          filters: [
            {
              id: '',
              sourceId: 'src_nope',
              title: 'Drop tests',
              if: 'event = "Test"',
              actions: [{ type: 'EXPLODE' }],
              enabled: true,
            },
          ],
        }),
      );
      expect(bad.violations.map((v) => v.field).sort()).toEqual(['filters[0].actions[0].type', 'filters[0].source_id']);
      const set = await h.client.destinations.setDestinationFilters({
        workspace: 'shop',
        destination: 'Analytics',
        filters: [
          {
            id: '',
            sourceId: web.id,
            title: 'Drop tests',
            if: 'event = "Test"',
            actions: [{ type: 'DROP' }],
            enabled: true,
          },
        ],
      });
      expect(set.filters).toEqual([
        expect.objectContaining({ title: 'Drop tests', if: 'event = "Test"', actions: [{ type: 'DROP' }] }),
      ]);
    });

    it('serves the catalog with search, categories and integration requests counted per integration', async () => {
      const catalog = await h.client.catalog.listCatalog({ search: '', category: '' });
      expect(catalog.entries.map((e) => e.id)).toEqual(['test-analytics', 'test-email', 'test-warehouse']);
      expect(catalog.categories).toEqual({ analytics: 1, email: 1, marketing: 1, warehouses: 1 });
      expect((await h.client.catalog.listCatalog({ search: 'MAIL', category: '' })).entries.map((e) => e.id)).toEqual([
        'test-email',
      ]);
      expect(
        (await h.client.catalog.listCatalog({ search: '', category: 'warehouses' })).entries.map((e) => e.id),
      ).toEqual(['test-warehouse']);
      const entry = await h.client.catalog.getCatalogEntry({ id: 'test-analytics' });
      expect(entry.settingsSchema?.['properties']).toHaveProperty('apiKey.secret', true);
      expect((await grpcError(h.client.catalog.getCatalogEntry({ id: 'nope' }))).code).toBe(status.NOT_FOUND);

      await h.client.catalog.createIntegrationRequest({
        workspace: 'shop',
        name: 'Heap',
        website: 'https://heap.io',
        useCase: 'product analytics',
      });
      await h.client.catalog.createIntegrationRequest({ workspace: 'rival', name: 'heap ', website: '', useCase: '' });
      await h.client.catalog.createIntegrationRequest({
        workspace: 'shop',
        name: 'Zendesk',
        website: '',
        useCase: 'support',
      });
      const badRequest = await grpcError(
        h.client.catalog.createIntegrationRequest({ workspace: 'shop', name: '', website: 'not a url', useCase: '' }),
      );
      expect(badRequest.violations.map((v) => v.field).sort()).toEqual(['name', 'website']);
      const all = await h.client.catalog.listIntegrationRequests({ workspace: '' });
      expect(all.counts).toEqual([
        { name: 'Heap', count: 2 },
        { name: 'Zendesk', count: 1 },
      ]);
      const shopOnly = await h.client.catalog.listIntegrationRequests({ workspace: 'shop' });
      expect(shopOnly.requests.map((r) => r.name).sort()).toEqual(['Heap', 'Zendesk']);
    });

    it('aggregates delivery reports into stats and stores warehouse load history', async () => {
      const dest = await h.client.destinations.getDestination({ workspace: 'shop', destination: 'Analytics' });
      const at = new Date().toISOString();
      await h.controlPlane.domain.observability.recordDelivery(
        [
          {
            destinationId: dest.id,
            workspaceId: dest.workspaceId,
            outcome: 'delivered',
            count: 3,
            latenciesMs: [20, 40, 900],
            at,
          },
          {
            destinationId: dest.id,
            workspaceId: dest.workspaceId,
            outcome: 'failed',
            reason: 'http_400',
            count: 1,
            at,
          },
          {
            destinationId: dest.id,
            workspaceId: dest.workspaceId,
            outcome: 'filtered',
            reason: 'FILTERED_BY_INTEGRATIONS_OBJECT',
            count: 2,
            at,
          },
          {
            destinationId: dest.id,
            workspaceId: dest.workspaceId,
            outcome: 'retried',
            reason: 'http_503',
            count: 4,
            at,
          },
        ],
        { partition: 0, offset: '1' },
      );
      const stats = await h.client.destinations.getDeliveryStats({ workspace: 'shop', destination: 'Analytics' });
      expect(stats).toMatchObject({
        delivered: 3,
        failed: 1,
        filtered: 2,
        retried: 4,
      });
      // Percentiles of the recorded latencies (20, 40, 900 ms), not the bounds of coarse buckets.
      expect(Math.abs(stats.latencyP50Ms - 40) / 40).toBeLessThan(0.05);
      expect(Math.abs(stats.latencyP95Ms - 900) / 900).toBeLessThan(0.05);
      expect(stats.failuresByReason).toEqual([{ reason: 'http_400', count: 1 }]);
      expect(
        (await grpcError(h.client.destinations.getDeliveryStats({ workspace: 'rival', destination: dest.id }))).code,
      ).toBe(status.NOT_FOUND);

      const dw = await h.client.destinations.getDestination({ workspace: 'shop', destination: 'DW' });
      const load = {
        loadId: 'load-1',
        warehouseId: dw.id,
        workspaceId: dw.workspaceId,
        sourceId: web.id,
        schema: 'website',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:02.000Z',
        status: 'success' as const,
        events: 10,
        rowsByTable: { tracks: 10 },
        rows: 10,
        tablesCreated: ['tracks'],
        columnsAdded: [],
        notices: [],
        errors: [],
        attempt: 1,
      };
      await h.controlPlane.domain.observability.recordLoad(load);
      await h.controlPlane.domain.observability.recordLoad(load);
      const loads = await h.client.destinations.listWarehouseLoads({ workspace: 'shop', destination: 'DW', limit: 10 });
      expect(loads.loads).toEqual([
        expect.objectContaining({ id: 'load-1', rows: [{ table: 'tracks', rows: 10 }], status: 'success' }),
      ]);
    });

    it('counts a delivery report read again from the same place in the reports topic once', async () => {
      const dest = await h.client.destinations.createDestination({
        workspace: 'shop',
        name: 'Counted once',
        catalogId: 'test-analytics',
        settings: { apiKey: '12345678' },
        sources: [],
      });
      const at = new Date().toISOString();
      const delivered = (count: number) => ({
        destinationId: dest.id,
        workspaceId: dest.workspaceId,
        outcome: 'delivered' as const,
        count,
        latenciesMs: Array.from({ length: count }, () => 20),
        at,
      });
      const observability = h.controlPlane.domain.observability;
      // Two reports of one message on one counter, then the same message again (a redelivery).
      await observability.recordDelivery([delivered(2), delivered(1)], { partition: 1, offset: '41' });
      await observability.recordDelivery([delivered(2), delivered(1)], { partition: 1, offset: '41' });
      const stats = () => h.client.destinations.getDeliveryStats({ workspace: 'shop', destination: dest.id });
      expect((await stats()).delivered).toBe(3);
      // Later offsets of that partition, and any offset of another partition, count.
      await observability.recordDelivery([delivered(4)], { partition: 1, offset: '42' });
      await observability.recordDelivery([delivered(5)], { partition: 0, offset: '41' });
      await observability.recordDelivery([delivered(4)], { partition: 1, offset: '42' });
      const counted = await stats();
      expect(counted.delivered).toBe(12);
      expect(Math.abs(counted.latencyP50Ms - 20) / 20).toBeLessThan(0.05);
    });

    it('deletes a destination, which updates the sources it fed', async () => {
      await h.client.destinations.deleteDestination({ workspace: 'shop', destination: 'DW' });
      expect(
        (await grpcError(h.client.destinations.getDestination({ workspace: 'shop', destination: 'DW' }))).code,
      ).toBe(status.NOT_FOUND);
      const site = await h.client.sources.getSource({ workspace: 'shop', source: 'website' });
      expect(site.destinationNames).toEqual(['Analytics']);
    });
  });
});
