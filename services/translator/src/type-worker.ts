import type { BatchContext, BatchProgress, ConsumedBatch, ConsumerRunner, KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { TranslatorMetrics } from './reports/metrics';
import type { BatchSource } from './pipeline/task';
import type { TypeProcessor } from './pipeline/type-processor';
import { retryDueAt } from './retry/retry-message';
import type { RetryTier } from './topics';

export interface TypeWorkerOptions {
  destinationType: string;
  kafka: KafkaClient;
  processor: TypeProcessor;
  eventsTopic: string;
  eventsGroup: string;
  retryGroup: string;
  /** Events addressed to one instance of the type (redrives, replays), and its group. */
  redeliverTopic: string;
  redeliverGroup: string;
  tiers: readonly RetryTier[];
  startFrom: 'earliest' | 'latest';
  partitionsConsumedConcurrently: number;
  metrics: TranslatorMetrics;
  logger: Logger;
  now?: () => number;
}

/** How often a long batch tells the group coordinator this member is alive. */
const HEARTBEAT_INTERVAL_MS = 3000;
/** Resume a little after the due time so the message is due when it is fetched again. */
const RESUME_MARGIN_MS = 5;
/**
 * Bytes per partition of one events-topic fetch. The next fetch waits until every batch of the
 * last one is delivered, and that gap (the slowest partition's last requests, the commit, the
 * fetch itself: 30-90 ms) comes once per fetch: with 2 MiB instead of kafkajs's 1 MiB a
 * translator catching up on a backlog went from about 10,500 to 11,500 events/s (bench:translate).
 */
const EVENTS_FETCH_BYTES_PER_PARTITION = 2 * 1024 * 1024;
/** How long a fetch waits for data: bounds how late a resumed retry partition is read again. */
const RETRY_FETCH_WAIT_MS = 250;

/**
 * The three consumers of one destination type: its group on the events topic, its group on its
 * retry tiers, and its group on its redeliveries. A tier partition whose next message is not due
 * yet is paused until it is (no consumer sleeps, so nothing else waits behind it).
 */
export class TypeWorker {
  private readonly events: ConsumerRunner;
  private readonly retries: ConsumerRunner;
  private readonly redeliveries: ConsumerRunner;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly options: TypeWorkerOptions) {
    this.now = options.now ?? Date.now;
    this.events = options.kafka.consumer({
      groupId: options.eventsGroup,
      topics: [options.eventsTopic],
      fromBeginning: options.startFrom === 'earliest',
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      maxBytesPerPartition: EVENTS_FETCH_BYTES_PER_PARTITION,
      handleBatch: (batch, context) => this.handleEvents(batch, context),
    });
    this.retries = options.kafka.consumer({
      groupId: options.retryGroup,
      topics: options.tiers.map((t) => t.topic),
      fromBeginning: true,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      maxWaitTimeMs: RETRY_FETCH_WAIT_MS,
      handleBatch: (batch, context) => this.handleRetries(batch, context),
    });
    this.redeliveries = options.kafka.consumer({
      groupId: options.redeliverGroup,
      topics: [options.redeliverTopic],
      fromBeginning: true,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
      handleBatch: (batch, context) => this.handleRedeliveries(batch, context),
    });
  }

  async start(): Promise<void> {
    await this.retries.run();
    await this.redeliveries.run();
    await this.events.run();
    this.options.logger.info({ destinationType: this.options.destinationType }, 'translator consuming');
  }

  async stop(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    await Promise.all([this.events.stop(), this.retries.stop(), this.redeliveries.stop()]);
  }

  private async handleEvents(batch: ConsumedBatch, context: BatchContext): Promise<void> {
    this.options.metrics.batchSize.record(batch.messages.length, {
      destination_type: this.options.destinationType,
      topic: 'events',
    });
    const source = batchSource(this.options.eventsGroup, batch, context);
    await withHeartbeat(context, () => this.options.processor.processEvents(batch.messages, source));
  }

  private async handleRedeliveries(batch: ConsumedBatch, context: BatchContext): Promise<void> {
    this.options.metrics.batchSize.record(batch.messages.length, {
      destination_type: this.options.destinationType,
      topic: 'redeliver',
    });
    const source = batchSource(this.options.redeliverGroup, batch, context);
    await withHeartbeat(context, () => this.options.processor.processRedeliveries(batch.messages, source));
  }

  private async handleRetries(batch: ConsumedBatch, context: BatchContext): Promise<void | BatchProgress> {
    const now = this.now();
    // A tier's messages are in due order (each waits the tier's fixed delay), so the first one
    // not due yet marks where this partition stops for now.
    const firstNotDue = batch.messages.findIndex((m) => retryDueAt(m) > now);
    const due = firstNotDue === -1 ? batch.messages : batch.messages.slice(0, firstNotDue);
    if (due.length > 0) {
      this.options.metrics.batchSize.record(due.length, {
        destination_type: this.options.destinationType,
        topic: 'retry',
      });
      const source = batchSource(this.options.retryGroup, batch, context);
      await withHeartbeat(context, () => this.options.processor.processRetries(due, source));
    }
    const waiting = firstNotDue === -1 ? undefined : batch.messages[firstNotDue];
    if (!waiting) return;
    const resume = context.pause();
    const timer = setTimeout(
      () => {
        this.resumeTimers.delete(timer);
        resume();
      },
      Math.max(0, retryDueAt(waiting) - this.now()) + RESUME_MARGIN_MS,
    );
    this.resumeTimers.add(timer);
    return { unprocessedFrom: waiting.offset };
  }
}

function batchSource(group: string, batch: ConsumedBatch, context: BatchContext): BatchSource {
  return {
    stream: `${group}|${batch.topic}|${batch.partition}`,
    assignment: context.assignment,
    keepGoing: context.isRunning,
  };
}

async function withHeartbeat(context: BatchContext, work: () => Promise<void>): Promise<void> {
  const timer = setInterval(() => void context.heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
}
