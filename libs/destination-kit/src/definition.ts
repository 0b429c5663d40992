import type { z } from 'zod';
import type { CallType } from '@manifold/events';
import type { ResponseOutcome } from './classify';
import type { Notices } from './coercion/notices';
import type { Mapping, MappingValue } from './mapping';
import type { OAuthConnectionDefinition } from './oauth';
import type { HttpResponseInfo, RequestDescriptor } from './request';
import type { TransportFactory } from './transport';

/** A destination's settings: a zod object. Mark secrets with `secret()`; defaults are the real API hosts. */
export type DestinationSettingsSchema = z.ZodObject;
/** An action's fields: a zod object whose output type is the mapped payload `perform` receives. */
export type FieldsSchema = z.ZodObject;

/** Default mapping of an action: one mapping-kit value per field (keys checked against the fields). */
export type FieldMapping<F extends FieldsSchema> = { [K in keyof z.input<F>]?: MappingValue };

/**
 * One operation of a destination's API (e.g. Mixpanel "track event"). The event is mapped with
 * `defaultMapping` (overridable per route), validated against `fields`, and `perform` turns the
 * valid payload into requests. `perform` is pure: no I/O, no clock, no randomness.
 */
export interface ActionDefinition<Settings, F extends FieldsSchema> {
  title: string;
  description: string;
  fields: F;
  defaultMapping: FieldMapping<F>;
  /**
   * Throws DropEventError for what the API cannot take at all; never does I/O. A single field the
   * API cannot take is left out and recorded in `notices` (as is a value converted to fit).
   */
  perform(payload: z.output<F>, settings: Settings, notices: Notices): RequestDescriptor[];
  /** Present when several events can share requests. */
  batch?: ActionBatching<Settings, F>;
}

export interface ActionBatching<Settings, F extends FieldsSchema> {
  /** Most events one call of `perform` may receive (the API's cap). */
  maxEvents: number;
  /** Events per batch for these settings (e.g. a user's batch-size setting); `maxEvents` when absent. 1 = off. */
  size?(settings: Settings): number;
  /** Payloads whose keys differ never share a batch (e.g. different URLs); all share one when absent. */
  key?(payload: z.output<F>, settings: Settings): string;
  /**
   * Requests for several payloads at once. Requests with a JSON array body set `itemEvents`
   * (array element → payload index) so per-item API answers can be mapped back to events.
   * `notices[i]` records what was dropped or converted in payload i.
   */
  perform(payloads: z.output<F>[], settings: Settings, notices: readonly Notices[]): RequestDescriptor[];
}

/** An action whose payload type has been forgotten: what a destination stores and the translator handles. */
export type AnyAction<Settings = Record<string, unknown>> = ActionDefinition<Settings, FieldsSchema>;

/**
 * Which action handles an event of one call type. Rules are tried in order; the first whose `if`
 * (an FQL condition, Segment's trigger syntax) matches wins. `mapping` overrides fields of the
 * action's default mapping for this route (e.g. page → event name "Viewed {{name}}").
 */
export interface RouteRule {
  if?: string;
  action: string;
  mapping?: Mapping;
}

/** A call type the destination cannot take, with the reason recorded on each dropped event. */
export interface Unsupported {
  unsupported: string;
}

export type Routes = Partial<Record<CallType, readonly RouteRule[] | Unsupported>>;

export interface DestinationDefinition<S extends DestinationSettingsSchema = DestinationSettingsSchema> {
  /** Catalog id and translator type, e.g. "mixpanel". */
  id: string;
  /** Catalog display name; also the destination's key in the `integrations` object ("Mixpanel"). */
  name: string;
  description: string;
  categories: readonly string[];
  settings: S;
  actions: Record<string, AnyAction<z.output<S>>>;
  /** Call types absent here are dropped as UNSUPPORTED_EVENT_TYPE. */
  routes: Routes;
  /** Present when instances may connect with OAuth 2.0 instead of (or besides) a key in the settings. */
  oauth?: OAuthConnectionDefinition<z.output<S>>;
  /**
   * Reads the API's answer to one request when the generic reading (2xx delivered, 408/423/429/5xx
   * retried, other statuses rejected) is not enough: errors inside 200s, partial acceptance, ...
   */
  classifyResponse?(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome;
  /**
   * The next requests of a multi-request flow, from the 2xx answer to a request that set
   * `followUp` (see `followUpRequests`). Pure like `perform`; throws DropEventError or
   * DeadLetterError when the answer ends the flow (e.g. no unique contact to attach), and records
   * in `notices` what it leaves out or converts.
   */
  followUp?(
    response: HttpResponseInfo,
    request: RequestDescriptor,
    settings: z.output<S>,
    notices: Notices,
  ): RequestDescriptor[];
  /**
   * For a batch endpoint that refuses the whole request for one item it cannot take, without
   * saying which (HubSpot's events batch): the parts to send instead after `response` refused
   * `request` for good, each with its share of `itemEvents` (e.g. its two halves, and a single
   * item as the API's one-item request). Empty to keep the refusal (one item left, or an answer
   * every part would get too: a wrong token). See `refusedRequestParts`. Pure like `perform`.
   */
  splitRefused?(request: RequestDescriptor, response: HttpResponseInfo, settings: z.output<S>): RequestDescriptor[];
  /**
   * For a destination that is not an HTTP API: the sender of its requests (e.g. a Kafka
   * producer per instance). Its answers are read like HTTP ones (`classifyResponse`), so retries,
   * dead letters and traces work as for the others. HTTP destinations leave it out.
   */
  transport?: TransportFactory;
}

/** Identity helpers that let TypeScript infer payload and settings types from the schemas. */
export function defineAction<S extends DestinationSettingsSchema, F extends FieldsSchema>(
  _settings: S,
  action: ActionDefinition<z.output<S>, F>,
): ActionDefinition<z.output<S>, F> {
  return action;
}

export function defineDestination<S extends DestinationSettingsSchema>(
  definition: DestinationDefinition<S>,
): DestinationDefinition<S> {
  return definition;
}

export function isUnsupported(route: readonly RouteRule[] | Unsupported | undefined): route is Unsupported {
  return route !== undefined && !Array.isArray(route) && 'unsupported' in route;
}
