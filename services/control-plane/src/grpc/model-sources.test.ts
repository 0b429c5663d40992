// Reverse ETL models listed among sources (ListSources with include_models) on a real FerretDB:
// one list, sorted, filtered, searched and paged as one, and nothing changes for callers that
// do not ask for models.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListSourcesRequest } from '@manifold/proto';
import { defaultCatalog } from '../default-catalog';
import { startTestControlPlane, type Harness } from '../test-support/harness';

describe('ListSources with Reverse ETL models (real FerretDB)', () => {
  let h: Harness;
  let churn: string;

  beforeAll(async () => {
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    await h.client.workspaces.createWorkspace({ slug: 'mix', name: 'Mix', ownerEmail: 'o@mix.test', members: [] });
    for (const [name, catalogId, settings] of [
      ['Warehouse', 'duckdb', { path: join(mkdtempSync(join(tmpdir(), 'model-sources-')), 'w.duckdb') }],
      ['Hook', 'webhook', { url: 'https://hooks.example.com/in' }],
    ] as const) {
      await h.client.destinations.createDestination({
        workspace: 'mix',
        name,
        catalogId,
        settings,
        sources: [],
        syncIntervalSeconds: catalogId === 'duckdb' ? 3600 : 0,
      });
    }
    for (const [slug, name, type, category] of [
      ['web', 'Website', 'javascript', 'website'],
      ['api', 'api server', 'node', 'server'],
      ['app', 'Mobile app', 'ios', 'mobile'],
    ]) {
      await h.client.sources.createSource({
        workspace: 'mix',
        slug: slug!,
        name: name!,
        environment: 'prod',
        type: type!,
        category: category!,
      });
    }
    const model = (name: string, enabled: boolean) =>
      h.client.reverseEtl.createModel({
        workspace: 'mix',
        name,
        warehouse: 'Warehouse',
        sql: 'SELECT id, email FROM crm.customers',
        identifierColumn: 'id',
        schedule: { intervalSeconds: 0, cron: '' },
        enabled,
        startFromNow: false,
      });
    churn = (await model('Churn risk', true)).id;
    await model('VIP customers', false);
    await h.client.reverseEtl.createConnection({
      workspace: 'mix',
      model: churn,
      destination: 'Hook',
      changeKinds: ['added'],
      action: 'send',
      fields: { data: { email: { '@path': '$.properties.email' } } },
      enabled: true,
      rowsPerSecond: 0,
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const list = (page: Partial<NonNullable<ListSourcesRequest['page']>> = {}, includeModels = true) =>
    h.client.sources.listSources({
      workspace: 'mix',
      includeModels,
      page: { pageSize: 0, pageToken: '', sort: [], filters: [], ...page },
    });
  const names = async (page: Parameters<typeof list>[0] = {}) => (await list(page)).sources.map((s) => s.name);
  const filter = (field: string, ...values: string[]) => ({ field, values, from: undefined, to: undefined });

  it('lists models as sources of category "Reverse ETL", in the name order, with their destinations', async () => {
    const all = await list();
    expect(all.sources.map((s) => s.name)).toEqual([
      'api server',
      'Churn risk',
      'Mobile app',
      'VIP customers',
      'Website',
    ]);
    expect(all.page?.totalCount).toBe(5);
    const model = all.sources.find((s) => s.name === 'Churn risk')!;
    expect(model).toMatchObject({
      id: churn,
      slug: churn,
      type: 'reverse-etl',
      category: 'Reverse ETL',
      enabled: true,
      destinationNames: ['Hook'],
      writeKeys: [],
      // Who created the model; a model belongs to no environment.
      createdBy: 'tester@example.com',
      environment: '',
    });
    expect(all.sources.find((s) => s.name === 'VIP customers')).toMatchObject({ enabled: false, destinationNames: [] });
    // Without include_models (apply, the CLI, older callers): sources only.
    expect((await list({}, false)).sources.map((s) => s.name)).toEqual(['api server', 'Mobile app', 'Website']);
  });

  it('sorts, filters and searches models with the sources', async () => {
    expect(await names({ sort: [{ field: 'name', descending: true }] })).toEqual([
      'Website',
      'VIP customers',
      'Mobile app',
      'Churn risk',
      'api server',
    ]);
    expect(await names({ filters: [filter('category', 'Reverse ETL')] })).toEqual(['Churn risk', 'VIP customers']);
    expect(await names({ filters: [filter('category', 'Reverse ETL', 'mobile')] })).toEqual([
      'Churn risk',
      'Mobile app',
      'VIP customers',
    ]);
    expect(await names({ filters: [filter('status', 'disabled')] })).toEqual(['VIP customers']);
    expect(await names({ filters: [filter('destinations', 'Hook')] })).toEqual(['Churn risk']);
    expect(await names({ filters: [filter('search', 'CU')] })).toEqual(['VIP customers']);
    expect(await names({ filters: [filter('environment', 'prod')] })).toEqual(['api server', 'Mobile app', 'Website']);
    // By type, then name: "ios" < "javascript" < "node" < "reverse-etl".
    expect(
      await names({
        sort: [
          { field: 'type', descending: false },
          { field: 'name', descending: false },
        ],
      }),
    ).toEqual(['Mobile app', 'Website', 'api server', 'Churn risk', 'VIP customers']);
  });

  it('pages through sources and models as one list', async () => {
    const seen: string[] = [];
    let pageToken = '';
    for (let i = 0; i < 5; i++) {
      const page = await list({ pageSize: 2, pageToken });
      expect(page.page?.totalCount).toBe(5);
      seen.push(...page.sources.map((s) => s.name));
      pageToken = page.page?.nextPageToken ?? '';
      if (!pageToken) break;
    }
    expect(seen).toEqual(['api server', 'Churn risk', 'Mobile app', 'VIP customers', 'Website']);
  });
});
