import { env, loadConfig } from '@manifold/config';
import { destinationNetworkConfigShape } from '@manifold/destination-http';
import { KafkaNames } from '@manifold/events';
import { checkKafkaConnectionConfig, kafkaConnectionConfigShape } from '@manifold/kafka';
import { checkMongoConnectionConfig, mongoConnectionConfigShape } from '@manifold/mongo';
import { checkControlPlaneTlsConfig, controlPlaneTlsConfigShape } from '@manifold/proto';
import { z } from 'zod';
import { parseDuration } from './duration';
import { DEFAULT_SETTINGS, type TranslatorSettings } from './settings';

const d = DEFAULT_SETTINGS;

const duration = (fallback: string) =>
  env
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return parseDuration(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

const durations = (fallback: string) =>
  env
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        const list = value.split(',').map((v) => parseDuration(v));
        if (list.length === 0 || list.some((ms) => ms <= 0)) throw new Error('expected positive durations');
        if (new Set(list).size !== list.length) throw new Error('expected different durations');
        return list.sort((a, b) => a - b);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `expected e.g. 5s,30s,2m: ${(error as Error).message}` });
        return z.NEVER;
      }
    });

const types = () =>
  env
    .string()
    .default('all')
    .transform((value) =>
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    );

/** Every environment variable the translator process reads. */
export const translatorConfigShape = {
  ADMIN_PORT: env.port(9103),
  KAFKA_BROKERS: env.hostPorts(),
  ...kafkaConnectionConfigShape,
  KAFKA_TOPIC_PREFIX: env.kafkaTopicPrefix(),
  /** Default: the events topic under KAFKA_TOPIC_PREFIX. */
  KAFKA_EVENTS_TOPIC: env.string().optional(),
  KAFKA_EVENTS_PARTITIONS: env.int(d.eventsTopicPartitions, 1),
  KAFKA_TOPIC_PARTITIONS: env.int(d.topicPartitions, 1),
  KAFKA_PRODUCE_TIMEOUT: duration('10s'),
  CONTROL_PLANE_ADDRESS: env.string().default('127.0.0.1:50051'),
  ...controlPlaneTlsConfigShape,
  CONTROL_PLANE_TOKEN: env.string(),
  CONFIG_CACHE_FILE: env.string().optional(),
  /** Seals CONFIG_CACHE_FILE; a key derived from CONTROL_PLANE_TOKEN when unset. */
  CONFIG_CACHE_KEY: env.key256().optional(),
  // Not env.url: a replica-set URL lists several hosts (`mongodb://a:27017,b:27017/db?replicaSet=rs0`),
  // which WHATWG URL parsing refuses.
  MONGO_URL: env
    .string()
    .regex(
      /^mongodb(\+srv)?:\/\/[^/?#]+(\/[^?#]*)?(\?.*)?$/,
      'expected a mongodb:// or mongodb+srv:// connection string',
    ),
  ...mongoConnectionConfigShape,
  /** Comma-separated catalog ids, or `all`. */
  DESTINATION_TYPES: types(),
  START_FROM: env.oneOf(['earliest', 'latest'] as const, d.startFrom),
  PARTITIONS_CONSUMED_CONCURRENTLY: env.int(d.partitionsConsumedConcurrently, 1),
  RETRY_TIERS: durations('5s,30s,2m,10m,30m,1h'),
  RETRY_WINDOW: duration('4h'),
  REQUEST_TIMEOUT: duration('10s'),
  SLOW_INSTANCE_TIMEOUTS: env.int(d.slowInstanceTimeouts, 1),
  INSTANCE_CONCURRENCY: env.int(d.instanceConcurrency, 1),
  CONNECTIONS_PER_ORIGIN: env.int(d.connectionsPerOrigin, 1),
  ...destinationNetworkConfigShape,
  DEDUP_WINDOW: duration('24h'),
  CLAIM_SWEEP_INTERVAL: duration('10m'),
  REPORT_INTERVAL: duration('1s'),
  TRACE: env.oneOf(['on', 'off'] as const, 'on'),
  TRACE_RETENTION: duration('7d'),
  TRACE_BODY_CHARS: env.int(d.traceBodyChars, 0),
  TRACE_REQUEST_BODIES: env.oneOf(['failures', 'all'] as const, d.traceRequestBodies),
  TRACE_FLUSH_INTERVAL: duration('1s'),
  KAFKA_TRACE_PARTITIONS: env.int(d.tracePartitions, 1),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
};

export type TranslatorConfig = ReturnType<typeof loadTranslatorConfig>;

/** The database named in a MongoDB connection string's path, `manifold` when none is. */
export function mongoDatabase(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]+\/([^?#]*)/.exec(url);
  return decodeURIComponent(match?.[1] ?? '') || 'manifold';
}

export function loadTranslatorConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig('translator', translatorConfigShape, source, [
    checkKafkaConnectionConfig,
    checkMongoConnectionConfig,
    checkControlPlaneTlsConfig,
  ]);
}

/** Settings from the environment; `all` becomes every type in `knownTypes`, and unknown types are refused. */
export function settingsFromConfig(config: TranslatorConfig, knownTypes: readonly string[]): TranslatorSettings {
  const wanted = config.DESTINATION_TYPES.includes('all') ? [...knownTypes] : config.DESTINATION_TYPES;
  const unknown = wanted.filter((type) => !knownTypes.includes(type));
  if (unknown.length > 0) {
    throw new Error(
      `translator: DESTINATION_TYPES names unknown types ${unknown.join(', ')} (known: ${knownTypes.join(', ')})`,
    );
  }
  return {
    ...DEFAULT_SETTINGS,
    destinationTypes: [...new Set(wanted)],
    eventsTopic: config.KAFKA_EVENTS_TOPIC ?? new KafkaNames(config.KAFKA_TOPIC_PREFIX).events,
    namespace: config.KAFKA_TOPIC_PREFIX,
    startFrom: config.START_FROM,
    partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
    retryDelaysMs: config.RETRY_TIERS,
    retryWindowMs: config.RETRY_WINDOW,
    requestTimeoutMs: config.REQUEST_TIMEOUT,
    slowInstanceTimeouts: config.SLOW_INSTANCE_TIMEOUTS,
    instanceConcurrency: config.INSTANCE_CONCURRENCY,
    connectionsPerOrigin: config.CONNECTIONS_PER_ORIGIN,
    addressPolicy: config.DESTINATION_BLOCKED_NETWORKS,
    dedupWindowMs: config.DEDUP_WINDOW,
    claimSweepIntervalMs: config.CLAIM_SWEEP_INTERVAL,
    reportIntervalMs: config.REPORT_INTERVAL,
    topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
    eventsTopicPartitions: config.KAFKA_EVENTS_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    produceTimeoutMs: config.KAFKA_PRODUCE_TIMEOUT,
    trace: config.TRACE === 'on',
    traceRetentionMs: config.TRACE_RETENTION,
    traceBodyChars: config.TRACE_BODY_CHARS,
    traceRequestBodies: config.TRACE_REQUEST_BODIES,
    traceFlushIntervalMs: config.TRACE_FLUSH_INTERVAL,
    tracePartitions: config.KAFKA_TRACE_PARTITIONS,
  };
}
