import type { DestinationConfig } from '@manifold/config-client';
import type { SpecEvent } from '@manifold/events';
import type { z } from 'zod';
import { isPlainObject } from '@manifold/json';
import { classifyHttpResponse, type ResponseOutcome } from './classify';
import { actionFields } from './action-fields';
import { applyLenientFields } from './coercion/lenient-fields';
import { Notices, type FieldNotice } from './coercion/notices';
import {
  isUnsupported,
  type AnyAction,
  type DestinationDefinition,
  type DestinationSettingsSchema,
} from './definition';
import { compileFql } from './fql';
import { resolveMapping, type Mapping, type ResolveOptions } from './mapping';
import { jsonTextContainer } from './mapping/json-text';
import { maskerOf, maskOutcome, rememberSettings } from './mask-request';
import { drop, outcomeOfError, type DeadLetterOutcome, type DropOutcome, type Outcome } from './outcome';
import type { HttpResponseInfo, RequestDescriptor } from './request';
import { applyDestinationFilters, integrationsDrop, type FilterOptions } from './routing';

export type ParsedSettings<S extends DestinationSettingsSchema> = z.output<S>;

export type SettingsResult<S extends DestinationSettingsSchema> =
  { ok: true; settings: ParsedSettings<S> } | { ok: false; outcome: DeadLetterOutcome };

/** Validates a destination instance's settings (defaults applied). Parse once per config version. */
export function parseSettings<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  raw: unknown,
): SettingsResult<S> {
  const result = destination.settings.safeParse(raw);
  if (result.success) return { ok: true, settings: result.data };
  return {
    ok: false,
    outcome: {
      kind: 'dead-letter',
      reason: 'INVALID_SETTINGS',
      message: `${destination.name} settings: ${formatIssues(result.error.issues)}`,
    },
  };
}

export type RouteResult = { kind: 'keep'; event: SpecEvent } | DropOutcome;

/**
 * Whether an event goes to one destination instance, and in what form: the `integrations`
 * object first, then the instance's destination filters (which may remove properties).
 */
export function routeEvent(
  event: SpecEvent,
  instance: Pick<DestinationConfig, 'catalogName' | 'filters'>,
  options: FilterOptions = {},
): RouteResult {
  const excluded = integrationsDrop(event, instance.catalogName);
  if (excluded) return excluded;
  return applyDestinationFilters(event, instance.filters, options);
}

/** An event mapped and validated for one action, ready to be sent alone or batched. */
export interface PreparedEvent {
  kind: 'prepared';
  action: string;
  payload: Record<string, unknown>;
  /** Set when the action batches: only events with equal keys share a batch. */
  batchKey?: string;
  /** Fields converted or dropped while mapping (lenient fields); `buildRequests` adds those of `perform`. */
  notices: FieldNotice[];
  /** The instance mapping that prepared it (`prepareMappedEvents`); absent for the presets' routes. */
  mapping?: { id: string; name: string };
}

/** Picks the action for an event, maps it and validates the payload. Pure. */
export function prepareEvent<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  event: SpecEvent,
  settings: ParsedSettings<S>,
): PreparedEvent | DropOutcome | DeadLetterOutcome {
  try {
    const routes = destination.routes[event.type];
    if (routes === undefined || isUnsupported(routes)) {
      const why = isUnsupported(routes) ? routes.unsupported : `${destination.name} does not take ${event.type} calls`;
      return drop('UNSUPPORTED_EVENT_TYPE', why);
    }
    const rule = routes.find((r) => r.if === undefined || triggerMatches(destination, r.if, event));
    if (!rule) return drop('NO_MATCHING_MAPPING', `no ${destination.name} route matches this ${event.type} event`);
    const action = actionOf(destination, rule.action);
    return mapForAction(
      destination,
      rule.action,
      { ...action.defaultMapping, ...rule.mapping } as Mapping,
      event,
      settings,
    );
  } catch (error) {
    return outcomeOfError(error) as DropOutcome | DeadLetterOutcome;
  }
}

/** What kind of event a mapping maps. */
export interface MapOptions {
  /**
   * A Reverse ETL row change: a warehouse's JSON columns arrive in its properties as text, and
   * such text is read as the object or array it holds where the mapping wants one (see mapPayload).
   */
  reverseEtl?: boolean;
}

