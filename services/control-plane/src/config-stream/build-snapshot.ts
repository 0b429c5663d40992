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
  /** What could not be built from its stored document and was left out (the broadcaster logs it). */
  skipped: SkippedItem[];
}

/**
 * A stored item the data plane does not get: a destination or warehouse whose settings cannot be
 * opened (sealed with another key) or whose document is of another shape (edited by hand, restored
 * from an older version), or the webhook settings of a source. `reason` is the error's message,
 * never a setting's value.
 */
export interface SkippedItem {
  kind: 'destination' | 'warehouse' | 'source webhook';
  id: string;
  reason: string;
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
  // Each item is built on its own: one that cannot be (see SkippedItem) is left out and the rest
  // still reach the data plane. Thrown out of here, it failed every build, so no change to any
  // source, destination or warehouse was streamed again (and a control plane starting failed).
  const skipped: SkippedItem[] = [];
  const skip = (kind: SkippedItem['kind'], id: string, error: unknown): void => {
    skipped.push({ kind, id, reason: error instanceof Error ? error.message : String(error) });
  };
  const sourceConfigs: SourceConfig[] = sources.map((s) => {
    let webhook: SourceConfig['webhook'];
    try {
      webhook = s.webhook ? webhookSourceConfig(s.webhook, box, now) : undefined;
    } catch (error) {
      // The source still takes events by write key; its webhook deliveries are refused (not a
      // webhook source to ingestion) rather than accepted unverified.
      skip('source webhook', s._id, error);
    }
    return {
      id: s._id,
      workspaceId: s.workspaceId,
      workspaceSlug: slugs.get(s.workspaceId) ?? '',
      slug: s.slug,
      name: s.name,
      enabled: s.enabled,
      writeKeys: (keysBySource.get(s._id) ?? []).sort(),
      type: s.type,
      ...(webhook ? { webhook } : {}),
      ...(plans.has(s._id) ? { trackingPlan: plans.get(s._id) } : {}),
    };
  });
  const destinationConfigs: DestinationConfig[] = [];
  const warehouseConfigs: WarehouseConfig[] = [];
  for (const d of destinations) {
    try {
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
    } catch (error) {
      // Left out whole: sent with its credentials still sealed, or without its mappings (the
      // presets instead), it would deliver wrongly. The data plane treats it as deleted until its
      // document can be read again.
      skip(d.warehouse ? 'warehouse' : 'destination', d._id, error);
    }
  }
  return {
    snapshot: { version, sources: sourceConfigs, destinations: destinationConfigs, warehouses: warehouseConfigs },
    nextExpiry,
    skipped,
  };
}
