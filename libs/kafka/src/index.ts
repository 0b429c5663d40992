// The only module in Manifold that imports kafkajs. Everything else uses these types, so
// replacing the client library (kafkajs is unmaintained) is a change to this folder alone.
export { KafkaClient, type KafkaClientOptions } from './client';
export type {
  OutgoingMessage,
  ConsumedMessage,
  ConsumedBatch,
  TopicSpec,
  MessageHeaders,
  SendableMessage,
  SentPartition,
} from './types';
export type { PartitionRange, RangeReadOptions, RangeReadResult } from './range-reader';
export type { EventProducer, SendOptions } from './producer';
export type { ConsumerRunner, ConsumerOptions, BatchContext, BatchProgress, PartitionOffset } from './consumer';
export {
  KafkaUnavailableError,
  KafkaAuthenticationError,
  KafkaTopicCreationError,
  kafkaFailure,
  causes,
  type KafkaFailure,
} from './errors';
export type { BrokerAddressPolicy } from './socket-factory';
export {
  kafkaConnectionConfigShape,
  checkKafkaConnectionConfig,
  kafkaClientSettings,
  KAFKA_SASL_MECHANISMS,
  type KafkaClientSettings,
  type KafkaSecurity,
  type KafkaConnectionConfig,
  type KafkaSaslMechanism,
} from './connection-config';
export type { PartitionLag, ConsumerLagTelemetry } from './consumer-lag';
export { keyPartition } from './key-partition';
export { approximateMessageBytes, fitsOneRecordBatch, groupByBytes, messageBytes } from './message-size';
