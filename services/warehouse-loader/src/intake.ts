import type { ConfigView } from '@manifold/config-client';
import { EVENT_HEADERS, REDELIVERY_HEADERS, decodeEventHeaders, parseEventBody } from '@manifold/events';
import type { BatchContext, ConsumedBatch, ConsumedMessage, ConsumerRunner, KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { warehouseAllowed } from '@manifold/warehouse';
import { PendingEvents, type PendingEvent } from './pending-events';

/** How often reading, while held back, checks whether events were loaded meanwhile. */
const BACKPRESSURE_POLL_MS = 200;

export interface EventIntakeOptions {
  warehouseId: string;
  kafka: KafkaClient;
  topic: string;
  /** Replays for one warehouse each (header manifold-redeliver-destination-id), read in the same group when the topic exists. */
  replayTopic?: string;
  groupId: string;
  config: ConfigView;
  logger: Logger;
  /** Called after each batch of messages is taken, and while reading is held back: a load may be due. */
  onEvents(): void;
}

/**
 * Where one warehouse's events come from: its own consumer group on the events topic, reading
 * every message and keeping, as the JSON Kafka delivered, the events of the sources connected to
 * the warehouse that their `integrations` allow into it. It holds Kafka back while too many events
 * wait (they stay in Kafka, not in memory), and commits only offsets whose events before them are
 * all loaded or not for this warehouse (PendingEvents says which).
 */
export class EventIntake {
  readonly pending: PendingEvents;
  private consumer: ConsumerRunner | undefined;
  private maxPending = Number.POSITIVE_INFINITY;
  private holding = true;
  private undecodable = 0;

  constructor(private readonly options: EventIntakeOptions) {
    this.pending = new PendingEvents(options.topic);
  }

  /** Messages on the topic that were not events (no source, workspace or body; not a Spec event). */
  get undecodableMessages(): number {
    return this.undecodable;
  }

  /**
   * Joins the consumer group and starts reading; reading is held back while `maxPending` events
   * wait. Throws when the events topic does not exist yet.
   */
  async start(maxPending: number): Promise<void> {
    const { kafka, topic, groupId, replayTopic } = this.options;
    this.maxPending = maxPending;
    const topics = await kafka.listTopics();
    if (!topics.includes(topic)) {
      throw new Error(`the events topic ${topic} does not exist yet (ingestion creates it)`);
    }
    this.consumer = kafka.consumer({
      groupId,
      topics: replayTopic && topics.includes(replayTopic) ? [topic, replayTopic] : [topic],
      fromBeginning: true,
      commitMode: 'manual',
      handleBatch: (batch, context) => this.take(batch, context),
    });
    await this.consumer.run();
  }

  /** Stops holding reading back: the loader is stopping and will not load what more arrives. */
  release(): void {
    this.holding = false;
  }

  /** Leaves the consumer group. */
  async stop(): Promise<void> {
    this.holding = false;
    await this.consumer?.stop();
  }

  /** Commits what is safe: everything before the earliest event still waiting or `inFlight`. */
  async commit(inFlight: PendingEvent[][] = []): Promise<void> {
    const points = this.pending.commitPoints(inFlight);
    if (points.length === 0 || !this.consumer) return;
    try {
      await this.consumer.commit(points);
      this.pending.markCommitted(points);
    } catch (error) {
      // A rebalance is under way: the next owner reads these events again and dedupe absorbs them.
      this.options.logger.warn({ err: error, points }, 'offsets not committed');
    }
  }

  /** Counts and logs a message that is not an event; it is skipped (and committed past). */
  skipUndecodable(partition: number, offset: string, error: unknown): void {
    this.undecodable++;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ partition, offset, reason }, 'skipped a message that is not an event');
  }

  private async take(batch: ConsumedBatch, context: BatchContext): Promise<void> {
    const readAt = Date.now();
    // A replay is this warehouse's only when addressed to it; it then loads like any event.
    const replay = batch.topic !== this.options.topic;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      const mine = !replay || message.headers[REDELIVERY_HEADERS.destinationId] === this.options.warehouseId;
      const sourceId = mine ? this.sourceToLoad(message) : undefined;
      if (sourceId !== undefined) {
        this.pending.add(sourceId, {
          body: message.value as Buffer,
          messageId: message.headers[EVENT_HEADERS.messageId] ?? '',
          partition: message.partition,
          offset,
          readAt,
          ...(replay ? { topic: batch.topic } : {}),
        });
      }
      this.pending.seen(message.partition, offset, batch.topic);
    }
    this.options.onEvents();
    // Backpressure: Kafka keeps what we have not read yet, memory does not.
    while (this.pending.size >= this.maxPending && context.isRunning() && this.holding) {
      await new Promise((resolve) => setTimeout(resolve, BACKPRESSURE_POLL_MS));
      await context.heartbeat();
      this.options.onEvents();
    }
  }

  /**
   * The source of an event this warehouse loads; undefined for a message of a source not connected
   * to it, one its integrations keep out, or one that is not an event (counted).
   */
  private sourceToLoad(message: ConsumedMessage): string | undefined {
    let sourceId: string;
    try {
      ({ sourceId } = decodeEventHeaders(message));
    } catch (error) {
      this.skipUndecodable(message.partition, message.offset, error);
      return undefined;
    }
    if (!this.options.config.warehousesForSource(sourceId).some((w) => w.id === this.options.warehouseId)) {
      return undefined;
    }
    // decodeEventHeaders checked that there is a body.
    return this.allowedByIntegrations(message.value as Buffer, message) ? sourceId : undefined;
  }

  /** The `Warehouses` rule of the integrations object; most events have none and are not parsed here. */
  private allowedByIntegrations(body: Buffer, message: ConsumedMessage): boolean {
    if (body.indexOf('"Warehouses"') === -1) return true;
    try {
      return warehouseAllowed(parseEventBody(body).integrations, this.options.warehouseId);
    } catch (error) {
      this.skipUndecodable(message.partition, message.offset, error);
      return false;
    }
  }
}
