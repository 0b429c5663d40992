export type { SpecEvent, CallType, EventContext, IntegrationsObject } from './spec';
export { CALL_TYPES, isCallType } from './spec';
export { sampleEvent } from './sample-event';
export { snakeCase, nameWords } from './snake-case';
export { TOPICS, EVENT_HEADERS, EVENTS_TOPIC_MAX_MESSAGE_BYTES, KafkaNames } from './topics';
export { encodeMappingIds, decodeMappingIds } from './mapping-ids-header';
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
export type { DeliveryReport, DeliveryOutcome, DeliverySample, FailedRow, FieldNoticeOutcome } from './reports';
export {
  CHANGE_KINDS,
  reverseEtlContextOf,
  type ChangeKind,
  type ReverseEtlContext,
  type ReverseEtlTag,
} from './reverse-etl-tag';
export { DROPPED_REASONS, FIELD_NOTICE_OUTCOMES, MAX_FAILED_ROWS_PER_REPORT } from './reports';
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
