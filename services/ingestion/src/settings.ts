import { TOPICS } from '@manifold/events';
import type { RequestLimits } from './tracking/request-limits';

export interface PublishSettings {
  /** See PublishQueueOptions: a send goes out at this many messages, bytes, or ms of waiting. */
  maxBatchMessages: number;
  maxBatchBytes: number;
  lingerMs: number;
  /** A request whose events Kafka has not acknowledged in this time is answered 503 (ms). */
  timeoutMs: number;
  maxQueuedBytes: number;
  maxConcurrentSends: number;
}

export interface IngestionSettings {
  /** The Kafka topic of accepted events. */
  topic: string;
  /** The Kafka topic of events a tracking plan blocked. */
  quarantineTopic: string;
  /** Tracking-plan reports (violation counts, observed property paths): their topic and how often they go out (ms). */
  planReports: { topic: string; intervalMs: number };
  limits: RequestLimits;
  publish: PublishSettings;
  /** Per write key, per replica; 0 requests per second turns it off. */
  rateLimit: { requestsPerSecond: number; burst: number };
  /** Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs, CIDRs, `loopback`, ...). */
  trustedProxies: string[];
  /** Where browsers reach this service, for analytics.js's apiHost; unset: each request's Host. */
  publicBaseUrl: string | undefined;
  /** Events kept per source for the live debugger. */
  debuggerBufferSize: number;
  /** Service token that opens every source's debugger (for the console). */
  adminToken: string | undefined;
}

/** Segment's limits (docs/event-spec.md#limits) and publishing tuned for one small broker. */
export const DEFAULT_SETTINGS: IngestionSettings = {
  topic: TOPICS.events,
  quarantineTopic: TOPICS.quarantine,
  planReports: { topic: TOPICS.planReports, intervalMs: 10_000 },
  limits: {
    maxCallBytes: 32 * 1024,
    maxBatchBytes: 500 * 1024,
    maxBatchItems: 2500,
    maxBatchEventBytes: 4 * 1024 * 1024,
    maxReceivingBytes: 32 * 1024 * 1024,
  },
  publish: {
    maxBatchMessages: 2000,
    maxBatchBytes: 900 * 1024,
    lingerMs: 0,
    timeoutMs: 5000,
    maxQueuedBytes: 16 * 1024 * 1024,
    maxConcurrentSends: 1,
  },
  rateLimit: { requestsPerSecond: 0, burst: 0 },
  trustedProxies: [],
  publicBaseUrl: undefined,
  debuggerBufferSize: 100,
  adminToken: undefined,
};

export interface IngestionSettingsOverrides extends Partial<
  Omit<IngestionSettings, 'limits' | 'publish' | 'rateLimit' | 'planReports'>
> {
  planReports?: Partial<IngestionSettings['planReports']>;
  limits?: Partial<RequestLimits>;
  publish?: Partial<PublishSettings>;
  rateLimit?: Partial<IngestionSettings['rateLimit']>;
}

/** The defaults with some settings replaced (nested groups are merged, not replaced). */
export function ingestionSettings(overrides: IngestionSettingsOverrides = {}): IngestionSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...overrides,
    limits: { ...DEFAULT_SETTINGS.limits, ...overrides.limits },
    publish: { ...DEFAULT_SETTINGS.publish, ...overrides.publish },
    rateLimit: { ...DEFAULT_SETTINGS.rateLimit, ...overrides.rateLimit },
    planReports: { ...DEFAULT_SETTINGS.planReports, ...overrides.planReports },
  };
}
