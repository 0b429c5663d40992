import { createHash } from 'node:crypto';
import {
  BLOCKED_ADDRESS_CODE,
  secretMasker,
  type DestinationDefinition,
  type HttpResponseInfo,
  type RequestDescriptor,
  type RequestSender,
  type SendContext,
  type TransportContext,
} from '@manifold/destination-kit';
import {
  causes,
  groupByBytes,
  KafkaClient,
  kafkaFailure,
  keyPartition,
  type BrokerAddressPolicy,
  type EventProducer,
  type KafkaFailure,
  type KafkaSecurity,
} from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { KafkaBatchRecord, KafkaRecordBody } from './send';
import { armoured, brokersOf, type kafkaSettings, type KafkaSettings } from './settings';

/**
 * The answer statuses of a Kafka "request", so that the kit reads them like an HTTP API's:
 * written (with topic, partition and offset in the body), worth trying again, refused for good.
 */
export const KAFKA_WRITTEN = 200;
export const KAFKA_TRY_LATER = 503;
/**
 * Refusals by the HTTP status that means the same, so delivery stats (which count a dead letter
 * by its status) tell a bad login from a missing topic; 400 for Kafka's other final errors.
 */
const REFUSAL_STATUS: Record<string, number> = {
  SASL_AUTHENTICATION_FAILED: 401,
  TLS_CERTIFICATE_NOT_TRUSTED: 401,
  TOPIC_AUTHORIZATION_FAILED: 403,
  UNKNOWN_TOPIC_OR_PARTITION: 404,
  MESSAGE_TOO_LARGE: 413,
};

/** How long a send may wait for the brokers' acknowledgement before it is retried later. */
const SEND_TIMEOUT_MS = 30_000;
/** How long a topic's partition count is trusted (random and round-robin partitioning). */
const PARTITIONS_TTL_MS = 60_000;
/**
 * A producer unused this long is closed: the instance was removed, disabled or went quiet (the
 * next record connects again). The translator has no "instance removed" signal to wait for.
 */
const IDLE_CLOSE_MS = 10 * 60_000;
/**
 * After the brokers did not answer, the instance's next records are answered "try later" without
 * a try for this long: records queue one at a time per instance, and each would otherwise wait out
 * its own connection timeout while the brokers are down.
 */
const UNAVAILABLE_PAUSE_MS = 5000;

const RECONNECT_AFTER = new Set([
  'BROKER_NOT_AVAILABLE',
  'REQUEST_TIMED_OUT',
  'SASL_AUTHENTICATION_FAILED',
  'TLS_CERTIFICATE_NOT_TRUSTED',
]);

interface InstanceProducer {
  fingerprint: string;
  client: KafkaClient;
  producer: Promise<EventProducer>;
  partitions?: { topic: string; count: number; at: number };
  nextPartition: number;
  lastUsedAt: number;
  /** Settles when the instance's previous record is answered: records go one at a time, in order. */
  tail: Promise<void>;
}

/**
 * The Kafka destination's sender: a producer per destination instance (idempotent, acks=all,
 * through libs/kafka), made on the instance's first record, replaced when its connection
 * settings change, closed when the instance is released or the sender closes. Every send is
 * answered: a failure becomes a 503 (retriable) or 400 (final) answer naming Kafka's error.
 */
export class KafkaTransport implements RequestSender {
  private readonly instances = new Map<string, InstanceProducer>();
  /** Per instance: the brokers did not answer; until when records are not tried. */
  private readonly unavailable = new Map<string, { until: number; body: string }>();
  private readonly logger: Logger;
  private readonly sweeper: NodeJS.Timeout;

  /** Where the instances' brokers may not be (TransportContext.addressPolicy). */
  private readonly addressPolicy: BrokerAddressPolicy | undefined;

  constructor(
    context: TransportContext,
    /** The Kafka destination, whose secrets are masked in the errors it answers with. */
    private readonly destination: DestinationDefinition<typeof kafkaSettings>,
    private readonly random: () => number = Math.random,
  ) {
    this.logger = context.logger.child({ component: 'kafka-destination' });
    this.addressPolicy = context.addressPolicy;
    this.sweeper = setInterval(() => void this.closeIdle(Date.now()), IDLE_CLOSE_MS / 10);
    this.sweeper.unref();
  }

