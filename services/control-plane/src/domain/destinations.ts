import type {
  ConnectSourceRequest,
  CreateDestinationRequest,
  Destination,
  DestinationFilter,
  ListDestinationsRequest,
  ListDestinationsResponse,
  SetDestinationFiltersRequest,
  UpdateDestinationRequest,
} from '@manifold/proto';
import { isDuplicateKeyError } from '@manifold/mongo';
import {
  hasUnsealedSecrets,
  maskSettings,
  mergeSettingsUpdate,
  openSettings,
  openReadableSettings,
  sealSettings,
  SECRET_MASK,
  type SecretBox,
  type Settings,
} from '@manifold/secrets';
import type { Catalog } from './catalog';
import type { CallContext } from './context';
import { ControlPlaneError, Violations } from './errors';
import { newId } from './ids';
import { currentMappings, initialMappings, mappingMessage, mappingVersionDoc } from './mapping-docs';
import { refreshDestinationSourceNames, refreshSourceLinks } from './links';
import { resolveSource } from './sources';
import { checkName, checkSyncInterval } from './validation';
import { initialStatus, statusChange, statusUpdate } from './status-change';
import { resolveWorkspace } from './workspaces';
import { oauthSummary } from '../oauth/oauth-summary';
import type { DestinationDoc, DestinationFilterDoc, WorkspaceDoc } from '../store/documents';
import { listPage, type ListFields } from '../store/list-query';
import type { Store } from '../store/store';

const DEFAULT_SYNC_INTERVAL_SECONDS = 3600;
const FILTER_ACTIONS = ['DROP', 'SAMPLE', 'DROP_PROPERTIES', 'ALLOW_PROPERTIES'];

export const DESTINATION_LIST_FIELDS: ListFields = {
  status: { path: 'enabled', kind: 'boolean-status' },
  created_at: { path: 'createdAt', kind: 'date' },
  type: { path: 'type', kind: 'string' },
  sources: { path: 'sourceNames', sortPath: 'sourceCount', kind: 'array' },
  category: { path: 'categories', sortPath: 'category', kind: 'array' },
  name: { path: 'name', sortPath: 'nameSort', kind: 'string' },
  // Part of the name, in any case (the console's search box).
  search: { path: 'nameSort', kind: 'contains' },
  created_by: { path: 'createdBy', kind: 'string' },
  warehouse: { path: 'warehouseLabel', kind: 'string' },
};

export async function resolveDestination(store: Store, workspace: WorkspaceDoc, key: string): Promise<DestinationDoc> {
  if (!key) throw ControlPlaneError.invalid([{ field: 'destination', message: 'is required (id or name)' }]);
  const doc = await store.destinations.findOne({ workspaceId: workspace._id, $or: [{ _id: key }, { name: key }] });
  if (!doc) throw ControlPlaneError.notFound('destination', key);
  return doc;
}

function checkFilters(v: Violations, filters: DestinationFilter[], sourceIds: readonly string[]): void {
  filters.forEach((f, i) => {
    const at = `filters[${i}]`;
    if (!f.title || f.title.length > 64) v.add(`${at}.title`, 'is required, at most 64 characters');
    if (!f.if) v.add(`${at}.if`, 'is required (an FQL condition, or "all")');
    if (!sourceIds.includes(f.sourceId)) v.add(`${at}.source_id`, 'must be a source connected to this destination');
    const actions = f.actions ?? [];
    if (actions.length === 0) v.add(`${at}.actions`, 'needs at least one action');
    actions.forEach((a: unknown, j: number) => {
      const type = typeof a === 'object' && a !== null ? (a as Record<string, unknown>)['type'] : undefined;
      if (typeof type !== 'string' || !FILTER_ACTIONS.includes(type))
        v.add(`${at}.actions[${j}].type`, `must be one of ${FILTER_ACTIONS.join(', ')}`);
      if (type === 'SAMPLE') {
        const percent = (a as Record<string, unknown>)['percent'];
        if (typeof percent !== 'number' || percent < 0 || percent > 1)
          v.add(`${at}.actions[${j}].percent`, 'must be a number from 0 to 1');
      }
    });
  });
}

