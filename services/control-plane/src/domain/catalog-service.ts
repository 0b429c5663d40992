import type {
  CatalogEntry,
  CreateIntegrationRequestRequest,
  IntegrationRequest,
  ListCatalogRequest,
  ListCatalogResponse,
  ListIntegrationRequestsRequest,
  ListIntegrationRequestsResponse,
} from '@manifold/proto';
import type { Catalog, CatalogEntryDefinition } from './catalog';
import type { CallContext } from './context';
import { ControlPlaneError, Violations } from './errors';
import { newId } from './ids';
import { checkName } from './validation';
import { resolveWorkspace } from './workspaces';
import type { IntegrationRequestDoc } from '../store/documents';
import { listPage } from '../store/list-query';
import type { Store } from '../store/store';

function toEntry(d: CatalogEntryDefinition): CatalogEntry {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    categories: d.categories,
    settingsSchema: { ...d.settingsSchema },
    supportedCallTypes: d.supportedCallTypes,
    warehouse: d.warehouse,
    actions: d.actions ?? [],
    oauthScopes: d.oauthScopes ?? [],
  };
}

function toRequest(doc: IntegrationRequestDoc): IntegrationRequest {
  return {
    id: doc._id,
    workspaceId: doc.workspaceId,
    name: doc.name,
    website: doc.website,
    useCase: doc.useCase,
    requestedBy: doc.requestedBy,
    createdAt: doc.createdAt,
  };
}

export class CatalogQueries {
  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
  ) {}

  list(req: ListCatalogRequest): ListCatalogResponse {
    const search = req.search.trim().toLowerCase();
    const all = this.catalog.list();
    const categories: Record<string, number> = {};
    for (const entry of all) for (const c of entry.categories) categories[c] = (categories[c] ?? 0) + 1;
    const entries = all
      .filter((e) => !req.category || e.categories.includes(req.category))
      .filter((e) => !search || [e.id, e.name, e.description].some((text) => text.toLowerCase().includes(search)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(toEntry);
    return { entries, categories };
  }

  get(id: string): CatalogEntry {
    const entry = this.catalog.get(id);
    if (!entry) throw ControlPlaneError.notFound('catalog entry', id);
    return toEntry(entry);
  }

  async requestIntegration(req: CreateIntegrationRequestRequest, ctx: CallContext): Promise<IntegrationRequest> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const v = new Violations();
    checkName(v, 'name', req.name);
    if (req.website) {
      try {
        const url = new URL(req.website);
        if (!['http:', 'https:'].includes(url.protocol)) v.add('website', 'must be an http(s) URL');
      } catch {
        v.add('website', 'must be a URL such as https://example.com');
      }
    }
    if (req.useCase.length > 2000) v.add('use_case', 'must be at most 2000 characters');
    v.throwIfAny();
    const doc: IntegrationRequestDoc = {
      _id: newId('req'),
      workspaceId: workspace._id,
      name: req.name.trim(),
      nameKey: req.name.trim().toLowerCase(),
      website: req.website,
      useCase: req.useCase,
      requestedBy: ctx.actor,
      createdAt: ctx.now,
    };
    await this.store.integrationRequests.insertOne(doc);
    return toRequest(doc);
  }

  async listRequests(req: ListIntegrationRequestsRequest): Promise<ListIntegrationRequestsResponse> {
    const scope = req.workspace ? { workspaceId: (await resolveWorkspace(this.store, req.workspace))._id } : {};
    const [{ docs, page }, grouped] = await Promise.all([
      listPage(
        this.store.integrationRequests,
        req.page,
        { name: { path: 'name', kind: 'string' }, created_at: { path: 'createdAt', kind: 'date' } },
        scope,
        { createdAt: -1, _id: 1 },
      ),
      // $group with $sum is within what FerretDB supports.
      this.store.integrationRequests
        .aggregate<{ _id: string; count: number }>([
          { $match: scope },
          { $group: { _id: '$nameKey', count: { $sum: 1 } } },
        ])
        .toArray(),
    ]);
    const displayNames = new Map<string, string>();
    for (const d of await this.store.integrationRequests
      .find(scope, { projection: { nameKey: 1, name: 1 }, sort: { createdAt: 1 } })
      .toArray()) {
      if (!displayNames.has(d.nameKey)) displayNames.set(d.nameKey, d.name);
    }
    const counts = grouped
      .map((g) => ({ name: displayNames.get(g._id) ?? g._id, count: g.count }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
    return { requests: docs.map(toRequest), page, counts };
  }
}
