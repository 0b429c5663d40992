import type { DestinationConfig } from '@manifold/config-client';
import { describeNotice, type FieldNotice, type Outcome } from '@manifold/destination-kit';
import {
  reverseEtlContextOf,
  type DeliveryReport,
  type ReverseEtlContext,
  type SpecEvent,
  type TraceOutcome,
} from '@manifold/events';
import type { EventProducer, OutgoingMessage } from '@manifold/kafka';
import { encodeRetryMessage, type PendingRetry } from '../retry/retry-message';
import { encodeDeadLetter, exchangeDetails, failedRowMessage, type DeadLetterRecord } from '../reports/dead-letter';
import type { DeliveryRecord, DeliveryReporter } from '../reports/delivery-reporter';
import type { FailureSampler } from '../reports/failure-sampler';
import type { TranslatorMetrics } from '../reports/metrics';
import type { RetryTier } from '../topics';
import { mappingOfRequest } from '../trace/request-mapping';
import { traceEntry, type TraceDetails, type TraceRecorder, type TraceSubject } from '../trace/trace-recorder';
import { decideDelivery } from './delivery-decision';
import type { EventAtInstance, Exchange, TaskResult } from './task';

export interface OutcomeRouterOptions {
  destinationType: string;
  producer: Pick<EventProducer, 'send'>;
  reporter: DeliveryReporter;
  /** Logs and samples failed attempts (rate-limited per instance and reason). */
  failures?: FailureSampler;
  metrics: TranslatorMetrics;
  tiers: readonly RetryTier[];
  deadLetterTopic: string;
  retryWindowMs: number;
  produceTimeoutMs: number;
  /** Where every outcome is told, per event and instance, for the per-event trace. */
  trace?: TraceRecorder;
  now?: () => number;
  random?: () => number;
}

/** Who an outcome concerns beyond the instance: the event (for the trace) and the run that sent it again. */
export interface OutcomeSubject extends TraceSubject {
  /** Why, in words. */
  message?: string | undefined;
}

/** Kafka sends are split so that no record batch nears the broker's message size limit. */
const MAX_MESSAGES_PER_SEND = 500;
const MAX_BYTES_PER_SEND = 4 * 1024 * 1024;

/**
 * Where the outcomes of one Kafka batch go: retries to their delay tier, permanent failures to
 * the dead-letter topic, and every outcome to the delivery stats. `commit()` resolves once Kafka
 * holds the retries and dead letters, so the consumer may then commit the batch's offsets.
 */
export class OutcomeRouter {
  constructor(private readonly options: OutcomeRouterOptions) {}

  begin(): BatchOutcomes {
    return new BatchOutcomes(this.options);
  }
}

export class BatchOutcomes {
  private readonly messages = new Map<string, OutgoingMessage[]>();
  private readonly records: DeliveryRecord[] = [];
  private readonly sending: Promise<unknown>[] = [];
  private readonly now: () => number;

