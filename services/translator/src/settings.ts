import { AddressPolicy, DEFAULT_BLOCKED_NETWORKS } from '@manifold/destination-http';
import { TOPICS } from '@manifold/events';
import { parseDuration } from './duration';

export interface TranslatorSettings {
  /** Destination types (catalog ids) this process delivers to; one consumer group each. */
  destinationTypes: string[];
  /** The topic of accepted events. */
  eventsTopic: string;
  /**
   * KAFKA_TOPIC_PREFIX: prefix of the translator's own topics (retry tiers, dead letters,
   * delivery reports) and consumer groups. Empty in deployments; tests and benchmarks use a
   * unique one (and give the control plane reading their delivery reports the same).
   */
  namespace: string;
  /** Where a consumer group that has never committed starts on the events topic. */
  startFrom: 'earliest' | 'latest';
  /** Partitions of one topic processed at once by each consumer. */
  partitionsConsumedConcurrently: number;
  /** Delays of the retry topics, shortest first (Segment retries for 4 h with exponential backoff). */
  retryDelaysMs: number[];
  /** How long after the first attempt an event may still be retried before it is dead-lettered. */
  retryWindowMs: number;
  /** Longest wait for a destination's answer, headers and body together. */
  requestTimeoutMs: number;
  /**
   * Consecutive timed-out requests after which the events topic stops attempting an instance
   * (its events go to the retry topics, whose attempts find out when it answers again).
   */
  slowInstanceTimeouts: number;
  /** Requests in flight per destination instance. */
  instanceConcurrency: number;
  /** Keep-alive connections per destination origin (host:port). */
  connectionsPerOrigin: number;
  /** Addresses destination requests may not reach (DESTINATION_BLOCKED_NETWORKS): such a request is dead-lettered. */
  addressPolicy: AddressPolicy;
  /** How long a messageId is remembered per destination instance (at most one delivery in this window). */
  dedupWindowMs: number;
  /** How often expired messageId claims and read-progress records are deleted (servers without TTL indexes). */
  claimSweepIntervalMs: number;
  /** Delivery reports are aggregated for this long before they are published. */
  reportIntervalMs: number;
  /** Partitions of the retry and dead-letter topics the translator creates. */
  topicPartitions: number;
  /** Partitions of the events topic when the translator has to create it (ingestion usually does). */
  eventsTopicPartitions: number;
  replicationFactor: number;
  /** A publish to Kafka (retries, dead letters) not acknowledged in this time fails the batch, which is then redelivered. */
  produceTimeoutMs: number;
  /** Whether every event's outcome at every instance is written to the traces topic. */
  trace: boolean;
  /** How long the traces topic keeps them (its retention.ms when the translator creates it). */
  traceRetentionMs: number;
  /** Request and response bodies in traces are cut to this many characters. */
  traceBodyChars: number;
  /** Whose request bodies the trace keeps: `failures` (not delivered: retrying, failed) or `all`. */
  traceRequestBodies: 'failures' | 'all';
  /** Trace entries are written at least this often. */
  traceFlushIntervalMs: number;
  /** Partitions of the traces topic the translator creates. */
  tracePartitions: number;
}

export const DEFAULT_RETRY_DELAYS = ['5s', '30s', '2m', '10m', '30m', '1h'].map(parseDuration);

export const DEFAULT_SETTINGS: TranslatorSettings = {
  destinationTypes: [],
  eventsTopic: TOPICS.events,
  namespace: '',
  startFrom: 'earliest',
  partitionsConsumedConcurrently: 6,
  retryDelaysMs: DEFAULT_RETRY_DELAYS,
  retryWindowMs: parseDuration('4h'),
  requestTimeoutMs: 10_000,
  slowInstanceTimeouts: 1,
  instanceConcurrency: 20,
  connectionsPerOrigin: 50,
  addressPolicy: AddressPolicy.blocking(DEFAULT_BLOCKED_NETWORKS),
  dedupWindowMs: parseDuration('24h'),
  claimSweepIntervalMs: parseDuration('10m'),
  reportIntervalMs: 1000,
  topicPartitions: 3,
  eventsTopicPartitions: 6,
  replicationFactor: 1,
  produceTimeoutMs: 10_000,
  trace: true,
  traceRetentionMs: parseDuration('7d'),
  traceBodyChars: 4096,
  traceRequestBodies: 'failures',
  traceFlushIntervalMs: 1000,
  tracePartitions: 6,
};

export function translatorSettings(overrides: Partial<TranslatorSettings> = {}): TranslatorSettings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}
