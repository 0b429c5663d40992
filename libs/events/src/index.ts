export type { SpecEvent, CallType, EventContext, IntegrationsObject } from './spec';
export { CALL_TYPES, isCallType } from './spec';
export { sampleEvent } from './sample-event';
export { snakeCase, nameWords } from './snake-case';
export { TOPICS, EVENT_HEADERS, KafkaNames } from './topics';
export {
  encodeEventMessage,
  eventMessageHeaders,
  decodeEventMessage,
  decodeEventHeaders,
  parseEventBody,
  partitionKey,
  type EventMetadata,
  type DecodedEvent,
} from './event-message';
export type { DeliveryReport, DeliveryOutcome, DeliverySample, FieldNoticeOutcome } from './reports';
export { DROPPED_REASONS, FIELD_NOTICE_OUTCOMES } from './reports';
export { DEAD_LETTER_HEADERS, decodeDeadLetter, type DeadLetterRecord } from './dead-letter';
export {
  REDELIVERY_HEADERS,
  encodeRedelivery,
  decodeRedelivery,
  replayOrigin,
  type Redelivery,
  type RedeliveryKind,
} from './redelivery';
export {
  traceKeyHash,
  encodeTraceRecord,
  decodeTraceRecord,
  TraceRecordBuilder,
  type TraceEntry,
  type TraceExchange,
  type TraceIndexMessage,
  type TraceOutcome,
  type TraceRecord,
  type TraceRequest,
} from './trace';
