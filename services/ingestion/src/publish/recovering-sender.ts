import { KafkaUnavailableError, type EventProducer, type OutgoingMessage, type SendOptions } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { MessageSender } from './publish-queue';

/**
 * A sender that replaces its producer after any failed send.
 *
 * When a send fails or times out, nobody knows whether the broker wrote it. The idempotent
 * producer then holds sequence numbers the broker may not agree with. Its next batch could be
 * taken for a duplicate and acknowledged without being written, which would be a 200 for an
 * event that is not stored. A new producer gets a new producer id, so its sequences start
 * clean. A send the old producer gives up on late is at worst a duplicate, and the consumers
 * drop duplicates by messageId.
 */
export class RecoveringSender implements MessageSender {
  private current: { producer: Promise<EventProducer> } | undefined;

  constructor(
    private readonly connect: () => Promise<EventProducer>,
    private readonly logger: Logger,
  ) {}

  /** Connects the first producer now, so that start fails when Kafka is not there. */
  async start(): Promise<void> {
    await this.producer();
  }

  async send(topic: string, messages: readonly OutgoingMessage[], options: SendOptions = {}): Promise<void> {
    const started = Date.now();
    const producer = await withTimeout(this.producer(), options.timeoutMs);
    const timeoutMs =
      options.timeoutMs === undefined ? undefined : Math.max(1, options.timeoutMs - (Date.now() - started));
    try {
      await producer.send(topic, messages, timeoutMs === undefined ? {} : { timeoutMs });
    } catch (error) {
      this.retire(producer);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    const producer = await current.producer.catch(() => undefined);
    await producer?.disconnect();
  }

  private producer(): Promise<EventProducer> {
    if (!this.current) {
      const entry = { producer: this.connect() };
      this.current = entry;
      entry.producer.catch(() => {
        if (this.current === entry) this.current = undefined;
      });
    }
    return this.current.producer;
  }

  private retire(failed: EventProducer): void {
    const current = this.current;
    if (!current) return;
    void current.producer.then((producer) => {
      if (producer !== failed || this.current !== current) return;
      this.current = undefined;
      this.logger.warn('a Kafka send failed; the next send uses a new producer');
      failed.disconnect().catch(() => undefined);
    });
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KafkaUnavailableError(`no Kafka producer connected within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
