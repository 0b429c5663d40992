import type { ConfigView, SourceConfig } from '@manifold/config-client';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
import { KafkaUnavailableError } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { LiveDebugger } from '../debugger/live-debugger';
import { IngestionError } from '../http/errors';
import type { IngestionMetrics } from '../metrics';
import type { PublishQueue } from '../publish/publish-queue';
import type { RateLimiter } from '../rate-limit';
import { MAX_NESTING_DEPTH, nestedDeeperThan } from './nesting';
import type { ProcessedBody } from './process-body';
import { isPlainObject } from './validate';

/** What is known of a request so far, so that a failure can be reported against it. */
export interface Attempt {
  source?: SourceConfig;
  body?: Record<string, unknown>;
  /** Set once the events went to `publish`, which then reports their outcome itself. */
  handedOver: boolean;
}

export interface IngestorDeps {
  configView: ConfigView;
  publisher: PublishQueue;
  rateLimiter: RateLimiter;
  liveDebugger: LiveDebugger;
  metrics: IngestionMetrics;
  logger: Logger;
}

/**
 * The steps every entry point (JSON API, pixel) shares once a body is parsed: who is sending,
 * whether they may, and getting the accepted events durably into Kafka, with every outcome
 * counted and shown in the live debugger.
 */
export class Ingestor {
  constructor(private readonly deps: IngestorDeps) {}

  /** The source of a write key, from the in-memory config snapshot (never a network call). */
  authenticate(writeKey: string | undefined): SourceConfig {
    if (writeKey === undefined) {
      throw new IngestionError(
        401,
        'unknown_source',
        'no write key: send it as the Basic auth username or as writeKey in the body',
      );
    }
    const source = this.deps.configView.sourceForWriteKey(writeKey);
    if (!source) throw new IngestionError(401, 'unknown_source', 'no source has this write key');
    if (!source.enabled) throw new IngestionError(403, 'source_disabled', `source ${source.id} is disabled`);
    return source;
  }

  checkRateLimit(writeKey: string): void {
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
  checkCapacity(): void {
    if (this.deps.publisher.saturated) {
      throw IngestionError.unavailable('too many events are waiting for Kafka already; retry later');
    }
  }

  /**
   * Counts (and, when the source is known, shows in the debugger) a request refused as a whole
   * before its events were judged one by one: bad JSON, unknown key, disabled source, rate limit.
   */
  reportRefused(
    error: IngestionError,
    source: SourceConfig | undefined,
    body: Record<string, unknown> | undefined,
  ): void {
    const batch = body?.['batch'];
    const events = Array.isArray(batch) ? Math.max(1, batch.length) : 1;
    this.deps.metrics.eventsRejected.add(events, error.code);
    if (!source) return;
    if (body) delete body['writeKey'];
    if (Array.isArray(batch)) for (const item of batch) if (isPlainObject(item)) delete item['writeKey'];
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
  async publish(source: SourceConfig, processed: ProcessedBody, traceHeaders: Record<string, string>): Promise<void> {
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
