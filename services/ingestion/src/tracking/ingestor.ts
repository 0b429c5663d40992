import type { ConfigView, SourceConfig } from '@manifold/config-client';
import { encodeEventMessage, EVENT_HEADERS, isCallType, type CallType, type SpecEvent } from '@manifold/events';
import { KafkaUnavailableError, type OutgoingMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { injectTraceContext, type extractTraceContext, type Span } from '@manifold/telemetry';
import type { CheckedEvent, CompiledPlan, PlanVerdict } from '@manifold/tracking-plans';
import type { DebuggerEntry, LiveDebugger, PlanFindings, WebhookFacts } from '../debugger/live-debugger';
import { StoredEventJson } from '../debugger/stored-event-json';
import { IngestionError } from '../http/errors';
import { isoTime } from '../iso-time';
import { takeWriteKey } from '../http/write-key';
import type { IngestionMetrics } from '../metrics';
import type { PublishQueue } from '../publish/publish-queue';
import type { RateLimiter } from '../rate-limit';
import type { TrackingPlans } from './tracking-plans';
import type { PlanReporter } from './plan-reports/plan-reporter';
import { recordClientMetrics } from './client-metrics';
import { MAX_NESTING_DEPTH, nestedDeeperThan } from './nesting';
import { parseJsonObject } from './parse-json-object';
import { processBatch, processCall, type BatchLimits, type ProcessedBody, type RejectedItem } from './process-body';

type TraceContext = ReturnType<typeof extractTraceContext>;

/**
 * What a request's body holds, as its path says: one call of a type (checked here: the pixel's
 * path may name any), a batch, or analytics.js's own telemetry (counted, not ingested).
 */
export type IngestShape = { kind: 'call'; type: string } | { kind: 'batch' } | { kind: 'client-metrics' };

/** One request, as an entry point (the JSON API, the pixel) hands it over. */
export interface IngestRequest {
  shape: IngestShape;
  /** The body's JSON, decoded and within its size limit; throws (or rejects) an IngestionError otherwise. */
  readBody(): Buffer | Promise<Buffer>;
  /** The `Authorization` header: a write key given by Basic auth comes before the body's. */
  authorization: string | undefined;
  /** A write key the entry point already has (a webhook source's URL holds it): comes before both. */
  writeKey?: string | undefined;
  /** Server clock when the request arrived. */
  receivedAtMs: number;
  /** The caller's address, for `context.ip`. */
  clientIp: string | undefined;
  /**
   * The request's server span, when the entry point traces it: it is given the source and the
   * event counts, and its context (the span in it) goes into the Kafka headers (else the active
   * context does).
   */
  trace?: { span: Span; context: TraceContext } | undefined;
  /** A webhook delivery's facts, shown with each of its events in the live debugger. */
  webhook?: WebhookFacts | undefined;
}

/** A call refused on its own, as the answer lists it (what was sent is only for the debugger). */
export type RejectedCall = Pick<RejectedItem, 'index' | 'code' | 'message'>;

/** What became of a request's events; the accepted ones are in Kafka, the blocked ones in quarantine. */
export interface Ingested {
  /** How many events Kafka acknowledged on the events topic. */
  accepted: number;
  /**
   * How many valid events the source's tracking plan blocked, acknowledged on the quarantine
   * topic: not accepted, yet nothing the sender should send again.
   */
  blocked: number;
  /** The calls refused one by one (a batch's bad items, or a single call's reason). */
  rejected: readonly RejectedCall[];
}

const NOTHING_INGESTED: Ingested = { accepted: 0, blocked: 0, rejected: [] };

/**
 * What a request keeps while Kafka is awaited: its events as Kafka messages, and nothing of the
 * body they came from. Under load hundreds of requests wait at once, each for a produce round
 * trip; what they hold then lives through young-generation collections and is promoted, so the
 * parsed calls (several times the size of their JSON) and the body are let go before the wait.
 */
interface Handover {
  source: SourceConfig;
  /** Every valid event's message, in the request's order (the debugger shows them so). */
  messages: OutgoingMessage[];
  /** Those of `messages` the source's tracking plan blocked: for the quarantine topic, not the events topic. */
  blocked: ReadonlySet<OutgoingMessage>;
  rejected: RejectedCall[];
}

const NONE_BLOCKED: ReadonlySet<OutgoingMessage> = new Set();

export interface IngestorDeps {
  configView: ConfigView;
  publisher: PublishQueue;
  /** Publishes to the quarantine topic. */
  quarantine: PublishQueue;
  trackingPlans: TrackingPlans;
  /** Counts plan violations and observes event shapes, for the control plane. */
  planReporter: PlanReporter;
  rateLimiter: RateLimiter;
  liveDebugger: LiveDebugger;
  metrics: IngestionMetrics;
  logger: Logger;
  batchLimits: BatchLimits;
}

/**
 * The one sequence every entry point runs: read and parse the body, take the write key out of
 * it, authenticate, rate limit, check the publish queue's room, judge and enrich the calls, then
 * publish the accepted events and wait for Kafka, with every outcome counted and shown in the live
 * debugger. A request refused as a whole is reported here before its IngestionError is thrown, so
 * an entry point only turns outcomes into its own kind of answer.
 */
export class Ingestor {
  constructor(private readonly deps: IngestorDeps) {}

  /**
   * Resolves once Kafka acknowledged every accepted event. Throws an IngestionError when the
   * request is refused as a whole (already counted) or Kafka did not take its events (503).
   */
  ingest(request: IngestRequest): Promise<Ingested> {
    let type: CallType | undefined;
    let body: Buffer | Promise<Buffer>;
    try {
      if (request.shape.kind === 'call') {
        if (!isCallType(request.shape.type)) throw IngestionError.badRequest(`unknown call type ${request.shape.type}`);
        type = request.shape.type;
      }
      body = request.readBody();
    } catch (error) {
      return Promise.reject(this.refused(error, undefined, undefined));
    }
    // Settled from callbacks rather than through a chain of promises or an async function: an
    // async frame would keep the body and the parsed calls until Kafka answers, and a chain adds a
    // promise and microtask turns per link to every request resumed when Kafka acknowledges a
    // send (hundreds at once under load).
    return new Promise<Ingested>((resolve, reject) => {
      const proceed = (json: Buffer): void => {
        let handover: Handover | Ingested;
        try {
          handover = this.judge(request, type, json);
        } catch (error) {
          reject(error as Error);
          return;
        }
        if ('messages' in handover) this.publish(handover, request.webhook, resolve, reject);
        else resolve(handover);
      };
      if (Buffer.isBuffer(body)) proceed(body);
      else body.then(proceed, (error: unknown) => reject(this.refused(error, undefined, undefined)));
    });
  }

  /**
   * Everything between the body and the wait for Kafka, in one synchronous step: parse, take the
   * write key out, authenticate, rate limit, check the queue's room, judge and enrich the calls,
   * and encode the accepted ones as Kafka messages. Returns the outcome when nothing is to be
   * published; throws (after reporting) when the request is refused as a whole.
   */
  private judge(request: IngestRequest, type: CallType | undefined, json: Buffer): Handover | Ingested {
    const { shape, trace: traced } = request;
    // What is known of the request, to report a refusal against.
    let source: SourceConfig | undefined;
    let body: Record<string, unknown> | undefined;
    let processed: ProcessedBody;
    try {
      body = parseJsonObject(json);
      if (shape.kind === 'client-metrics') {
        recordClientMetrics(body, this.deps.metrics);
        return NOTHING_INGESTED;
      }
      const writeKey = request.writeKey ?? takeWriteKey(request.authorization, body);
      if (writeKey === undefined) {
        throw new IngestionError(
          401,
          'unknown_source',
          'no write key: send it as the Basic auth username or as writeKey in the body',
        );
      }
      source = this.authenticate(writeKey);
      traced?.span.setAttribute('manifold.source_id', source.id);
      this.checkRateLimit(writeKey);
      this.checkCapacity();
      const { receivedAtMs } = request;
      const facts = { receivedAtMs, receivedAt: isoTime(receivedAtMs), ip: request.clientIp };
      processed =
        type !== undefined
          ? processCall(body, json.length, type, facts)
          : processBatch(body, json.length, this.deps.batchLimits, facts);
    } catch (error) {
      throw this.refused(error, source, body);
    }
    traced?.span.setAttribute('manifold.events.accepted', processed.accepted.length);
    traced?.span.setAttribute('manifold.events.rejected', processed.rejected.length);
    const rejected = this.recordRejected(source, processed.rejected);
    const { accepted } = processed;
    if (accepted.length === 0) return { accepted: 0, blocked: 0, rejected };

    // Events the queue would refuse are not built: building them is what takes the memory.
    if (!this.deps.publisher.hasRoomFor(processed.bytes)) {
      const error = new KafkaUnavailableError('too many events are waiting for Kafka already');
      const events = accepted.map((event) => ({ type: event.type, messageId: event.messageId, event }));
      throw this.failed(source, events, error);
    }
    const traceHeaders: Record<string, string> = {};
    injectTraceContext(traceHeaders, traced?.context);
    const metadata = { sourceId: source.id, workspaceId: source.workspaceId };
    const plan = this.deps.trackingPlans.forSource(source);
    const reports = this.deps.planReporter.forSource(source);
    if (!plan) {
      for (const event of accepted) reports.observations.see(event);
      const messages = accepted.map((event) => encodeEventMessage(event, metadata, traceHeaders));
      return { source, messages, blocked: NONE_BLOCKED, rejected };
    }
    const messages: OutgoingMessage[] = [];
    const blocked = new Set<OutgoingMessage>();
    for (const event of accepted) {
      // Before the check: the shapes as sent, not as a `drop_property` policy left them.
      reports.observations.see(event);
      const verdict = plan.check(event as CheckedEvent);
      if (verdict.violations.length === 0) {
        messages.push(encodeEventMessage(event, metadata, traceHeaders));
        continue;
      }
      this.countViolations(plan, event, verdict);
      const checked = event.type === 'identify' || event.type === 'group' ? event.traits : event.properties;
      reports.tally.add(plan, event, verdict, checked, event.receivedAt);
      const found: PlanFindings = { planId: plan.planId, version: plan.version, ...verdict };
      const headers = { ...traceHeaders, [EVENT_HEADERS.planViolations]: JSON.stringify(found) };
      const message = encodeEventMessage(event, metadata, headers);
      messages.push(message);
      if (verdict.blocked) blocked.add(message);
    }
    // The plan's blocked events are valid but not accepted: the span counts them apart.
    traced?.span.setAttribute('manifold.events.accepted', messages.length - blocked.size);
    traced?.span.setAttribute('manifold.events.blocked', blocked.size);
    return { source, messages, blocked, rejected };
  }

  private countViolations(plan: CompiledPlan, event: SpecEvent, verdict: PlanVerdict): void {
    const outcome = verdict.blocked ? 'blocked' : verdict.dropped.length > 0 ? 'dropped' : 'allowed';
    const name =
      event.type !== 'track' ? event.type : plan.plans(event.event) ? (event.event as string) : '(unplanned)';
    for (const violation of verdict.violations) this.deps.metrics.planViolations.add(name, violation.rule, outcome);
  }

  /**
   * Calls `resolve` once Kafka acknowledged the messages, `reject` with a 503 IngestionError when
   * it did not. Blocked events go to the quarantine topic first, and the others to the events topic only once
   * the quarantine took them: when the quarantine refuses, the 503 comes before anything of the
   * request reached the events topic, so the sender's retry duplicates nothing there. (The other
   * way round, the retry would publish the accepted events again.) A retry after the events topic
   * refused can only repeat a blocked event in the quarantine, where its messageId tells it apart.
   */
  private publish(
    handover: Handover,
    webhook: WebhookFacts | undefined,
    resolve: (ingested: Ingested) => void,
    reject: (error: Error) => void,
  ): void {
    const { source, messages, blocked } = handover;
    const passed = blocked.size === 0 ? messages : messages.filter((message) => !blocked.has(message));
    const refuse = (error: unknown): void => reject(this.failed(source, messages.map(shownEvent), error));
    const publishPassed = (): void => {
      this.deps.publisher.publish(passed).then(() => {
        try {
          resolve(this.published(handover, passed, webhook));
        } catch (error) {
          reject(error as Error);
        }
      }, refuse);
    };
    if (blocked.size > 0) this.deps.quarantine.publish([...blocked]).then(publishPassed, refuse);
    else publishPassed();
  }

  /** Counts and shows a request's events once Kafka acknowledged them. */
  private published(
    { source, messages, blocked, rejected }: Handover,
    passed: readonly OutgoingMessage[],
    webhook: WebhookFacts | undefined,
  ): Ingested {
    const { liveDebugger, metrics } = this.deps;
    if (passed.length === 1) {
      // A single call, the common case: one counter update without a map.
      metrics.eventsAccepted.add(1, (passed[0] as OutgoingMessage).headers?.[EVENT_HEADERS.type] ?? 'unknown');
    } else {
      for (const [type, count] of countTypes(passed)) metrics.eventsAccepted.add(count, type);
    }
    if (blocked.size > 0) metrics.eventsRejected.add(blocked.size, 'blocked');
    // Entries beyond the buffer would be overwritten at once: skip them unless someone watches live.
    const shown = liveDebugger.entriesWanted(source.id);
    for (let i = Math.max(0, messages.length - shown); i < messages.length; i++) {
      const message = messages[i] as OutgoingMessage;
      liveDebugger.record(source.id, {
        status: blocked.has(message) ? 'blocked' : 'accepted',
        ...shownEvent(message),
        ...(webhook ? { webhook } : {}),
      });
    }
    return { accepted: passed.length, blocked: blocked.size, rejected };
  }

  /** The source of a write key, from the in-memory config snapshot (never a network call). */
  private authenticate(writeKey: string): SourceConfig {
    const source = this.deps.configView.sourceForWriteKey(writeKey);
    if (!source) throw new IngestionError(401, 'unknown_source', 'no source has this write key');
    if (!source.enabled) throw new IngestionError(403, 'source_disabled', `source ${source.id} is disabled`);
    return source;
  }

  private checkRateLimit(writeKey: string): void {
    const waitSeconds = this.deps.rateLimiter.take(writeKey);
    if (waitSeconds > 0) {
      throw new IngestionError(429, 'rate_limited', `too many requests for this write key; retry in ${waitSeconds} s`, {
        'retry-after': String(waitSeconds),
      });
    }
  }

  /**
   * Refuses a request (503, retried by every SDK) before any of its events is built while the
   * publish queue already holds all the bytes it may: building them would only take memory.
   */
  private checkCapacity(): void {
    if (this.deps.publisher.saturated) {
      throw IngestionError.unavailable('too many events are waiting for Kafka already; retry later');
    }
  }

  /**
   * Counts (and, when the source is known, shows in the debugger) a request refused as a whole
   * before its events were judged one by one: bad JSON, unknown key, disabled source, rate limit.
   * The body, if any, no longer holds its write key (`takeWriteKey` ran before the source was
   * known). Returns the error, to be thrown.
   */
  private refused(
    error: unknown,
    source: SourceConfig | undefined,
    body: Record<string, unknown> | undefined,
  ): unknown {
    if (!(error instanceof IngestionError)) return error;
    const batch = body?.['batch'];
    const events = Array.isArray(batch) ? Math.max(1, batch.length) : 1;
    this.deps.metrics.eventsRejected.add(events, error.code);
    if (!source) return error;
    this.deps.liveDebugger.record(source.id, {
      status: 'rejected',
      type: typeof body?.['type'] === 'string' ? body['type'] : undefined,
      reason: { code: error.code, message: error.message },
      // Items of a batch are two levels down. Deeper bodies would overflow the debugger's JSON.
      event: nestedDeeperThan(body, MAX_NESTING_DEPTH + 2) ? undefined : body,
    });
    return error;
  }

  /** Counts and shows the calls refused one by one; returns them as the answer lists them. */
  private recordRejected(source: SourceConfig, items: readonly RejectedItem[]): RejectedCall[] {
    const { liveDebugger, metrics } = this.deps;
    return items.map((item) => {
      metrics.eventsRejected.add(1, item.code);
      liveDebugger.record(source.id, {
        status: 'rejected',
        type: item.type,
        reason: { code: item.code, message: item.message },
        event: item.input,
      });
      return { index: item.index, code: item.code, message: item.message };
    });
  }

  /** Counts and shows accepted events Kafka did not take; returns the 503 to throw. */
  private failed(source: SourceConfig, events: readonly ShownEvent[], error: unknown): IngestionError {
    const { liveDebugger, metrics, logger } = this.deps;
    const message = 'events could not be stored in Kafka; retry later';
    logger.warn({ err: error, sourceId: source.id, events: events.length }, message);
    metrics.eventsRejected.add(events.length, 'unavailable');
    for (const { type, messageId, event } of events) {
      liveDebugger.record(source.id, {
        status: 'failed',
        type,
        messageId,
        reason: { code: 'unavailable', message },
        event,
      });
    }
    return IngestionError.unavailable(message);
  }
}

/** An accepted event as the debugger shows it, whether Kafka took it or not. */
type ShownEvent = Pick<DebuggerEntry, 'type' | 'messageId' | 'event' | 'plan'>;

/**
 * An event message as the debugger shows it: its type and id from its headers, what its tracking
 * plan found (from its header), its body as stored.
 */
function shownEvent(message: OutgoingMessage): ShownEvent {
  const found = message.headers?.[EVENT_HEADERS.planViolations];
  return {
    type: message.headers?.[EVENT_HEADERS.type],
    messageId: message.headers?.[EVENT_HEADERS.messageId],
    event: new StoredEventJson(message.value),
    ...(found !== undefined ? { plan: JSON.parse(found) as PlanFindings } : {}),
  };
}

/** Events per call type (from their header): one counter update per type and request rather than per event. */
function countTypes(messages: readonly OutgoingMessage[]): Map<string, number> {
  const types = new Map<string, number>();
  for (const message of messages) {
    const type = message.headers?.[EVENT_HEADERS.type] ?? 'unknown';
    types.set(type, (types.get(type) ?? 0) + 1);
  }
  return types;
}
