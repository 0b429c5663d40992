// The Segment Spec message as Manifold stores it after ingestion (enriched, validated).
// The fields and their meaning: docs/event-spec.md#the-message.

export const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type CallType = (typeof CALL_TYPES)[number];

export function isCallType(value: unknown): value is CallType {
  return typeof value === 'string' && (CALL_TYPES as readonly string[]).includes(value);
}

/** `context` is open-ended; these are the standard keys (docs/event-spec.md#context). */
export interface EventContext {
  ip?: string;
  library?: { name?: string; version?: string };
  page?: { path?: string; referrer?: string; search?: string; title?: string; url?: string };
  userAgent?: string;
  locale?: string;
  timezone?: string;
  traits?: Record<string, unknown>;
  groupId?: string;
  app?: Record<string, unknown>;
  device?: Record<string, unknown>;
  os?: Record<string, unknown>;
  campaign?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * `integrations`: destination name → enabled flag or destination-specific options
 * (docs/event-spec.md#integrations).
 */
export type IntegrationsObject = Record<string, boolean | Record<string, unknown>>;

export interface SpecEvent {
  type: CallType;
  messageId: string;
  userId?: string | null;
  anonymousId?: string | null;
  /** When it happened, corrected for client clock skew (ISO-8601). */
  timestamp: string;
  /** The client's own `timestamp`, kept as sent. */
  originalTimestamp?: string;
  sentAt?: string;
  /** Server clock at receipt (ISO-8601). */
  receivedAt: string;
  context: EventContext;
  integrations: IntegrationsObject;
  version?: number;
  channel?: string;
  // track
  event?: string;
  properties?: Record<string, unknown>;
  // identify, group
  traits?: Record<string, unknown>;
  // page, screen
  name?: string;
  category?: string;
  // group
  groupId?: string;
  // alias
  previousId?: string;
  _metadata?: Record<string, unknown>;
  [key: string]: unknown;
}
