export type MessageHeaders = Record<string, string>;

export interface OutgoingMessage {
  /** Messages with the same key land on the same partition, so they stay in order. */
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: MessageHeaders;
  /** A partition chosen by the producer instead of the key's. */
  partition?: number;
  /** The message's time (ms since the epoch) instead of the moment it is sent. */
  timestamp?: number;
}

/**
 * What EventProducer.send takes: an OutgoingMessage whose header values may also be given as
 * their UTF-8 bytes, written as they are. A caller that sends the same value in many messages
 * (Reverse ETL: a run's source, workspace, type and time) turns it into bytes once instead of
 * the producer doing it for every message.
 */
export interface SendableMessage extends Omit<OutgoingMessage, 'headers'> {
  headers?: Record<string, string | Buffer>;
}

/** Where the messages of one send landed in one partition: offsets `baseOffset`, `baseOffset + 1`, ... in order. */
export interface SentPartition {
  partition: number;
  baseOffset: string;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as the decimal string the broker gave. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeaders;
  /** Milliseconds since the epoch, as stamped by the producer or broker. */
  timestamp: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  /** Topic-level configs such as retention.ms or cleanup.policy. */
  config?: Record<string, string>;
}
