import { Kafka, logLevel, type LogEntry, type Admin, type SASLOptions } from 'kafkajs';
import { maskedLogger, type Logger } from '@manifold/logger';
import { SecretMasker } from '@manifold/secrets';
import { EventProducer, type ProducerOptions } from './producer';
import { ConsumerRunner, type ConsumerOptions } from './consumer';
import { ConsumerLagMetric, type ConsumerLagTelemetry, type PartitionLag } from './consumer-lag';
import { connectError, KafkaTopicCreationError, KafkaUnavailableError } from './errors';
import type { KafkaSecurity } from './connection-config';
import { readRanges, type RangeReadOptions, type RangeReadResult } from './range-reader';
import type { TopicSpec } from './types';
import { policySocketFactory, type BrokerAddressPolicy } from './socket-factory';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** How long to wait for a broker connection before giving up (ms). */
  connectionTimeoutMs?: number;
  /** How long one request may take before it is considered failed (ms). */
  requestTimeoutMs?: number;
  /**
   * The service's meter and metric prefix: the committed lag of every consumer this client runs
   * is exported as `<prefix>kafka_consumer_lag_messages`.
   */
  telemetry?: ConsumerLagTelemetry;
  /** SASL and TLS (see kafkaClientSettings); plaintext without credentials when absent. */
  security?: KafkaSecurity;
  /** Of the topics ensureTopics creates, unless a spec says otherwise (KAFKA_REPLICATION_FACTOR). Default 1. */
  replicationFactor?: number;
  /** Addresses the brokers may not be at (a destination's brokers); any when absent. */
  addressPolicy?: BrokerAddressPolicy;
}

const levelNames: Record<logLevel, 'error' | 'warn' | 'info' | 'debug' | undefined> = {
  [logLevel.NOTHING]: undefined,
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs lines that report what this wrapper expects and handles, logged at debug instead of
 * warn/error so that operators' alerts on error lines stay meaningful: the producer's retry limit
 * is deliberate (see EventProducer), and a topic another process created first is an answer
 * ensureTopics handles (a refusal it cannot handle is thrown as KafkaTopicCreationError).
 */
const expectedLines = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
  'Topic creation errors',
]);

/** A connection to one Kafka cluster: makes producers and consumers, and manages topics. */
export class KafkaClient {
  private readonly kafka: Kafka;
  private adminClient: Admin | undefined;
  private readonly consumers = new Set<ConsumerRunner>();

  private readonly logger: Logger;