  async send(request: RequestDescriptor, context: SendContext): Promise<HttpResponseInfo> {
    const settings = context.settings as KafkaSettings;
    const parsed = JSON.parse(request.body ?? '{}') as KafkaRecordBody | KafkaBatchRecord[];
    const instance = this.instance(context.instanceId, settings);
    // One record at a time per instance, in the order asked: the idempotent producer takes one
    // request at a time anyway (concurrent sends only contend for it: half the throughput), and
    // a user's records keep their order even when the translator sends them concurrently.
    const previous = instance.tail;
    let done: () => void = () => undefined;
    instance.tail = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      if (Array.isArray(parsed)) return await this.writeBatch(instance, parsed, settings, context.instanceId);
      const { 'content-type': _type, ...headers } = request.headers;
      return await this.write(instance, parsed.key, parsed.value, headers, settings, context.instanceId);
    } finally {
      done();
    }
  }

  /**
   * A batch: each record's partition worked out first (the key's as the producer would pick it,
   * random or round-robin), then one send per partition, in order. Kafka writes one partition's
   * records of a send whole or not at all, so each record's answer is exact: written (partition,
   * offset) or its partition's error. Answered 200 with one result per record, in order; an error
   * before any send (no connection, no metadata) answers for the whole batch, as for one record.
   */
  private async writeBatch(
    instance: InstanceProducer,
    records: KafkaBatchRecord[],
    settings: KafkaSettings,
    instanceId: string,
  ): Promise<HttpResponseInfo> {
    const paused = this.stopped(instanceId);
    if (paused) return paused;
    this.unavailable.delete(instanceId);
    let producer: EventProducer;
    const groups = new Map<number, number[]>();
    try {
      producer = await instance.producer;
      for (const [index, record] of records.entries()) {
        const partition = await this.batchPartition(instance, settings, record.key);
        const group = groups.get(partition);
        if (group) group.push(index);
        else groups.set(partition, [index]);
      }
    } catch (error) {
      return this.failed(error, settings, instanceId);
    }
    const results: Record<string, unknown>[] = records.map(() => ({}));
    const write = { producer, records, results, settings, instanceId };
    for (const [partition, indexes] of groups) await this.writePartition(write, partition, indexes);
    return { status: KAFKA_WRITTEN, headers: {}, body: JSON.stringify({ topic: settings.topic, records: results }) };
  }

  /** The answer for records not tried because the brokers did not answer a moment ago (the pause). */
  private stopped(instanceId: string): HttpResponseInfo | undefined {
    const paused = this.unavailable.get(instanceId);
    return paused && paused.until > Date.now()
      ? { status: KAFKA_TRY_LATER, headers: {}, body: paused.body }
      : undefined;
  }

  /**
   * One partition's records of a batch, in order, in sends of at most SEND_BYTES (below the
   * brokers' default record batch limit). A send refused as too large writes nothing (one
   * partition's batch is taken whole or not at all), so its records are tried one by one: only
   * the one at fault is refused.
   */
  private async writePartition(write: BatchWrite, partition: number, indexes: number[]): Promise<void> {
    for (const chunk of groupByBytes(indexes, SEND_BYTES, (i) => recordBytes(write.records[i] as KafkaBatchRecord))) {
      // The brokers did not answer a moment ago: not tried now (retried later), as a single record.
      const stopped = this.stopped(write.instanceId);
      if (stopped) {
        chunk.forEach((i) => (write.results[i] = { status: stopped.status, ...JSON.parse(stopped.body) }));
        continue;
      }
      try {
        const [written] = await write.producer.send(
          write.settings.topic,
          chunk.map((i) => {
            const { key, value, headers } = write.records[i] as KafkaBatchRecord;
            return { key, value: JSON.stringify(value), headers, partition };
          }),
          { timeoutMs: SEND_TIMEOUT_MS },
        );
        chunk.forEach((i, n) => {
          write.results[i] = { status: KAFKA_WRITTEN, partition, offset: offsetAfter(written?.baseOffset, n) };
        });
      } catch (error) {
        if (chunk.length > 1 && kafkaFailure(error).code === 'MESSAGE_TOO_LARGE') {
          for (const one of chunk) await this.writePartition(write, partition, [one]);
          continue;
        }
        const answer = await this.failed(error, write.settings, write.instanceId);
        chunk.forEach((i) => (write.results[i] = { status: answer.status, ...JSON.parse(answer.body) }));
      }
    }
  }

  /** The partition of a batched record (the producer never picks it: each partition is sent alone). */
  private async batchPartition(instance: InstanceProducer, settings: KafkaSettings, key: string | null) {
    const count = await this.partitionCount(instance, settings);
    if (settings.partitioning === 'key' && key !== null) return keyPartition(key, count);
    if (settings.partitioning === 'random') return Math.floor(this.random() * count);
    // Round-robin, and keyless records under key partitioning (as the producer spreads them).
    const partition = instance.nextPartition % count;
    instance.nextPartition = partition + 1;
    return partition;
  }

  /** A failed send's answer: a connection in doubt dropped, the brokers' silence remembered, secrets masked. */
  private async failed(error: unknown, settings: KafkaSettings, instanceId: string): Promise<HttpResponseInfo> {
    const failure = addressRefusal(error) ?? kafkaFailure(error);
    // A connection in doubt, or refused, is not reused: the next record starts from a new producer.
    if (RECONNECT_AFTER.has(failure.code)) await this.release(instanceId);
    const mask = secretMasker(this.destination, settings);
    const body = JSON.stringify({ error: failure.code, message: mask.text(explain(failure.code, failure.message)) });
    if (failure.code === 'BROKER_NOT_AVAILABLE' || failure.code === 'REQUEST_TIMED_OUT') {
      this.unavailable.set(instanceId, { until: Date.now() + UNAVAILABLE_PAUSE_MS, body });
    }
    return {
      status: failure.retriable ? KAFKA_TRY_LATER : (REFUSAL_STATUS[failure.code] ?? 400),
      headers: {},
      body,
    };
  }

  private async write(
    instance: InstanceProducer,
    key: string | null,
    value: Record<string, unknown>,
    headers: Record<string, string>,
    settings: KafkaSettings,
    instanceId: string,
  ): Promise<HttpResponseInfo> {
    const paused = this.unavailable.get(instanceId);
    if (paused && paused.until > Date.now()) return { status: KAFKA_TRY_LATER, headers: {}, body: paused.body };
    this.unavailable.delete(instanceId);
    try {
      const producer = await instance.producer;
      const partition = await this.partitionFor(instance, settings);
      const [written] = await producer.send(
        settings.topic,
        [{ key, value: JSON.stringify(value), headers, ...(partition !== undefined && { partition }) }],
        { timeoutMs: SEND_TIMEOUT_MS },
      );
      const body = { topic: settings.topic, partition: written?.partition, offset: written?.baseOffset };
      return { status: KAFKA_WRITTEN, headers: {}, body: JSON.stringify(body) };
    } catch (error) {
      return this.failed(error, settings, instanceId);
    }
  }

  /** The instance's producer, made anew when its connection settings changed. */
  private instance(instanceId: string, settings: KafkaSettings): InstanceProducer {
    const fingerprint = connectionFingerprint(settings);
    const current = this.instances.get(instanceId);
    if (current?.fingerprint === fingerprint) {
      current.lastUsedAt = Date.now();
      return current;
    }
    if (current) void this.closeInstance(current);
    const client = new KafkaClient({
      brokers: brokersOf(settings.brokers),
      clientId: settings.clientId,
      logger: this.logger.child({ destinationInstance: instanceId }),
      connectionTimeoutMs: 5000,
      ...security(settings),
      ...(this.addressPolicy && { addressPolicy: this.addressPolicy }),
    });
    const producer = client.producer();
    // A failed connect is answered by the send that awaits it; the next send tries again.
    producer.catch(() => undefined);
    const made: InstanceProducer = {
      fingerprint,
      client,
      producer,
      nextPartition: 0,
      lastUsedAt: Date.now(),
      tail: Promise.resolve(),
    };
    this.instances.set(instanceId, made);
    return made;
  }

  /** An explicit partition for random and round-robin partitioning; the key's otherwise. */
  private async partitionFor(instance: InstanceProducer, settings: KafkaSettings): Promise<number | undefined> {
    if (settings.partitioning === 'key') return undefined;
    const count = await this.partitionCount(instance, settings);
    if (settings.partitioning === 'random') return Math.floor(this.random() * count);
    const partition = instance.nextPartition % count;
    instance.nextPartition = partition + 1;
    return partition;
  }

  /** The topic's partition count, known for PARTITIONS_TTL_MS; a topic without partitions is Kafka's refusal. */
  private async partitionCount(instance: InstanceProducer, settings: KafkaSettings): Promise<number> {
    const now = Date.now();
    let known = instance.partitions;
    if (!known || known.topic !== settings.topic || now - known.at > PARTITIONS_TTL_MS) {
      const count = await instance.client.partitionCount(settings.topic);
      known = instance.partitions = { topic: settings.topic, count, at: now };
    }
    if (known.count <= 0) throw unknownTopic(settings.topic);
    return known.count;
  }

  /** Closes the producers of instances that sent nothing for IDLE_CLOSE_MS. */
  async closeIdle(now: number): Promise<void> {
    const idle = [...this.instances].filter(([, i]) => now - i.lastUsedAt > IDLE_CLOSE_MS).map(([id]) => id);
    await Promise.all(idle.map((id) => this.release(id)));
  }

  /** How many instances have a producer (open or connecting). */
  get openProducers(): number {
    return this.instances.size;
  }

  async release(instanceId: string): Promise<void> {
    const instance = this.instances.get(instanceId);
    if (!instance) return;
    this.instances.delete(instanceId);
    await this.closeInstance(instance);
  }

  private async closeInstance(instance: InstanceProducer): Promise<void> {
    try {
      await (await instance.producer).disconnect();
    } catch {
      // Never connected, or the connection is already gone: nothing to close.
    }
    await instance.client.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.instances.keys()].map((id) => this.release(id)));
  }
}

