import { DEFAULT_POLICIES, type TrackingPlanRules } from '@manifold/tracking-plans';
import type {
  ConfigDelta,
  ConfigSnapshot as ProtoSnapshot,
  DestinationConfig as ProtoDestination,
  SourceConfig as ProtoSource,
  WarehouseConfig as ProtoWarehouse,
  WebhookSourceConfig as ProtoWebhookSource,
} from '@manifold/proto';
import type {
  ConfigSnapshot,
  DestinationConfig,
  DestinationFilterAction,
  SourceConfig,
  WarehouseConfig,
  WebhookSourceConfig,
} from './snapshot';

// The wire types come from ts-proto (settings as untyped JSON objects); this is the one place
// they become the data plane's typed snapshot.

const source = ({ trackingPlan, webhook, ...s }: ProtoSource): SourceConfig => ({
  ...s,
  ...(webhook ? { webhook: webhookSource(webhook) } : {}),
  ...(trackingPlan
    ? {
        trackingPlan: {
          id: trackingPlan.id,
          version: trackingPlan.version,
          // Checked with checkPlanRules when saved (services/control-plane/src/domain/tracking-plans.ts).
          rules: (trackingPlan.rules ?? { events: {}, policies: DEFAULT_POLICIES }) as unknown as TrackingPlanRules,
        },
      }
    : {}),
});

const webhookSource = ({ previousSigningSecretExpiresAt, ...w }: ProtoWebhookSource): WebhookSourceConfig => ({
  ...w,
  ...(previousSigningSecretExpiresAt
    ? { previousSigningSecretExpiresAt: previousSigningSecretExpiresAt.toISOString() }
    : {}),
});

const destination = (d: ProtoDestination): DestinationConfig => ({
  id: d.id,
  workspaceId: d.workspaceId,
  catalogId: d.catalogId,
  catalogName: d.catalogName,
  name: d.name,
  enabled: d.enabled,
  settings: (d.settings ?? {}) as Record<string, unknown>,
  sourceIds: d.sourceIds,
  filters: d.filters.map((f) => ({
    id: f.id,
    sourceId: f.sourceId,
    title: f.title,
    if: f.if,
    actions: (f.actions ?? []) as DestinationFilterAction[],
    enabled: f.enabled,
  })),
  ...(d.mappingsSet
    ? {
        mappings: d.mappings.map((m) => ({
          id: m.id,
          name: m.name,
          enabled: m.enabled,
          trigger: m.trigger,
          action: m.action,
          fields: (m.fields ?? {}) as Record<string, unknown>,
        })),
      }
    : {}),
});

const warehouse = ({ syncRequestedAt, ...w }: ProtoWarehouse): WarehouseConfig => ({
  ...w,
  settings: (w.settings ?? {}) as Record<string, unknown>,
  ...(syncRequestedAt ? { syncRequestedAt: syncRequestedAt.toISOString() } : {}),
});

export function snapshotFromProto(s: ProtoSnapshot): ConfigSnapshot {
  return {
    version: s.version,
    sources: s.sources.map(source),
    destinations: s.destinations.map(destination),
    warehouses: s.warehouses.map(warehouse),
  };
}

/** Applies a delta to a snapshot, returning the new one (the old one is left untouched). */
export function applyDelta(current: ConfigSnapshot, delta: ConfigDelta): ConfigSnapshot {
  return {
    version: delta.toVersion,
    sources: merge(current.sources, delta.upsertedSources.map(source), delta.deletedSourceIds),
    destinations: merge(current.destinations, delta.upsertedDestinations.map(destination), delta.deletedDestinationIds),
    warehouses: merge(current.warehouses, delta.upsertedWarehouses.map(warehouse), delta.deletedWarehouseIds),
  };
}

function merge<T extends { id: string }>(items: readonly T[], upserted: readonly T[], deleted: readonly string[]): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  for (const id of deleted) byId.delete(id);
  for (const item of upserted) byId.set(item.id, item);
  return [...byId.values()];
}
