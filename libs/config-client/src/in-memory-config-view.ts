import type { ConfigView } from './config-view';
import type { ConfigSnapshot, DestinationConfig, SourceConfig, WarehouseConfig } from './snapshot';

const EMPTY: ConfigSnapshot = { version: 0, sources: [], destinations: [], warehouses: [] };

/**
 * A ConfigView over one snapshot at a time, indexed for the hot path (one map lookup per
 * event). The streaming client replaces the snapshot as changes arrive; tests build one directly.
 */
export class InMemoryConfigView implements ConfigView {
  private current: ConfigSnapshot = EMPTY;
  private byWriteKey = new Map<string, SourceConfig>();
  private sources = new Map<string, SourceConfig>();
  private destinationsById = new Map<string, DestinationConfig>();
  private destinationsBySource = new Map<string, DestinationConfig[]>();
  private warehousesBySource = new Map<string, WarehouseConfig[]>();
  private readonly listeners = new Set<(snapshot: ConfigSnapshot) => void>();

  constructor(snapshot?: ConfigSnapshot) {
    if (snapshot) this.replace(snapshot);
  }

  get version(): number {
    return this.current.version;
  }

  replace(snapshot: ConfigSnapshot): void {
    const byWriteKey = new Map<string, SourceConfig>();
    const sources = new Map<string, SourceConfig>();
    for (const source of snapshot.sources) {
      sources.set(source.id, source);
      for (const key of source.writeKeys) byWriteKey.set(key, source);
    }
    const destinationsById = new Map<string, DestinationConfig>();
    const destinationsBySource = new Map<string, DestinationConfig[]>();
    for (const destination of snapshot.destinations) {
      destinationsById.set(destination.id, destination);
      if (!destination.enabled) continue;
      for (const sourceId of destination.sourceIds) push(destinationsBySource, sourceId, destination);
    }
    const warehousesBySource = new Map<string, WarehouseConfig[]>();
    for (const warehouse of snapshot.warehouses) {
      if (!warehouse.enabled) continue;
      for (const sourceId of warehouse.sourceIds) push(warehousesBySource, sourceId, warehouse);
    }
    this.current = snapshot;
    this.byWriteKey = byWriteKey;
    this.sources = sources;
    this.destinationsById = destinationsById;
    this.destinationsBySource = destinationsBySource;
    this.warehousesBySource = warehousesBySource;
    for (const listener of this.listeners) listener(snapshot);
  }

  sourceForWriteKey(writeKey: string): SourceConfig | undefined {
    return this.byWriteKey.get(writeKey);
  }

  source(sourceId: string): SourceConfig | undefined {
    return this.sources.get(sourceId);
  }

  destinationsForSource(sourceId: string, catalogId?: string): DestinationConfig[] {
    const all = this.destinationsBySource.get(sourceId) ?? [];
    return catalogId === undefined ? all : all.filter((d) => d.catalogId === catalogId);
  }

  destination(destinationId: string): DestinationConfig | undefined {
    return this.destinationsById.get(destinationId);
  }

  warehousesForSource(sourceId: string): WarehouseConfig[] {
    return this.warehousesBySource.get(sourceId) ?? [];
  }

  warehouses(): WarehouseConfig[] {
    return this.current.warehouses;
  }

  snapshot(): ConfigSnapshot {
    return this.current;
  }

  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
