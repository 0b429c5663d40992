export type MessageHeaders = Record<string, string>;

export interface OutgoingMessage {
  /** Messages with the same key land on the same partition, so they stay in order. */
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: MessageHeaders;
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