/** A batch being written: its records and, filled in as they are answered, their results. */
interface BatchWrite {
  producer: EventProducer;
  records: KafkaBatchRecord[];
  results: Record<string, unknown>[];
  settings: KafkaSettings;
  instanceId: string;
}

/** Most bytes of records in one send: below the brokers' default 1 MB record batch limit. */
const SEND_BYTES = 900_000;

function recordBytes(record: KafkaBatchRecord): number {
  return Buffer.byteLength(JSON.stringify(record)) + 64;
}

/** The offset of the n-th record of a send from its base offset (Kafka gives offsets as decimal text). */
function offsetAfter(base: string | undefined, n: number): string | undefined {
  return base === undefined || base === '-1' ? base : (BigInt(base) + BigInt(n)).toString();
}

/** What Kafka says of a topic it does not have, for a topic whose metadata lists no partition. */
function unknownTopic(topic: string): Error {
  return Object.assign(new Error(`This server does not host this topic-partition: ${topic}`), {
    name: 'KafkaJSProtocolError',
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    code: 3,
    retriable: false,
  });
}

/** libs/kafka's security options from the settings; certificates wrapped in PEM armour when pasted bare. */
function security(settings: KafkaSettings): { security?: KafkaSecurity } {
  const sasl =
    settings.saslMechanism !== 'none' && settings.username !== undefined && settings.password !== undefined
      ? { mechanism: settings.saslMechanism, username: settings.username, password: settings.password }
      : undefined;
  const tls = settings.tls
    ? {
        ...(settings.caCertificate && { ca: armoured('CERTIFICATE', settings.caCertificate) }),
        ...(settings.clientCertificate && { cert: armoured('CERTIFICATE', settings.clientCertificate) }),
        ...(settings.clientKey && { key: armoured('PRIVATE KEY', settings.clientKey) }),
      }
    : undefined;
  if (!sasl && !tls) return {};
  return { security: { ...(sasl && { sasl }), ...(tls && { tls }) } };
}