  constructor(private readonly options: OutcomeRouterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Not sent to `instance`, deliberately (integrations object, filters, disabled, duplicate, ...). */
  filtered(instance: Pick<DestinationConfig, 'id' | 'workspaceId'>, reason: string, subject?: OutcomeSubject): void {
    const row = subject && rowChangeOf(subject.event, subject.metadata.sourceId, subject.runId);
    this.count(instance, 'filtered', reason, undefined, { runId: subject?.runId, row });
    if (subject) this.trace(subject, instance, 'filtered', { reason, message: subject.message, attempt: 0 });
  }

  /** Will not be delivered: kept on the dead-letter topic with the reason. */
  deadLetter(
    record: DeadLetterRecord,
    workspaceId?: string,
    details: { runId?: string | undefined; exchange?: Exchange | undefined } = {},
  ): void {
    const { exchange, runId } = details;
    this.push(this.options.deadLetterTopic, encodeDeadLetter(record));
    if (record.destinationId && workspaceId) {
      const instance = { id: record.destinationId, workspaceId };
      const reason = failureReason(record);
      const row = record.event && record.sourceId ? rowChangeOf(record.event, record.sourceId, runId) : undefined;
      this.count(instance, 'failed', reason, undefined, {
        attempts: attemptsOf(exchange),
        runId,
        row,
        ...(row ? { failedRow: { key: row.key, message: failedRowMessage(record, exchange) } } : {}),
      });
      if (record.event) {
        this.options.failures?.failed({
          instance,
          outcome: 'failed',
          reason,
          message: record.message,
          event: record.event,
          attempt: record.attempts,
          ...(exchange ? { exchange } : {}),
        });
        if (record.sourceId) {
          const subject = {
            event: record.event,
            metadata: { sourceId: record.sourceId, workspaceId },
            origin: record.origin,
            runId,
          };
          const attempt = exchange ? record.attempts : 0;
          this.trace(subject, instance, 'failed', { reason, message: record.message, attempt }, exchange);
        }
      }
    } else {
      this.options.metrics.events.add(1, {
        destination_type: this.options.destinationType,
        outcome: 'failed',
        reason: record.reason,
      });
    }
  }

  /**
   * Deliveries an earlier read of this batch finished: not repeated, and not reported again (that
   * read reported them), only counted in the metrics.
   */
  alreadyHandled(count: number): void {
    this.options.metrics.alreadyHandled.add(count, { destination_type: this.options.destinationType });
  }

  /** Puts a retry back in a tier without an attempt (it was released before its notBefore). */
  requeue(retry: PendingRetry, tier: RetryTier): void {
    this.push(tier.topic, encodeRetryMessage({ ...retry, dueAt: this.now() + tier.delayMs }));
  }

  /** What the deliveries of a batch came to. */
  results(results: readonly TaskResult[]): void {
    for (const result of results) this.result(result);
  }

  /**
   * An event stopped for one instance before any request (invalid settings, a mapping that drops
   * it or throws): published as decided, with no attempt counted.
   */
  stopped(event: EventAtInstance, outcome: Outcome): void {
    this.publish(event, outcome, false);
  }

  private result({ task, outcome, exchange, notices, deliveredMappings }: TaskResult): void {
    this.publish(task, outcome, true, exchange, notices, deliveredMappings);
  }

  /** Publishes and counts what `decideDelivery` makes of one outcome. */
  private publish(
    task: EventAtInstance,
    outcome: Outcome,
    attempted: boolean,
    exchange?: Exchange,
    notices?: readonly FieldNotice[],
    deliveredMappings?: readonly string[],
  ): void {
    const { instance } = task;
    const now = this.now();
    const policy = {
      tiers: this.options.tiers,
      retryWindowMs: this.options.retryWindowMs,
      now,
      ...(this.options.random ? { random: this.options.random } : {}),
    };
    const decision = decideDelivery(outcome, task, policy, attempted);
    switch (decision.kind) {
      case 'filter':
        this.filtered(instance, decision.reason, { ...task, message: decision.message });
        return;
      case 'delivered': {
        // Ingestion to the destination's answer (not to when the batch was done with).
        const latencyMs = (exchange?.answeredAt ?? now) - Date.parse(task.event.receivedAt);
        const latency = Number.isFinite(latencyMs) ? latencyMs : undefined;
        this.count(instance, 'delivered', undefined, latency, {
          attempts: 1,
          runId: task.runId,
          row: rowChangeOf(task.event, task.metadata.sourceId, task.runId),
        });
        this.trace(task, instance, 'delivered', { attempt: task.attempts + 1 }, exchange);
        // What was left out of or converted in the event, counted once it reached the destination.
        for (const notice of notices ?? []) this.count(instance, noticeOutcome(notice), describeNotice(notice));
        return;
      }
      case 'dead-letter':
        this.deadLetter(
          {
            ...this.base(task),
            reason: decision.reason,
            message: decision.message,
            attempts: decision.attempts,
            ...(deliveredMappings?.length ? { deliveredMappings: [...deliveredMappings] } : {}),
            ...exchangeDetails(exchange),
          },
          instance.workspaceId,
          { runId: task.runId, exchange },
        );
        return;
      case 'retry': {
        const { reason, message, attempts } = decision;
        const retry: PendingRetry = {
          event: task.event,
          metadata: task.metadata,
          destinationId: instance.id,
          attempts,
          firstAttemptAt: task.firstAttemptAt,
          dueAt: decision.dueAt,
          notBefore: decision.notBefore,
          origin: task.origin,
          from: task.readAt,
          reason,
          ...(deliveredMappings?.length ? { deliveredMappings } : {}),
        };
        this.push(decision.tier.topic, encodeRetryMessage(retry));
        // Attempts per reason, and the event itself once, when its first attempt failed.
        this.count(instance, 'retried', reason, undefined, { attempts: attemptsOf(exchange), runId: task.runId });
        if (task.attempts === 0) this.count(instance, 'retrying', reason, undefined, { runId: task.runId });
        this.trace(task, instance, 'retrying', { reason, message, attempt: attempts }, exchange);
        this.options.failures?.failed({
          instance,
          outcome: 'retried',
          reason,
          message,
          event: task.event,
          attempt: attempts,
          ...(exchange ? { exchange } : {}),
        });
        return;
      }
    }
  }

  /**
   * Starts publishing the retries and dead letters recorded so far, without waiting; `commit()`
   * waits for them (and fails if any failed).
   */
  publishPending(): void {
    for (const [topic, messages] of this.messages) {
      for (const chunk of chunks(messages)) {
        const sending = this.options.producer.send(topic, chunk, { timeoutMs: this.options.produceTimeoutMs });
        // Awaited in commit(); this only keeps an early failure from being reported as unhandled.
        sending.catch(() => undefined);
        this.sending.push(sending);
      }
    }
    this.messages.clear();
  }

  /** Publishes the batch's retries and dead letters, waits for all of them, then counts its outcomes. */
  async commit(): Promise<void> {
    this.publishPending();
    await Promise.all(this.sending);
    const type = this.options.destinationType;
    const latencyAttributes = { destination_type: type };
    const counted = new Map<string, { outcome: string; reason: string; count: number }>();
    for (const record of this.records) {
      this.options.reporter.record(record);
      // Each retrying event is also counted per attempt (retried): once in the metric is enough.
      if (record.outcome === 'retrying') continue;
      if (record.outcome === 'field_dropped' || record.outcome === 'field_converted') {
        // The reason names a field: too many values for a metric attribute; the kind is enough there.
        this.options.metrics.fieldNotices.add(1, { destination_type: type, kind: record.outcome });
        continue;
      }
      const key = `${record.outcome}\u0000${record.reason ?? ''}`;
      const entry = counted.get(key) ?? { outcome: record.outcome, reason: record.reason ?? '', count: 0 };
      entry.count += 1;
      counted.set(key, entry);
      if (record.latencyMs !== undefined) {
        this.options.metrics.deliveryLatency.record(record.latencyMs / 1000, latencyAttributes);
      }
    }
    for (const { outcome, reason, count } of counted.values()) {
      this.options.metrics.events.add(count, { destination_type: type, outcome, reason });
    }
  }

  private base(task: EventAtInstance): Omit<DeadLetterRecord, 'reason' | 'message' | 'attempts'> {
    return {
      destinationType: this.options.destinationType,
      destinationId: task.instance.id,
      sourceId: task.metadata.sourceId,
      workspaceId: task.metadata.workspaceId,
      event: task.event,
      origin: task.origin,
      firstAttemptAt: new Date(task.firstAttemptAt).toISOString(),
      failedAt: new Date(this.now()).toISOString(),
    };
  }

  private count(
    instance: Pick<DestinationConfig, 'id' | 'workspaceId'>,
    outcome: DeliveryReport['outcome'],
    reason?: string,
    latencyMs?: number,
    extra: {
      attempts?: number | undefined;
      runId?: string | undefined;
      /** A Reverse ETL row change's final outcome: counted for its model run too. */
      row?: ReverseEtlContext | undefined;
      failedRow?: DeliveryRecord['failedRow'];
    } = {},
  ): void {
    const { attempts, runId, row, failedRow } = extra;
    this.records.push({
      destinationId: instance.id,
      workspaceId: instance.workspaceId,
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(attempts ? { attempts } : {}),
      ...(runId !== undefined ? { runId } : {}),
      ...(row ? { reverseEtl: { modelId: row.modelId, runId: row.runId, changeKind: row.changeKind } } : {}),
      ...(failedRow ? { failedRow } : {}),
    });
  }

  private trace(
    subject: TraceSubject,
    instance: { id: string },
    outcome: TraceOutcome,
    details: TraceDetails,
    exchange?: Exchange,
  ): void {
    const recorder = this.options.trace;
    if (!recorder) return;
    const entry = traceEntry(subject, instance, this.options.destinationType, outcome, details, this.now());
    const mapping = exchange && mappingOfRequest(exchange.request);
    if (mapping) {
      entry.mappingId = mapping.id;
      entry.mappingName = mapping.name;
    }
    recorder.record(exchange ? { entry, exchange } : { entry });
  }

  private push(topic: string, message: OutgoingMessage): void {
    let list = this.messages.get(topic);
    if (!list) {
      list = [];
      this.messages.set(topic, list);
    }
    list.push(message);
  }
}

/**
 * The Reverse ETL row change an event is, when its final outcome counts for a model run: a first
 * delivery (a redrive or replay counts for its own run instead, and the model run is over by then).
 */
function rowChangeOf(event: SpecEvent, sourceId: string, redeliveryRunId: string | undefined) {
  return redeliveryRunId === undefined ? reverseEtlContextOf(event, sourceId) : undefined;
}

/** The reason a failure is counted under: the status of a rejection (`http_400`), else the dead-letter reason. */
function failureReason(record: DeadLetterRecord): string {
  const response = record.lastResponse;
  if (record.reason === 'REJECTED' && response && 'status' in response) return `http_${response.status}`;
  return record.reason;
}

/** 1 when a request was made (an answer or a network failure), 0 when none was (e.g. not attempted). */
function attemptsOf(exchange: Exchange | undefined): number {
  return exchange?.answeredAt !== undefined ? 1 : 0;
}

function noticeOutcome(notice: FieldNotice): 'field_dropped' | 'field_converted' {
  return notice.kind === 'dropped' ? 'field_dropped' : 'field_converted';
}

function* chunks(messages: readonly OutgoingMessage[]): Generator<OutgoingMessage[]> {
  let chunk: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.value) + 512;
    if (chunk.length > 0 && (chunk.length >= MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
