import type { TrackingPlanRules } from '@manifold/tracking-plans';

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
  /** Sources of type "webhook" only: how ingestion reads and verifies the app's deliveries. */
  webhook?: WebhookSourceConfig | undefined;
  /** The tracking plan version the source's events are held to at ingestion, if any. */
  trackingPlan?: SourceTrackingPlan | undefined;
}

/** A plan version on a source (libs/tracking-plans/README.md); rules as the control plane checked them. */
export interface SourceTrackingPlan {
  id: string;
  version: number;
  rules: TrackingPlanRules;
}

/** A webhook source's settings as the data plane gets them (services/ingestion/README.md#webhook-sources). */
export interface WebhookSourceConfig {
  /** stripe, github, shopify or generic. */
  kind: string;
  /** In clear; empty when deliveries are not verified. */
  signingSecret: string;
  /** Generic sources: mapping-kit directives from a delivery's JSON to a Spec call. */
  mapping?: Record<string, unknown> | undefined;
  /** The secret a rotation replaced, in clear; empty when none. Accepted until its expiry. */
  previousSigningSecret: string;
  /** When the previous secret stops being accepted (ISO-8601); absent with no previous secret. */
  previousSigningSecretExpiresAt?: string | undefined;
  /** How long a delivery's messageId is remembered (seconds; the app's default applied). */
  duplicateWindowSeconds: number;
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

/**
 * One mapping of a destination instance (libs/destination-kit/README.md#instance-mappings):
 * events matching `trigger` (FQL) run `action` with the field mapping `fields`.
 */
export interface DestinationMappingConfig {
  id: string;
  name: string;
  enabled: boolean;
  trigger: string;
  action: string;
  /** Field → mapping-kit value, as validated by the control plane. */
  fields: Record<string, unknown>;
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
  /** The instance's mappings, in order; absent: the destination's presets (saved before mappings existed). */
  mappings?: DestinationMappingConfig[];
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