/**
 * Maps an event with one field mapping of `actionName` and validates the payload. Throws
 * MappingError on a malformed mapping (use `outcomeOfError`). Pure.
 */
export function mapForAction<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  actionName: string,
  fields: Mapping,
  event: SpecEvent,
  settings: ParsedSettings<S>,
  options: MapOptions = {},
): PreparedEvent | DropOutcome {
  const mapped = mapPayload(destination, actionName, fields, event, options);
  if (!mapped.ok) {
    const action = actionOf(destination, actionName);
    return drop('INVALID_PAYLOAD', `${destination.name} ${action.title}: ${formatIssues(mapped.issues)}`);
  }
  const { payload, notices } = mapped;
  const prepared: PreparedEvent = { kind: 'prepared', action: actionName, payload, notices };
  if (batchSize(destination, actionName, settings) > 1) {
    const action = actionOf(destination, actionName);
    prepared.batchKey = `${actionName}:${action.batch?.key?.(payload, settings) ?? ''}`;
  }
  return prepared;
}

/** A payload refused by its action's fields: each problem at its path in the payload ("" = the whole). */
export interface PayloadIssue {
  path: string;
  message: string;
}

export type MappedPayload =
  { ok: true; payload: Record<string, unknown>; notices: FieldNotice[] } | { ok: false; issues: PayloadIssue[] };

/**
 * The mapping step alone: resolves `fields` against the event, converts lenient fields and
 * validates the result with the action's fields. `mapForAction` reads the issues as one message;
 * the mapping tester shows each at its path. Throws MappingError on a malformed mapping. Pure.
 *
 * For a Reverse ETL row (`reverseEtl`), as in Segment, a warehouse's JSON column, which arrives as
 * text, is the object or array it holds: a path reads into it (`$.properties.address.city`), and
 * a field of type object or array given such text takes what it holds. Text that is not JSON of
 * the field's kind stays as it is and meets the field's usual check. An ordinary event's string
 * property is never parsed: its sender sent a string.
 */
export function mapPayload<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  actionName: string,
  fields: Mapping,
  event: SpecEvent,
  options: MapOptions = {},
): MappedPayload {
  const action = actionOf(destination, actionName);
  const reverseEtl = options.reverseEtl === true;
  const mapped = resolveMapping(fields as Record<string, never>, event, reverseEtl ? READ_JSON_TEXT : READ_AS_SENT);
  const notices = new Notices();
  if (isPlainObject(mapped)) {
    if (reverseEtl) readJsonTextFields(action, mapped);
    applyLenientFields(action.fields, mapped, notices);
  }
  const parsed = action.fields.safeParse(mapped);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    };
  }
  return { ok: true, payload: parsed.data as Record<string, unknown>, notices: notices.list };
}

/**
 * Requests for payloads prepared for the same action (and batch key). One payload uses the
 * action's `perform`; several need an action that batches, and at most its `maxEvents`.
 * Throws DestinationError (e.g. DropEventError) for what the API cannot take. `notices[i]`, when
 * given, receives what `perform` dropped or converted in payload i (pass fresh ones per call: a
 * batch that throws is rebuilt event by event).
 */
export function buildRequests<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  actionName: string,
  payloads: Record<string, unknown>[],
  settings: ParsedSettings<S>,
  notices: readonly Notices[] = payloads.map(() => new Notices()),
): RequestDescriptor[] {
  const action = actionOf(destination, actionName);
  if (notices.length !== payloads.length) throw new Error('buildRequests needs one Notices per payload');
  if (payloads.length === 1) {
    const requests = action.perform(payloads[0] as Record<string, unknown>, settings, notices[0] as Notices);
    return rememberSettings(requests, destination, settings);
  }
  if (!action.batch) throw new Error(`${destination.id}.${actionName} does not batch`);
  const limit = batchSize(destination, actionName, settings);
  if (payloads.length === 0 || payloads.length > limit) {
    throw new Error(`${destination.id}.${actionName} takes 1 to ${limit} events per batch`);
  }
  return rememberSettings(action.batch.perform(payloads, settings, notices), destination, settings);
}

/** Everything dropped or converted in one prepared event: its mapping's notices, then its `perform`'s. */
export function noticesOf(prepared: Pick<PreparedEvent, 'notices'>, performed?: Notices): FieldNotice[] {
  if (!performed || performed.size === 0) return prepared.notices;
  const all = new Notices();
  all.addAll(prepared.notices);
  all.addAll(performed.list);
  return all.list;
}

