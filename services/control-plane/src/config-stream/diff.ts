import type { ConfigDelta, ConfigSnapshot } from '@manifold/proto';

/** What changed from one snapshot to the next; undefined when nothing did. */
export function diffSnapshots(from: ConfigSnapshot, to: ConfigSnapshot): ConfigDelta | undefined {
  const sources = diffById(from.sources, to.sources);
  const destinations = diffById(from.destinations, to.destinations);
  const warehouses = diffById(from.warehouses, to.warehouses);
  if (sources.empty && destinations.empty && warehouses.empty) return undefined;
  return {
    fromVersion: from.version,
    toVersion: to.version,
    upsertedSources: sources.upserted,
    deletedSourceIds: sources.deleted,
    upsertedDestinations: destinations.upserted,
    deletedDestinationIds: destinations.deleted,
    upsertedWarehouses: warehouses.upserted,
    deletedWarehouseIds: warehouses.deleted,
  };
}

function diffById<T extends { id: string }>(
  before: readonly T[],
  after: readonly T[],
): { upserted: T[]; deleted: string[]; empty: boolean } {
  const old = new Map(before.map((item) => [item.id, JSON.stringify(item)]));
  const upserted = after.filter((item) => old.get(item.id) !== JSON.stringify(item));
  const present = new Set(after.map((item) => item.id));
  const deleted = before.filter((item) => !present.has(item.id)).map((item) => item.id);
  return { upserted, deleted, empty: upserted.length === 0 && deleted.length === 0 };
}