/** Credentials sent back masked with no saved value behind them: never stored as the mask. */
function maskedViolations(v: Violations, unresolved: readonly string[]): void {
  for (const field of unresolved) {
    v.add(`settings.${field}`, `is masked (${SECRET_MASK}) and nothing is saved to keep: send the value itself`);
  }
}

export class Destinations {
  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly box: SecretBox,
    private readonly onChange: () => Promise<void>,
  ) {}

  toDestination(doc: DestinationDoc): Destination {
    return {
      id: doc._id,
      workspaceId: doc.workspaceId,
      name: doc.name,
      catalogId: doc.catalogId,
      settings: this.maskedSettings(doc),
      enabled: doc.enabled,
      status: doc.status,
      sourceIds: doc.sourceIds,
      sourceNames: doc.sourceNames,
      createdAt: doc.createdAt,
      createdBy: doc.createdBy,
      type: doc.type,
      categories: doc.categories,
      warehouse: doc.warehouse,
      syncIntervalSeconds: doc.syncIntervalSeconds,
      filters: doc.filters,
      changedFields: [],
      mappings: currentMappings(doc, this.catalog).map(mappingMessage),
      mappingsVersion: doc.mappingsVersion ?? 0,
      ...optional('oauth', oauthSummary(doc, (this.catalog.get(doc.catalogId)?.oauthScopes?.length ?? 0) > 0)),
    };
  }

  /**
   * Settings as reads show them. URLs are masked part by part, which needs them in clear; a value
   * that cannot be opened (a key mismatch) is shown as the mask, and the read still answers.
   */
  private maskedSettings(doc: DestinationDoc): Settings {
    const secrets = this.catalog.secrets(doc.catalogId);
    let settings: Settings;
    try {
      settings = this.openSettings(doc);
    } catch {
      settings = doc.settings;
    }
    return maskSettings(settings, secrets);
  }

  /**
   * Seals credentials stored in clear: those saved before their setting was declared one (custom
   * webhook headers, URLs). Run at start; returns how many destinations it changed.
   */
  async sealStoredSecrets(): Promise<number> {
    let sealed = 0;
    for await (const doc of this.store.destinations.find({})) {
      const secrets = this.catalog.secrets(doc.catalogId);
      if (!hasUnsealedSecrets(doc.settings, secrets)) continue;
      const settings = sealSettings(doc.settings, secrets, this.box);
      // Only if nobody changed them meanwhile (another replica doing the same, or an update).
      const result = await this.store.destinations.updateOne(
        { _id: doc._id, settings: doc.settings },
        { $set: { settings } },
      );
      sealed += result.modifiedCount;
    }
    return sealed;
  }

  /** Settings in clear, for the data plane's config stream only. */
  openSettings(doc: DestinationDoc): Settings {
    return openSettings(doc.settings, this.catalog.secrets(doc.catalogId), this.box);
  }

  async create(req: CreateDestinationRequest, ctx: CallContext): Promise<Destination> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const entry = this.catalog.get(req.catalogId);
    const v = new Violations();
    checkName(v, 'name', req.name);
    if (!entry) v.add('catalog_id', `unknown catalog entry ${JSON.stringify(req.catalogId)}`);
    let settings: Settings = { ...(req.settings ?? {}) };
    if (entry) {
      const checked = mergeSettingsUpdate({}, settings, this.catalog.secrets(entry.id));
      settings = checked.settings;
      maskedViolations(v, checked.unresolved);
      v.addAll(this.catalog.validateSettings(entry.id, settings));
    }
    const interval = req.syncIntervalSeconds || DEFAULT_SYNC_INTERVAL_SECONDS;
    if (entry?.warehouse) checkSyncInterval(v, 'sync_interval_seconds', interval);
    const sourceIds: string[] = [];
    for (const [i, key] of req.sources.entries()) {
      try {
        sourceIds.push((await resolveSource(this.store, workspace, key))._id);
      } catch {
        v.add(`sources[${i}]`, `no source ${JSON.stringify(key)} in this workspace`);
      }
    }
    v.throwIfAny();
    if (!entry) throw ControlPlaneError.invalid([{ field: 'catalog_id', message: 'is required' }]);
    const enabled = req.enabled ?? true;
    const status = initialStatus(enabled, ctx);
    const doc: DestinationDoc = {
      _id: newId('dst'),
      workspaceId: workspace._id,
      name: req.name.trim(),
      nameSort: req.name.trim().toLowerCase(),
      catalogId: entry.id,
      type: entry.name,
      categories: entry.categories,
      category: entry.categories[0] ?? '',
      settings: sealSettings(settings, this.catalog.secrets(entry.id), this.box),
      enabled,
      status,
      statusHistory: [status],
      sourceIds: [...new Set(sourceIds)],
      sourceNames: [],
      sourceCount: 0,
      createdAt: ctx.now,
      createdBy: ctx.actor,
      warehouse: entry.warehouse,
      warehouseLabel: entry.warehouse ? 'warehouse' : 'destination',
      syncIntervalSeconds: entry.warehouse ? interval : 0,
      filters: [],
      ...initialMappings(this.catalog, entry.id),
    };
    try {
      await this.store.destinations.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error))
        throw ControlPlaneError.alreadyExists(
          `a destination named ${JSON.stringify(req.name)} already exists in this workspace`,
        );
      throw error;
    }
    if (doc.mappings) {
      await this.store.mappingVersions.insertOne(
        mappingVersionDoc(doc, 1, doc.mappings, ctx, 'created with the presets', ['the presets']),
      );
    }
    await refreshDestinationSourceNames(this.store, [doc._id]);
    await refreshSourceLinks(this.store, doc.sourceIds, ctx.now);
    await this.onChange();
    return this.get(workspace._id, doc._id);
  }

  async get(workspaceKey: string, destinationKey: string): Promise<Destination> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    return this.toDestination(await resolveDestination(this.store, workspace, destinationKey));
  }

  async list(req: ListDestinationsRequest): Promise<ListDestinationsResponse> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const { docs, page } = await listPage(
      this.store.destinations,
      req.page,
      DESTINATION_LIST_FIELDS,
      { workspaceId: workspace._id },
      { nameSort: 1, _id: 1 },
    );
    return { destinations: docs.map((d) => this.toDestination(d)), page };
  }

  async update(req: UpdateDestinationRequest, ctx: CallContext): Promise<Destination> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const doc = await resolveDestination(this.store, workspace, req.destination);
    const secrets = this.catalog.secrets(doc.catalogId);
    const v = new Violations();
    if (req.name !== undefined) checkName(v, 'name', req.name);
    let settings: Settings | undefined;
    let stored: Settings | undefined;
    if (req.settings) {
      // Validate the merged result in clear, as the data plane will see it. A credential that
      // cannot be opened (sealed with another key) is not kept: the update must send it again,
      // which is how such a destination is repaired.
      const readable = openReadableSettings(doc.settings, secrets, this.box);
      stored = readable.settings;
      const merged = mergeSettingsUpdate(readable.settings, req.settings, secrets);
      settings = merged.settings;
      maskedViolations(v, merged.unresolved);
      for (const name of readable.unreadable) {
        if (!((name.split('.')[0] as string) in req.settings)) {
          v.add(`settings.${name}`, "cannot be read with this control plane's secret key: send it again");
        }
      }
      v.addAll(this.catalog.validateSettings(doc.catalogId, settings));
    }
    if (req.syncIntervalSeconds !== undefined) {
      if (!doc.warehouse) v.add('sync_interval_seconds', 'applies to warehouses only');
      else checkSyncInterval(v, 'sync_interval_seconds', req.syncIntervalSeconds);
    }
    v.throwIfAny();
    const changedFields = this.changedFields(doc, req, settings, stored);
    if (req.dryRun || changedFields.length === 0) {
      return { ...this.toDestination(doc), changedFields };
    }
    const set: Record<string, unknown> = {};
    if (req.name !== undefined) {
      set['name'] = req.name.trim();
      set['nameSort'] = req.name.trim().toLowerCase();
    }
    if (settings) set['settings'] = sealSettings(settings, secrets, this.box);
    if (req.syncIntervalSeconds !== undefined) set['syncIntervalSeconds'] = req.syncIntervalSeconds;
    const change = statusChange(doc.enabled, req.enabled, req.reason, ctx);
    const status = statusUpdate(change);
    try {
      await this.store.destinations.updateOne({ _id: doc._id }, { $set: { ...set, ...status.set }, ...status.push });
    } catch (error) {
      if (isDuplicateKeyError(error))
        throw ControlPlaneError.alreadyExists(
          `a destination named ${JSON.stringify(req.name)} already exists in this workspace`,
        );
      throw error;
    }
    if (change || req.name !== undefined) await refreshSourceLinks(this.store, doc.sourceIds, ctx.now);
    await this.onChange();
    return { ...(await this.get(workspace._id, doc._id)), changedFields };
  }

  /** What an update would change, comparing settings in clear (so secrets count too). */
  private changedFields(
    doc: DestinationDoc,
    req: UpdateDestinationRequest,
    settings: Settings | undefined,
    stored: Settings | undefined,
  ): string[] {
    const changed: string[] = [];
    if (req.name !== undefined && req.name.trim() !== doc.name) changed.push('name');
    if (req.enabled !== undefined && req.enabled !== doc.enabled) changed.push('enabled');
    if (req.syncIntervalSeconds !== undefined && req.syncIntervalSeconds !== doc.syncIntervalSeconds)
      changed.push('sync_interval_seconds');
    if (settings && stored) {
      const current = stored;
      for (const key of new Set([...Object.keys(current), ...Object.keys(settings)])) {
        if (JSON.stringify(current[key]) !== JSON.stringify(settings[key])) changed.push(`settings.${key}`);
      }
    }
    return changed;
  }

  async delete(workspaceKey: string, destinationKey: string, now: Date): Promise<void> {
    const workspace = await resolveWorkspace(this.store, workspaceKey);
    const doc = await resolveDestination(this.store, workspace, destinationKey);
    await this.store.destinations.deleteOne({ _id: doc._id });
    await this.store.mappingVersions.deleteMany({ destinationId: doc._id });
    await this.store.oauthConnections.deleteOne({ _id: doc._id });
    await refreshSourceLinks(this.store, doc.sourceIds, now);
    await this.onChange();
  }

  async connect(req: ConnectSourceRequest, connect: boolean, ctx: CallContext): Promise<Destination> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const source = await resolveSource(this.store, workspace, req.source);
    await this.store.destinations.updateOne(
      { _id: destination._id },
      connect ? { $addToSet: { sourceIds: source._id } } : { $pull: { sourceIds: source._id } },
    );
    if (!connect) {
      // Filters belong to a source-destination pair; they go with the connection.
      await this.store.destinations.updateOne(
        { _id: destination._id },
        { $set: { filters: destination.filters.filter((f) => f.sourceId !== source._id) } },
      );
    }
    await refreshDestinationSourceNames(this.store, [destination._id]);
    await refreshSourceLinks(this.store, [source._id], ctx.now);
    await this.onChange();
    return this.get(workspace._id, destination._id);
  }

  async setFilters(req: SetDestinationFiltersRequest): Promise<Destination> {
    const workspace = await resolveWorkspace(this.store, req.workspace);
    const destination = await resolveDestination(this.store, workspace, req.destination);
    const v = new Violations();
    if (destination.warehouse) v.add('destination', 'destination filters do not apply to warehouses');
    checkFilters(v, req.filters, destination.sourceIds);
    v.throwIfAny();
    const filters: DestinationFilterDoc[] = req.filters.map((f) => ({
      id: f.id || newId('flt'),
      sourceId: f.sourceId,
      title: f.title,
      if: f.if,
      actions: (f.actions ?? []) as Array<Record<string, unknown>>,
      enabled: f.enabled,
    }));
    await this.store.destinations.updateOne({ _id: destination._id }, { $set: { filters } });
    await this.onChange();
    return this.get(workspace._id, destination._id);
  }
}

/** `{ [key]: value }` when there is a value, else nothing: optional message fields stay absent. */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
