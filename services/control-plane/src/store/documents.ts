// The shapes stored in MongoDB. Kept within what FerretDB 1.24 supports: no keys starting
// with "$" or containing ".", no nested arrays, plain CRUD with unique indexes.

export interface StatusChangeDoc {
  status: string;
  changedBy: string;
  changedAt: Date;
  reason: string;
}

export interface WorkspaceDoc {
  _id: string;
  slug: string;
  name: string;
  ownerEmail: string;
  members: Array<{ email: string; role: string }>;
  createdAt: Date;
  createdBy: string;
  /** Absent in workspaces stored before auto-disable existed: none. */
  autoDisableExceptions?: string[];
}

export interface SourceDoc {
  _id: string;
  workspaceId: string;
  slug: string;
  name: string;
  /** Lower-cased name: sorting by name ignores case (FerretDB has no collations). */
  nameSort: string;
  enabled: boolean;
  status: StatusChangeDoc;
  statusHistory: StatusChangeDoc[];
  environment: string;
  type: string;
  category: string;
  createdAt: Date;
  createdBy: string;
  destinationIds: string[];
  /** Denormalised for listing: names of connected destinations and how many there are. */
  destinationNames: string[];
  destinationCount: number;
  withoutDestinationSince: Date | null;
  autoDisableWarnedAt: Date | null;
  /** Sources of type "webhook" only. */
  webhook?: WebhookSettingsDoc;
}

/** How a webhook source reads its app's deliveries (domain/webhook-settings.ts). */
export interface WebhookSettingsDoc {
  kind: string;
  /** Sealed (`enc:v1:…`); null when deliveries are not verified. */
  signingSecret: string | null;
  /** Generic sources: the mapping as JSON text. */
  mapping: string | null;
  /** Sealed; the secret a rotation replaced, accepted until `previousSigningSecretExpiresAt`. */
  previousSigningSecret?: string | null;
  previousSigningSecretExpiresAt?: Date | null;
  /** Seconds a delivery's messageId is remembered; null or absent: the app's default. */
  duplicateWindowSeconds?: number | null;
}

/** One document per write key: _id is the key itself, so uniqueness across workspaces is free. */
export interface WriteKeyDoc {
  _id: string;
  sourceId: string;
  workspaceId: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface DestinationFilterDoc {
  id: string;
  sourceId: string;
  title: string;
  if: string;
  actions: Array<Record<string, unknown>>;
  enabled: boolean;
}

/**
 * One mapping of a destination instance. The field mapping is stored as JSON text: its keys are
 * the user's (custom property names may hold "." or start with "$", which FerretDB refuses).
 */
export interface DestinationMappingDoc {
  id: string;
  name: string;
  enabled: boolean;
  trigger: string;
  action: string;
  fieldsJson: string;
}

/** One saved state of a destination's mappings: `_id` is `<destination id>:<version>`, so two writers of one version collide. */
export interface DestinationMappingVersionDoc {
  _id: string;
  destinationId: string;
  workspaceId: string;
  version: number;
  mappings: DestinationMappingDoc[];
  changedBy: string;
  changedAt: Date;
  comment: string;
  diff: string[];
}

export interface DestinationDoc {
  /** Instances of a type that connects with OAuth, once connected. */
  oauth?: OAuthSummaryDoc;
  _id: string;
  workspaceId: string;
  name: string;
  /** Lower-cased name, for case-insensitive sorting. */
  nameSort: string;
  catalogId: string;
  /** Catalog display name and categories, copied for listing. */
  type: string;
  categories: string[];
  category: string;
  /** Secret fields sealed (see domain/secrets.ts). */
  settings: Record<string, unknown>;
  enabled: boolean;
  status: StatusChangeDoc;
  statusHistory: StatusChangeDoc[];
  sourceIds: string[];
  sourceNames: string[];
  sourceCount: number;
  createdAt: Date;
  createdBy: string;
  warehouse: boolean;
  /** "warehouse" or "destination", so lists can filter on the kind. */
  warehouseLabel: 'warehouse' | 'destination';
  syncIntervalSeconds: number;
  /** Warehouses: the latest "sync now" (the loaders see it through the config stream). */
  syncRequestedAt?: Date;
  filters: DestinationFilterDoc[];
  /** Absent on destinations saved before mappings existed: their presets apply (version 0). */
  mappings?: DestinationMappingDoc[];
  mappingsVersion?: number;
}

export interface IntegrationRequestDoc {
  _id: string;
  workspaceId: string;
  name: string;
  /** Lower-cased, trimmed name: requests are counted per integration by this key. */
  nameKey: string;
  website: string;
  useCase: string;
  requestedBy: string;
  createdAt: Date;
}

/** The single counter every configuration write increments; replicas poll it to notice writes. */
export interface ConfigVersionDoc {
  _id: 'config';
  version: number;
}

/** What reads show of an instance's OAuth connection (never a token). */
export interface OAuthSummaryDoc {
  state: 'connected' | 'reconnect_needed';
  connectedAt: Date;
  connectedBy: string;
  problem: string;
  problemAt: Date | null;
}

/**
 * One authorization in progress: `_id` is the SHA-256 of the `state` sent to the provider (the
 * state itself is never stored), deleted when the callback uses it or when it expires.
 */
export interface OAuthStateDoc {
  _id: string;
  workspaceId: string;
  destinationId: string;
  catalogId: string;
  /** SHA-256 of the console's session binding: the callback must come from the same session. */
  sessionHash: string;
  redirectUri: string;
  createdBy: string;
  expiresAt: Date;
}

/** The tokens of one connected instance (`_id` = destination id), sealed with the control plane's key. */
export interface OAuthConnectionDoc {
  _id: string;
  workspaceId: string;
  catalogId: string;
  refreshToken: string;
  accessToken: string;
  expiresAt: Date;
  /** Translators are told to ask again from then on: a margin before `expiresAt`. */
  refreshAfter: Date;
  /** Incremented by every refresh: refresh leases are per version. */
  version: number;
  state: 'connected' | 'reconnect_needed';
}

/**
 * Who refreshes one version of an instance's access token: `_id` = `<destination>:<version>`, so
 * an insert is the lease (a unique-key insert is atomic on MongoDB and FerretDB alike). A lease
 * whose refresh succeeded stays (the version moved on); a failed one is deleted; an abandoned one
 * may be taken over after `until`.
 */
export interface OAuthRefreshLeaseDoc {
  _id: string;
  holder: string;
  takenAt: Date;
  until: Date;
}