/**
 * How many events of `actionName` may share requests under these settings: 1 when the action
 * does not batch (or batching is turned off in the settings).
 */
export function batchSize<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  actionName: string,
  settings: ParsedSettings<S>,
): number {
  const batch = actionOf(destination, actionName).batch;
  if (!batch) return 1;
  const wanted = batch.size?.(settings) ?? batch.maxEvents;
  return Math.max(1, Math.min(batch.maxEvents, Math.floor(wanted)));
}

export type Translation =
  | {
      kind: 'requests';
      action: string;
      payload: Record<string, unknown>;
      requests: RequestDescriptor[];
      /** Fields left out or converted; the event is delivered all the same. */
      notices: FieldNotice[];
    }
  | DropOutcome
  | DeadLetterOutcome;

/** One event in, its requests (or the reason there are none) out. Pure. */
export function translateEvent<S extends DestinationSettingsSchema>(
  destination: DestinationDefinition<S>,
  event: SpecEvent,
  settings: ParsedSettings<S>,
): Translation {
  const prepared = prepareEvent(destination, event, settings);
  if (prepared.kind !== 'prepared') return prepared;
  try {
    const performed = new Notices();
    const requests = buildRequests(destination, prepared.action, [prepared.payload], settings, [performed]);
    if (requests.length === 0)
      return drop('NOTHING_TO_SEND', `${destination.name} ${prepared.action}: nothing to send`);
    const notices = noticesOf(prepared, performed);
    return { kind: 'requests', action: prepared.action, payload: prepared.payload, requests, notices };
  } catch (error) {
    return outcomeOfError(error) as Exclude<Outcome, { kind: 'delivered' | 'retry' }>;
  }
}

/**
 * The destination's reading of its API's answer to `request` (the generic one when it has none).
 * Messages quoting the answer have the instance's credentials masked (an API may echo its key).
 */
export function classifyResponse(
  destination: Pick<DestinationDefinition, 'classifyResponse'>,
  request: RequestDescriptor,
  response: HttpResponseInfo,
): ResponseOutcome {
  const outcome = destination.classifyResponse?.(response, request) ?? classifyHttpResponse(response);
  return outcome.kind === 'delivered' ? outcome : maskOutcome(outcome, maskerOf(request));
}

// One of each, not an object per event: mapPayload is on the translators' hot path.
const READ_JSON_TEXT: ResolveOptions = Object.freeze({ readJsonText: true });
const READ_AS_SENT: ResolveOptions = Object.freeze({});

/** The fields of type object or array of each action (the types the catalog lists), by action. */
const containerFields = new WeakMap<AnyAction, ReadonlyMap<string, 'object' | 'array'>>();

/** Each object or array field given JSON text of its kind takes the object or array instead. */
function readJsonTextFields(action: AnyAction, mapped: Record<string, unknown>): void {
  let fields = containerFields.get(action);
  if (!fields) {
    const kinds = new Map<string, 'object' | 'array'>();
    for (const { name, type } of actionFields(action)) if (type === 'object' || type === 'array') kinds.set(name, type);
    containerFields.set(action, kinds);
    fields = kinds;
  }
  for (const [name, type] of fields) {
    const value = mapped[name];
    if (typeof value !== 'string') continue;
    const held = jsonTextContainer(value);
    if (held !== undefined && Array.isArray(held) === (type === 'array')) mapped[name] = held;
  }
}

function triggerMatches(destination: DestinationDefinition, trigger: string, event: SpecEvent): boolean {
  const compiled = compileFql(trigger);
  if (!compiled.ok) throw new Error(`${destination.id}: invalid route condition "${trigger}": ${compiled.error}`);
  return compiled.matches(event);
}

function actionOf(destination: DestinationDefinition, name: string): AnyAction {
  const action = destination.actions[name];
  if (!action) throw new Error(`${destination.id} has no action "${name}"`);
  return action as AnyAction;
}

function formatIssues(issues: readonly (z.core.$ZodIssue | PayloadIssue)[]): string {
  return issues.map((issue) => `${pathText(issue.path)}: ${issue.message}`).join('; ');
}

function pathText(path: string | readonly PropertyKey[]): string {
  const text = typeof path === 'string' ? path : path.map(String).join('.');
  return text === '' ? '(root)' : text;
}