/** Settings that need a new connection when they change (a hash: the password is not kept in clear twice). */
function connectionFingerprint(s: KafkaSettings): string {
  const parts = [s.brokers, s.clientId, s.saslMechanism, s.username, s.password, s.tls, s.caCertificate];
  return createHash('sha256')
    .update(JSON.stringify([...parts, s.clientCertificate, s.clientKey]))
    .digest('hex');
}

/** A broker address the deployment blocks (DESTINATION_BLOCKED_NETWORKS): final, as a settings error is. */
function addressRefusal(error: unknown): KafkaFailure | undefined {
  for (const cause of causes(error)) {
    if ((cause as { code?: unknown }).code === BLOCKED_ADDRESS_CODE) {
      return { code: 'ADDRESS_BLOCKED', retriable: false, message: cause.message };
    }
  }
  return undefined;
}

/** What to check, for the errors a customer's configuration causes. */
function explain(code: string, message: string): string {
  switch (code) {
    case 'SASL_AUTHENTICATION_FAILED':
      return `the brokers refused the SASL login: check the mechanism, username and password (${message})`;
    case 'TLS_CERTIFICATE_NOT_TRUSTED':
      return `the brokers' TLS certificate is not trusted: check the CA certificate (${message})`;
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return `the topic does not exist (Manifold does not create it): ${message}`;
    case 'TOPIC_AUTHORIZATION_FAILED':
      return `the user may not write to the topic (an ACL): ${message}`;
    case 'MESSAGE_TOO_LARGE':
      return `the record is larger than the topic or broker accepts (max.message.bytes): ${message}`;
    default:
      return message;
  }
}
