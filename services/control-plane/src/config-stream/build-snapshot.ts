import type { ConfigSnapshot, DestinationConfig, SourceConfig, WarehouseConfig } from '@manifold/proto';
import type { Catalog } from '../domain/catalog';
import { openSettings, type SecretBox } from '@manifold/secrets';
import { mappingFromDoc, mappingMessage } from '../domain/mapping-docs';
import { webhookSourceConfig } from '../domain/webhook-settings';
import { trackingPlansBySource } from '../domain/tracking-plans';
import type { Store } from '../store/store';

export interface BuiltSnapshot {
  snapshot: ConfigSnapshot;
  /** When the next write key expires: the snapshot must be rebuilt then even without a write. */
  nextExpiry: Date | null;
}

/** The data plane's whole view of configuration, secrets decrypted. */
export async function buildSnapshot(
  store: Store,
  catalog: Catalog,
  box: SecretBox,
  version: number,
  now: Date,
): Promise<BuiltSnapshot> {
  const [workspaces, sources, keys, destinations, plans] = await Promise.all([
    store.workspaces.find({}, { projection: { _id: 1, slug: 1 } }).toArray(),
    store.sources.find({}).toArray(),
    store.writeKeys.find({}).toArray(),
    store.destinations.find({}).toArray(),
    trackingPlansBySource(store.db),
  ]);
  const slugs = new Map(workspaces.map((w) => [w._id, w.slug]));
  const keysBySource = new Map<string, string[]>();
  let nextExpiry: Date | null = null;
  for (const key of keys) {
    if (key.expiresAt && key.expiresAt <= now) continue;
    if (key.expiresAt && (!nextExpiry || key.expiresAt < nextExpiry)) nextExpiry = key.expiresAt;
    const list = keysBySource.get(key.sourceId) ?? [];
    list.push(key._id);
    keysBySource.set(key.sourceId, list);
  }
  const sourceConfigs: SourceConfig[] = sources.map((s) => ({
    id: s._id,
    workspaceId: s.workspaceId,
    workspaceSlug: slugs.get(s.workspaceId) ?? '',
    slug: s.slug,
    name: s.name,
    enabled: s.enabled,
    writeKeys: (keysBySource.get(s._id) ?? []).sort(),
    type: s.type,
    ...(s.webhook ? { webhook: webhookSourceConfig(s.webhook, box, now) } : {}),
    ...(plans.has(s._id) ? { trackingPlan: plans.get(s._id) } : {}),
  }));
  const destinationConfigs: DestinationConfig[] = [];
  const warehouseConfigs: WarehouseConfig[] = [];
  for (const d of destinations) {
    const settings = openSettings(d.settings, catalog.secrets(d.catalogId), box);
    if (d.warehouse) {
      warehouseConfigs.push({
        id: d._id,
        workspaceId: d.workspaceId,
        name: d.name,
        enabled: d.enabled,
        kind: d.catalogId,
        settings,
        syncIntervalSeconds: d.syncIntervalSeconds,
        sourceIds: d.sourceIds,
        ...(d.syncRequestedAt ? { syncRequestedAt: d.syncRequestedAt } : {}),
      });
    } else {
      destinationConfigs.push({
        id: d._id,
        workspaceId: d.workspaceId,
        catalogId: d.catalogId,
        catalogName: d.type,
        name: d.name,
        enabled: d.enabled,
        settings,
        sourceIds: d.sourceIds,
        filters: d.filters.map((f) => ({ ...f, sourceId: f.sourceId })),
        mappings: (d.mappings ?? []).map((m) => mappingMessage(mappingFromDoc(m))),
        // Absent: saved before mappings existed; translators apply the presets.
        mappingsSet: d.mappings !== undefined,
      });
    }
  }
  return {
    snapshot: { version, sources: sourceConfigs, destinations: destinationConfigs, warehouses: warehouseConfigs },
    nextExpiry,
  };
}
