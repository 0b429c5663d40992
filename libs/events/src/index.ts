export type { SpecEvent, CallType, EventContext, IntegrationsObject } from './spec';
export { CALL_TYPES, isCallType } from './spec';
export { TOPICS, EVENT_HEADERS, KafkaNames } from './topics';
export {
  encodeEventMessage,
  decodeEventMessage,
  decodeEventHeaders,
  parseEventBody,
  partitionKey,
  type EventMetadata,
  type DecodedEvent,
} from './event-message';
export type { DeliveryReport, DeliveryOutcome, DeliverySample, FieldNoticeOutcome } from './reports';
export { DROPPED_REASONS, FIELD_NOTICE_OUTCOMES } from './reports';
