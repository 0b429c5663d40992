import type { ListSourcesRequest, ListSourcesResponse, Source } from '@manifold/proto';
import type { ReverseEtlModel, ReverseEtlStore } from '@manifold/reverse-etl';
import type { SourceDoc, WorkspaceDoc } from '../store/documents';
import { compareBySort, matchesFilter } from '../store/list-in-memory';
import { buildListQuery, pageInfo, type ListFields } from '../store/list-query';
import type { Store } from '../store/store';

/** What a Reverse ETL model is when listed among sources (ListSources with include_models). */
export const MODEL_SOURCE_TYPE = 'reverse-etl';
export const MODEL_SOURCE_CATEGORY = 'Reverse ETL';

/** The stored fields a source list filters and sorts on, as a model fills them. */
type ModelRow = Pick<
  SourceDoc,
  | '_id'
  | 'workspaceId'
  | 'slug'
  | 'name'
  | 'nameSort'
  | 'enabled'
  | 'environment'
  | 'type'
  | 'category'
  | 'createdAt'
  | 'createdBy'
  | 'destinationIds'
  | 'destinationNames'
  | 'destinationCount'
> & { model: ReverseEtlModel };

/**
 * Sources and Reverse ETL models in one list, filtered, sorted and paged as one: the sources'
 * page is read from MongoDB as far as the requested page reaches, the workspace's models (a few)
 * are made into rows with the same fields and filtered and sorted in memory by the same query
 * (list-in-memory.ts), and both are merged. A model's destinations are the instances its
 * connections added it to (their sourceIds), as a source's are.
 */
export async function listSourcesWithModels(
  store: Store,
  records: ReverseEtlStore,
  workspace: WorkspaceDoc,
  req: ListSourcesRequest,
  fields: ListFields,
  toSource: (docs: SourceDoc[]) => Promise<Source[]>,
): Promise<ListSourcesResponse> {
  const q = buildListQuery<SourceDoc>(req.page, fields, { workspaceId: workspace._id }, { nameSort: 1, _id: 1 });
  const [sourceDocs, sourceTotal, models] = await Promise.all([
    store.sources.find(q.filter, { sort: q.sort, limit: q.skip + q.limit }).toArray(),
    store.sources.countDocuments(q.filter),
    records.listModels({ workspaceId: workspace._id }),
  ]);
  const rows = (await modelRows(store, workspace, models)).filter((row) => matchesFilter(row, q.filter));
  const merged: Array<SourceDoc | ModelRow> = [...sourceDocs, ...rows].sort((a, b) => compareBySort(a, b, q.sort));
  const page = merged.slice(q.skip, q.skip + q.limit);
  const sources = await toSource(page.filter((row): row is SourceDoc => !('model' in row)));
  const byId = new Map(sources.map((s) => [s.id, s]));
  return {
    sources: page.map((row) => ('model' in row ? modelSource(row) : byId.get(row._id)!)),
    page: pageInfo(q.skip, page.length, sourceTotal + rows.length),
  };
}

async function modelRows(store: Store, workspace: WorkspaceDoc, models: ReverseEtlModel[]): Promise<ModelRow[]> {
  if (models.length === 0) return [];
  const destinations = await store.destinations
    .find({ workspaceId: workspace._id, sourceIds: { $in: models.map((m) => m.id) } })
    .toArray();
  return models.map((model) => {
    const connected = destinations.filter((d) => d.sourceIds.includes(model.id));
    return {
      _id: model.id,
      workspaceId: model.workspaceId,
      slug: model.id,
      name: model.name,
      nameSort: model.name.trim().toLowerCase(),
      enabled: model.enabled,
      // A model belongs to no environment: it reads a warehouse, which serves them all.
      environment: '',
      type: MODEL_SOURCE_TYPE,
      category: MODEL_SOURCE_CATEGORY,
      createdAt: new Date(model.createdAt),
      createdBy: model.createdBy ?? '',
      destinationIds: connected.map((d) => d._id),
      destinationNames: connected.map((d) => d.name),
      destinationCount: connected.length,
      model,
    };
  });
}

function modelSource(row: ModelRow): Source {
  const status = {
    status: row.enabled ? 'enabled' : 'disabled',
    changedBy: '',
    changedAt: new Date(row.model.updatedAt),
    reason: '',
  };
  return {
    id: row._id,
    workspaceId: row.workspaceId,
    slug: row.slug,
    name: row.name,
    enabled: row.enabled,
    status,
    statusHistory: [],
    environment: row.environment,
    type: row.type,
    category: row.category,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    destinationIds: row.destinationIds,
    destinationNames: row.destinationNames,
    writeKeys: [],
    autoDisableExempt: true,
    withoutDestinationSince: undefined,
    autoDisableWarnedAt: undefined,
    autoDisableDueAt: undefined,
    webhook: undefined,
    changedFields: [],
  };
}
