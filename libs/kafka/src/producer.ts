import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { connectError, KafkaUnavailableError } from './errors';
import type { SendableMessage, SentPartition } from './types';

export interface ProducerOptions {
  /** Compress batches on the wire and on disk. */
  compression?: 'none' | 'gzip';
}

export interface SendOptions {
  /** Fail with KafkaUnavailableError when the broker has not acknowledged within this time (ms). */
  timeoutMs?: number;
}

/**
 * Sends messages and resolves only once every in-sync replica has them (acks=all).
 * The producer is idempotent: a retry inside the client of a request the broker answered is never
 * written twice. After a request that failed without a usable answer (a timeout, a lost
 * connection, a broker gone) the client takes a new producer id before its next request (our
 * kafkajs patch): the broker may have written that batch, and the sequence numbers kafkajs used
 * to roll back and give to the next batch made the broker take that one for a duplicate and
 * acknowledge it unwritten. A retry of the batch in doubt may then be written twice; nothing that
 * was acknowledged is lost.
 */
export class EventProducer {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;

  constructor(
    kafka: Kafka,
    options: ProducerOptions,
    private readonly brokers: readonly string[],
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      // Idempotence keeps order per partition only with a single request in flight in kafkajs.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Named explicitly (murmur2, as the Java client): kafkajs warns on every start otherwise.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw connectError('could not connect the Kafka producer', this.brokers, error);
    }
  }

  /**
   * Resolves with where the messages landed, per partition: one send's messages to one partition
   * are one record batch, so they have consecutive offsets in the order given.
   */
  async send(topic: string, messages: readonly SendableMessage[], options: SendOptions = {}): Promise<SentPartition[]> {
    const sending = this.producer
      .send({
        topic,
        acks: -1,
        compression: this.compression,
        messages: messages.map(toKafkaMessage),
      })
      .then((metadata) =>
        metadata.map((m) => ({ partition: m.partition, baseOffset: m.baseOffset ?? m.offset ?? '-1' })),
      );
    const timeoutMs = options.timeoutMs;
    if (timeoutMs === undefined) {
      return sending.catch((error: unknown) => {
        throw new KafkaUnavailableError(`publishing to ${topic} failed`, error);
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KafkaUnavailableError(`Kafka did not acknowledge ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    // A late failure of the abandoned send must not become an unhandled rejection.
    sending.catch(() => undefined);
    try {
      return await Promise.race([
        sending.catch((error: unknown) => {
          throw new KafkaUnavailableError(`publishing to ${topic} failed`, error);
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** Our message as kafkajs takes it; the hot path's common case (no partition, no time) adds nothing. */
function toKafkaMessage(m: SendableMessage): Message {
  const message: Message = { key: m.key ?? null, value: m.value, headers: m.headers };
  if (m.partition !== undefined) message.partition = m.partition;
  if (m.timestamp !== undefined) message.timestamp = String(m.timestamp);
  return message;
}
