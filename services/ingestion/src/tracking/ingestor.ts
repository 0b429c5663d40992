import type { ConfigView, SourceConfig } from '@manifold/config-client';
import { encodeEventMessage, isCallType, type CallType, type SpecEvent } from '@manifold/events';
import { KafkaUnavailableError } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { injectTraceContext, trace, type extractTraceContext, type Span } from '@manifold/telemetry';
import type { LiveDebugger } from '../debugger/live-debugger';
import { IngestionError } from '../http/errors';
import { takeWriteKey } from '../http/write-key';
import type { IngestionMetrics } from '../metrics';
import type { PublishQueue } from '../publish/publish-queue';
import type { RateLimiter } from '../rate-limit';
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
  /** Server clock when the request arrived. */
  receivedAtMs: number;
  /** The caller's address, for `context.ip`. */
  clientIp: string | undefined;
  /**
   * The request's server span, when the entry point traces it: it is given the source and the
   * event counts, and its context goes into the Kafka headers (else the active context does).
   */
  trace?: { span: Span; parent: TraceContext } | undefined;
}

/** What became of a request's events; the accepted ones are in Kafka. */
export interface Ingested {
  accepted: readonly SpecEvent[];
  /** The calls refused one by one (a batch's bad items, or a single call's reason). */
  rejected: readonly RejectedItem[];
}

const NOTHING_INGESTED: Ingested = { accepted: [], rejected: [] };

export interface IngestorDeps {
  configView: ConfigView;
  publisher: PublishQueue;
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
  async ingest(request: IngestRequest): Promise<Ingested> {
    const { shape, trace: traced } = request;
    // What is known of the request, to report a refusal against.
    let source: SourceConfig | undefined;
    let body: Record<string, unknown> | undefined;
    // Once the events are handed to publish, it reports their outcome itself.
    let handedOver = false;
    try {
      let type: CallType | undefined;
      if (shape.kind === 'call') {
        if (!isCallType(shape.type)) throw IngestionError.badRequest(`unknown call type ${shape.type}`);
        type = shape.type;
      }
      const json = await request.readBody();
      body = parseJsonObject(json);
      if (shape.kind === 'client-metrics') {
        recordClientMetrics(body, this.deps.metrics);
        return NOTHING_INGESTED;
      }
      const writeKey = takeWriteKey(request.authorization, body);
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
      const facts = { receivedAtMs, receivedAt: new Date(receivedAtMs).toISOString(), ip: request.clientIp };
      const processed: ProcessedBody =
        type !== undefined
          ? processCall(body, json.length, type, facts)
          : processBatch(body, json.length, this.deps.batchLimits, facts);
      traced?.span.setAttribute('manifold.events.accepted', processed.accepted.length);
      traced?.span.setAttribute('manifold.events.rejected', processed.rejected.length);

      const traceHeaders: Record<string, string> = {};
      injectTraceContext(traceHeaders, traced ? trace.setSpan(traced.parent, traced.span) : undefined);
      handedOver = true;
      await this.publish(source, processed, traceHeaders);
      return processed;
    } catch (error) {
      if (!handedOver && error instanceof IngestionError) this.reportRefused(error, source, body);
      throw error;
    }
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
   * The body, if any, no longer holds its write key (`takeWriteKey` ran before the source was known).
   */
  private reportRefused(
    error: IngestionError,
    source: SourceConfig | undefined,
    body: Record<string, unknown> | undefined,
  ): void {
    const batch = body?.['batch'];
    const events = Array.isArray(batch) ? Math.max(1, batch.length) : 1;
    this.deps.metrics.eventsRejected.add(events, error.code);
    if (!source) return;
    this.deps.liveDebugger.record(source.id, {
      status: 'rejected',
      type: typeof body?.['type'] === 'string' ? body['type'] : undefined,
      reason: { code: error.code, message: error.message },
      // Items of a batch are two levels down. Deeper bodies would overflow the debugger's JSON.
      event: nestedDeeperThan(body, MAX_NESTING_DEPTH + 2) ? undefined : body,
    });
  }

  /**
   * Publishes the accepted events and resolves once Kafka acknowledged all of them; throws a 503
   * IngestionError when it did not. Rejected items are recorded either way.
   */
  private async publish(
    source: SourceConfig,
    processed: ProcessedBody,
    traceHeaders: Record<string, string>,
  ): Promise<void> {
    const { liveDebugger, metrics } = this.deps;
    for (const item of processed.rejected) {
      metrics.eventsRejected.add(1, item.code);
      liveDebugger.record(source.id, {
        status: 'rejected',
        type: item.type,
        reason: { code: item.code, message: item.message },
        event: item.input,
      });
    }
    const { accepted } = processed;
    if (accepted.length === 0) return;
    const metadata = { sourceId: source.id, workspaceId: source.workspaceId };
    // Events the queue would refuse are not built: building them is what takes the memory.
    const messages = this.deps.publisher.hasRoomFor(processed.bytes)
      ? accepted.map((event) => encodeEventMessage(event, metadata, traceHeaders))
      : undefined;
    try {
      if (!messages) throw new KafkaUnavailableError('too many events are waiting for Kafka already');
      await this.deps.publisher.publish(messages);
    } catch (error) {
      const message = 'events could not be stored in Kafka; retry later';
      this.deps.logger.warn({ err: error, sourceId: source.id, events: accepted.length }, message);
      metrics.eventsRejected.add(accepted.length, 'unavailable');
      for (const event of accepted) {
        liveDebugger.record(source.id, {
          status: 'failed',
          type: event.type,
          messageId: event.messageId,
          reason: { code: 'unavailable', message },
          event,
        });
      }
      throw IngestionError.unavailable(message);
    }
    this.countAccepted(accepted);
    // Entries beyond the buffer would be overwritten at once: skip them unless someone watches live.
    const shown = liveDebugger.entriesWanted(source.id);
    for (let i = Math.max(0, accepted.length - shown); i < accepted.length; i++) {
      const event = accepted[i] as SpecEvent;
      liveDebugger.record(source.id, { status: 'accepted', type: event.type, messageId: event.messageId, event });
    }
  }

  /** One counter update per call type and request rather than per event. */
  private countAccepted(accepted: readonly SpecEvent[]): void {
    const first = accepted[0];
    if (!first) return;
    if (accepted.every((event) => event.type === first.type)) {
      this.deps.metrics.eventsAccepted.add(accepted.length, first.type);
      return;
    }
    const byType = new Map<string, number>();
    for (const event of accepted) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    for (const [type, count] of byType) this.deps.metrics.eventsAccepted.add(count, type);
  }
}