  constructor(private readonly options: KafkaClientOptions) {
    const password = options.security?.sasl?.password;
    // kafkajs's own lines and errors pass through the one mask, should one ever quote the password
    // (maskedLogger masks fields and errors; a line's message is masked here).
    const mask = password ? new SecretMasker([password]) : undefined;
    this.logger = mask ? maskedLogger(options.logger, (t) => mask.text(t)) : options.logger;
    const log = this.logger.child({ component: 'kafka' });
    const { sasl, tls } = options.security ?? {};
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...(tls && { ssl: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: true } }),
      ...(sasl && { sasl: saslOptions(sasl) }),
      ...(options.addressPolicy && { socketFactory: policySocketFactory(options.addressPolicy) }),
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 10000,
      retry: { initialRetryTime: 100, retries: 5 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...rest } = entry;
          const name =
            expectedLines.has(message) || expectedLines.has(String(rest['error'])) ? 'debug' : levelNames[level];
          if (!name) return;
          log[name](rest, mask ? mask.text(message) : message);
        },
    });
    if (options.telemetry) new ConsumerLagMetric(options.telemetry, () => this.consumerLag());
  }

  get brokers(): readonly string[] {
    return this.options.brokers;
  }

  /** A connected producer: idempotent, waits for all in-sync replicas. */
  async producer(options: ProducerOptions = {}): Promise<EventProducer> {
    const producer = new EventProducer(this.kafka, options, this.options.brokers);
    await producer.connect();
    return producer;
  }

  /** A consumer group member; call `run` to start it. */
  consumer(options: ConsumerOptions): ConsumerRunner {
    const consumer: ConsumerRunner = new ConsumerRunner(this.kafka, options, this.logger, () =>
      this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  /**
   * The committed lag of every running consumer made by this client, per group, topic and
   * partition. A partition the group never committed counts from its first retained message
   * (or not at all for a group that starts at the end).
   */
  async consumerLag(): Promise<PartitionLag[]> {
    const running = [...this.consumers].filter((c) => c.isRunning);
    const topics = [...new Set(running.flatMap((c) => c.topics))];
    const ends = new Map(await Promise.all(topics.map(async (t) => [t, await this.partitionBounds(t)] as const)));
    const admin = await this.admin();
    const lags = await Promise.all(
      running.map(async (consumer) => {
        const committed = await admin.fetchOffsets({ groupId: consumer.groupId, topics: [...consumer.topics] });
        return committed.flatMap(({ topic, partitions }) =>
          partitions.flatMap(({ partition, offset }) => {
            const bounds = ends.get(topic)?.get(partition);
            if (!bounds) return [];
            const from = offset === '-1' ? (consumer.startsFromBeginning ? bounds.low : bounds.high) : BigInt(offset);
            const lag = bounds.high > from ? Number(bounds.high - from) : 0;
            return [{ groupId: consumer.groupId, topic, partition, lag }];
          }),
        );
      }),
    );
    return lags.flat();
  }

  private async partitionBounds(topic: string): Promise<Map<number, { low: bigint; high: bigint }>> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, { low: BigInt(p.low), high: BigInt(p.high) }]));
  }

  private async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        throw connectError(`Kafka is not reachable at ${this.options.brokers.join(',')}`, this.options.brokers, error);
      }
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  /** Confirms that the cluster answers metadata requests; throws KafkaUnavailableError otherwise. */
  async ping(): Promise<{ brokers: number }> {
    try {
      const { brokers } = await (await this.admin()).describeCluster();
      return { brokers: brokers.length };
    } catch (error) {
      if (error instanceof KafkaUnavailableError) throw error;
      throw new KafkaUnavailableError(`Kafka at ${this.options.brokers.join(',')} did not answer`, error);
    }
  }

  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const admin = await this.admin();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions ?? 1,
          replicationFactor: s.replicationFactor ?? this.options.replicationFactor ?? 1,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      // kafkajs waits for leaders but gives up when the broker's metadata does not list a topic
      // it has just created (KRaft propagates it a moment later), and another process may have
      // created it meanwhile: either way, the topics are there once their metadata is.
      const failures = topicFailures(error);
      const fatal = failures.filter(
        (f) => f.type !== 'UNKNOWN_TOPIC_OR_PARTITION' && f.type !== 'TOPIC_ALREADY_EXISTS',
      );
      if (failures.length === 0) throw error;
      if (fatal.length > 0) {
        // Say which topic and why (e.g. INVALID_REPLICATION_FACTOR: more replicas than brokers).
        const details = fatal.map((f) => `${f.topic ?? '?'}: ${f.type} (${f.message})`).join('; ');
        throw new KafkaTopicCreationError(`Kafka refused to create topics: ${details}`, fatal[0]?.type, error);
      }
      await waitForTopicMetadata(
        admin,
        missing.map((s) => s.topic),
        error,
      );
    }
  }

  /** How many partitions a topic has (for a producer that picks partitions itself). */
  async partitionCount(topic: string): Promise<number> {
    const { topics } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await (await this.admin()).deleteTopics({ topics: [...topics] });
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin()).listTopics();
  }

  /** The group's committed offset per partition of a topic ("-1" when nothing is committed). */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
    const [result] = await (await this.admin()).fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
  }

  /** The offset after the last message of each partition (the "high watermark"). */
  async endOffsets(topic: string): Promise<Map<number, string>> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, p.high]));
  }

  /**
   * Per partition, the first offset whose message was written at or after `timestampMs` (the
   * end offset when there is none): where a time range starts and ends.
   */
  async offsetsForTimes(topic: string, timestampMs: number): Promise<Map<number, string>> {
    const offsets = await (await this.admin()).fetchTopicOffsetsByTimestamp(topic, timestampMs);
    return new Map(offsets.map((p) => [p.partition, p.offset]));
  }

  /** The first offset still held of each partition (older ones are gone by retention). */
  async startOffsets(topic: string): Promise<Map<number, string>> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, p.low]));
  }

  /** Reads fixed offset ranges once, outside any consumer group of the application (see readRanges). */
  readRanges(options: RangeReadOptions): Promise<RangeReadResult> {
    return readRanges(this.kafka, () => this.admin(), options, this.logger);
  }

  async disconnect(): Promise<void> {
    const admin = this.adminClient;
    this.adminClient = undefined;
    await admin?.disconnect();
  }
}

/** The per-topic errors of a failed topic creation: kafkajs throws one, or an aggregate of several. */
function topicFailures(error: unknown): { topic?: string; type: string; message: string }[] {
  const one = (e: unknown): { topic?: string; type: string; message: string }[] => {
    const { type, topic, message } = (e ?? {}) as { type?: unknown; topic?: unknown; message?: unknown };
    if (typeof type !== 'string') return [];
    return [{ type, message: String(message), ...(typeof topic === 'string' && { topic }) }];
  };
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? errors.flatMap(one) : one(error);
}

/** kafkajs's SASL options: one type per mechanism, hence the narrowing. */
function saslOptions({ mechanism, username, password }: NonNullable<KafkaSecurity['sasl']>): SASLOptions {
  if (mechanism === 'plain') return { mechanism, username, password };
  if (mechanism === 'scram-sha-256') return { mechanism, username, password };
  return { mechanism, username, password };
}

/** Polls until every topic has metadata with a leader for each partition, for up to 10 s. */
async function waitForTopicMetadata(admin: Admin, topics: string[], cause: unknown): Promise<void> {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw cause;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
