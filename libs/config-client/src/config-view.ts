import type { ConfigSnapshot, DestinationConfig, SourceConfig, WarehouseConfig } from './snapshot';

/** Read access to the latest configuration; every lookup is in memory. */
export interface ConfigView {
  /** The version of the snapshot being served; 0 before the first one arrived. */
  readonly version: number;
  sourceForWriteKey(writeKey: string): SourceConfig | undefined;
  source(sourceId: string): SourceConfig | undefined;
  /** Enabled destinations connected to the source, optionally only those of one catalog type. */
  destinationsForSource(sourceId: string, catalogId?: string): DestinationConfig[];
  destination(destinationId: string): DestinationConfig | undefined;
  /** Enabled warehouses connected to the source. */
  warehousesForSource(sourceId: string): WarehouseConfig[];
  warehouses(): WarehouseConfig[];
  snapshot(): ConfigSnapshot;
  /** Called after each new snapshot is in place; returns a function that unsubscribes. */
  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void;
}
