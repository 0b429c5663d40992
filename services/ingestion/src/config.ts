import { env, loadConfig } from '@manifold/config';
import { KafkaNames } from '@manifold/events';
import { checkKafkaConnectionConfig, kafkaConnectionConfigShape } from '@manifold/kafka';
import { checkControlPlaneTlsConfig, controlPlaneTlsConfigShape } from '@manifold/proto';
import { DEFAULT_SETTINGS, type IngestionSettings } from './settings';

const list = () =>
  env
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .optional();

const d = DEFAULT_SETTINGS;

/** Every environment variable the ingestion process reads. */
export const ingestionConfigShape = {
  PORT: env.port(8080),
  HOST: env.string().default('0.0.0.0'),
  ADMIN_PORT: env.port(9101),
  KAFKA_BROKERS: env.hostPorts(),
  ...kafkaConnectionConfigShape,
  KAFKA_TOPIC_PREFIX: env.kafkaTopicPrefix(),
  /** Default: the events topic under KAFKA_TOPIC_PREFIX. */
  KAFKA_EVENTS_TOPIC: env.string().optional(),
  KAFKA_EVENTS_PARTITIONS: env.int(6, 1),
  KAFKA_PUBLISH_TIMEOUT_MS: env.int(d.publish.timeoutMs, 100),
  PUBLISH_LINGER_MS: env.int(d.publish.lingerMs, 0),
  PUBLISH_MAX_BATCH_MESSAGES: env.int(d.publish.maxBatchMessages, 1),
  PUBLISH_MAX_BATCH_BYTES: env.int(d.publish.maxBatchBytes, 1024),
  PUBLISH_MAX_QUEUED_BYTES: env.int(d.publish.maxQueuedBytes, 1024 * 1024),
  PUBLISH_MAX_CONCURRENT_SENDS: env.int(d.publish.maxConcurrentSends, 1),
  MAX_CALL_BYTES: env.int(d.limits.maxCallBytes, 1024),
  MAX_BATCH_BYTES: env.int(d.limits.maxBatchBytes, 1024),
  MAX_BATCH_ITEMS: env.int(d.limits.maxBatchItems, 1),
  MAX_BATCH_EVENT_BYTES: env.int(d.limits.maxBatchEventBytes, 1024),
  MAX_RECEIVING_BYTES: env.int(d.limits.maxReceivingBytes, 1024 * 1024),
  RATE_LIMIT_REQUESTS_PER_SECOND: env.int(d.rateLimit.requestsPerSecond, 0),
  RATE_LIMIT_BURST: env.int(d.rateLimit.burst, 0),
  TRUSTED_PROXIES: list(),
  PUBLIC_BASE_URL: env.url(['http', 'https']).optional(),
  DEBUGGER_BUFFER_SIZE: env.int(d.debuggerBufferSize, 0),
  INGESTION_ADMIN_TOKEN: env.string().min(16, 'expected at least 16 characters').optional(),
  CONTROL_PLANE_ADDRESS: env.string().default('127.0.0.1:50051'),
  ...controlPlaneTlsConfigShape,
  CONTROL_PLANE_TOKEN: env.string(),
  CONFIG_CACHE_FILE: env.string().optional(),
  /** Seals CONFIG_CACHE_FILE; a key derived from CONTROL_PLANE_TOKEN when unset. */
  CONFIG_CACHE_KEY: env.key256().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
  /**
   * HTTP worker processes sharing PORT (Node's cluster module). 0: the CPUs available to the
   * process (its container's CPU and memory limits respected), at most 8. 1: one process, no cluster.
   */
  INGESTION_WORKERS: env.int(0, 0),
  /** How often tracking-plan violation counts and observed event shapes go to the control plane (ms). */
  PLAN_REPORT_INTERVAL_MS: env.int(10_000, 100),
  /** On SIGTERM, keep serving this long (readiness already failing) before closing the listener. */
  SHUTDOWN_DELAY_MS: env.int(0, 0),
};

export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;

export function loadIngestionConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig('ingestion', ingestionConfigShape, source, [
    checkKafkaConnectionConfig,
    checkControlPlaneTlsConfig,
  ]);
}

export function settingsFromConfig(config: IngestionConfig): IngestionSettings {
  return {
    topic: config.KAFKA_EVENTS_TOPIC ?? new KafkaNames(config.KAFKA_TOPIC_PREFIX).events,
    quarantineTopic: new KafkaNames(config.KAFKA_TOPIC_PREFIX).quarantine,
    planReports: {
      topic: new KafkaNames(config.KAFKA_TOPIC_PREFIX).planReports,
      intervalMs: config.PLAN_REPORT_INTERVAL_MS,
    },
    limits: {
      maxCallBytes: config.MAX_CALL_BYTES,
      maxBatchBytes: config.MAX_BATCH_BYTES,
      maxBatchItems: config.MAX_BATCH_ITEMS,
      maxBatchEventBytes: config.MAX_BATCH_EVENT_BYTES,
      maxReceivingBytes: config.MAX_RECEIVING_BYTES,
    },
    publish: {
      maxBatchMessages: config.PUBLISH_MAX_BATCH_MESSAGES,
      maxBatchBytes: config.PUBLISH_MAX_BATCH_BYTES,
      lingerMs: config.PUBLISH_LINGER_MS,
      timeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS,
      maxQueuedBytes: config.PUBLISH_MAX_QUEUED_BYTES,
      maxConcurrentSends: config.PUBLISH_MAX_CONCURRENT_SENDS,
    },
    rateLimit: { requestsPerSecond: config.RATE_LIMIT_REQUESTS_PER_SECOND, burst: config.RATE_LIMIT_BURST },
    trustedProxies: config.TRUSTED_PROXIES ?? [],
    publicBaseUrl: config.PUBLIC_BASE_URL,
    debuggerBufferSize: config.DEBUGGER_BUFFER_SIZE,
    adminToken: config.INGESTION_ADMIN_TOKEN,
  };
}
