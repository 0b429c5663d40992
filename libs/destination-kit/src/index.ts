// The destination kit: how a destination is declared, and the pure functions the translator
// calls to route, map, build requests and read responses. See README.md.
// The credential markers are @manifold/secrets', next to the rule that reads them.
export { secret, secretValues } from '@manifold/secrets';
export {
  defineDestination,
  defineAction,
  isUnsupported,
  type DestinationDefinition,
  type ActionDefinition,
  type ActionBatching,
  type AnyAction,
  type FieldMapping,
  type FieldsSchema,
  type DestinationSettingsSchema,
  type RouteRule,
  type Routes,
  type Unsupported,
} from './definition';
export {
  parseSettings,
  routeEvent,
  prepareEvent,
  mapForAction,
  mapPayload,
  buildRequests,
  batchSize,
  translateEvent,
  noticesOf,
  classifyResponse,
  type ParsedSettings,
  type SettingsResult,
  type RouteResult,
  type PreparedEvent,
  type MapOptions,
  type MappedPayload,
  type PayloadIssue,
  type Translation,
} from './translate';
export { catalogEntry, type CatalogEntry, type CatalogAction } from './catalog';
export { actionFields, type CatalogActionField } from './action-fields';
export { followUpRequests, isOptionalStepRefusal } from './follow-up';
export { refusedRequestParts } from './refused-parts';
export type { RequestSender, SendContext, TransportContext, TransportFactory } from './transport';
export {
  isGrantRevoked,
  isTokenRejected,
  withAccessToken,
  type OAuthConnectionDefinition,
  type CatalogOAuth,
} from './oauth';
export {
  maskRequest,
  maskerOf,
  secretMasker,
  destinationSecrets,
  maskOutcome,
  type MaskedRequest,
} from './mask-request';
export {
  drop,
  combineOutcomes,
  combineEventOutcome,
  outcomeOfError,
  DestinationError,
  DropEventError,
  RetryableError,
  DeadLetterError,
  type DropReason,
  type DeadLetterReason,
  type Outcome,
  type DeliveryOutcome,
  type DropOutcome,
  type DeliveredOutcome,
  type RetryOutcome,
  type DeadLetterOutcome,
} from './outcome';
export {
  classifyHttpResponse,
  BLOCKED_ADDRESS_CODE,
  classifyNetworkError,
  isRetryableStatus,
  retryAfterMs,
  eventsOfRequest,
  outcomesOfRequest,
  outcomesPerEvent,
  parseJsonBody,
  truncate,
  type ResponseOutcome,
} from './classify';
export {
  jsonRequest,
  formRequest,
  basicAuth,
  joinUrl,
  headerValue,
  lowerCaseKeys,
  USER_AGENT,
  type RequestDescriptor,
  type FollowUpStep,
  type HttpResponseInfo,
  type HttpMethod,
} from './request';
export {
  resolveMapping,
  validateMapping,
  mappingProblems,
  webhookCall,
  getPath,
  MappingError,
  DIRECTIVES,
  type Mapping,
  type MappingValue,
  type MappingProblem,
} from './mapping';
// An instance's own mappings (trigger, action, field mapping), its presets and their validation.
export * from './instance-mappings';
// Destinations read their payloads with the same test of "a JSON object" as the kit.
export { hasDottedPath, isPlainObject } from '@manifold/json';
export { compileFql } from './fql';
export {
  integrationsDrop,
  integrationOptions,
  applyDestinationFilters,
  type FilterOptions,
  type FilterResult,
} from './routing';
// Lossless coercions, lenient fields and notices of fields dropped or converted.
export * from './coercion';
