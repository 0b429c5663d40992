export interface SourceConfig {
  id: string;
  workspaceId: string;
  workspaceSlug: string;
  slug: string;
  name: string;
  enabled: boolean;
  /** Every key that currently authenticates this source (more than one during a rotation). */
  writeKeys: string[];
  /** javascript, node, http, ... */
  type: string;
}

export type DestinationFilterAction =
  | { type: 'DROP' }
  | { type: 'SAMPLE'; percent: number; path?: string }
  | { type: 'DROP_PROPERTIES'; fields: Record<string, string[]> }
  | { type: 'ALLOW_PROPERTIES'; fields: Record<string, string[]> };

/**
 * A destination filter on one source–destination pair
 * (libs/destination-kit/README.md#destination-filters).
 */
export interface DestinationFilterConfig {
  id: string;
  sourceId: string;
  title: string;
  /** FQL condition; "all" matches every event. */
  if: string;
  actions: DestinationFilterAction[];
  enabled: boolean;
}

export interface DestinationConfig {
  id: string;
  workspaceId: string;
  /** The catalog entry this is an instance of, e.g. "mixpanel"; also the translator type. */
  catalogId: string;
  /** The catalog's display name, the key that the `integrations` object uses ("Mixpanel"). */
  catalogName: string;
  name: string;
  enabled: boolean;
  /** Decrypted settings: only the data plane ever receives secrets in clear. */
  settings: Record<string, unknown>;
  sourceIds: string[];
  filters: DestinationFilterConfig[];
}

export interface WarehouseConfig {
  id: string;
  workspaceId: string;
  name: string;
  enabled: boolean;
  /** Which warehouse engine: "postgres" or "duckdb". */
  kind: string;
  /** Decrypted connection settings and schema options. */
  settings: Record<string, unknown>;
  syncIntervalSeconds: number;
  sourceIds: string[];
  /** The latest "sync now" asked for (ISO-8601): a loader loads at once when it sees a newer one. */
  syncRequestedAt?: string;
}

export interface ConfigSnapshot {
  /** Increases with every change the control plane makes. */
  version: number;
  sources: SourceConfig[];
  destinations: DestinationConfig[];
  warehouses: WarehouseConfig[];
}
