import {
  approximateMessageBytes,
  KafkaUnavailableError,
  type OutgoingMessage,
  type SendOptions,
} from '@manifold/kafka';

/** What the queue needs of a producer; `EventProducer` from @manifold/kafka is one. */
export interface MessageSender {
  send(topic: string, messages: readonly OutgoingMessage[], options?: SendOptions): Promise<unknown>;
}

export interface PublishQueueOptions {
  topic: string;
  /** A send goes out once this many messages wait... */
  maxBatchMessages: number;
  /** ...or this many bytes (kept under the broker's record-batch limit)... */
  maxBatchBytes: number;
  /**
   * ...or when the first waiting message has waited this long (ms). 0 sends at the end of the
   * current event-loop turn: everything that arrived in it goes together, and under load the
   * batches grow by themselves while a send is in flight.
   */
  lingerMs: number;
  /** A send not acknowledged in this time fails; so does a message that waited this long to be sent. */
  timeoutMs: number;
  /**
   * Bytes of messages held, from `publish` until Kafka acknowledged them or they failed (waiting
   * and in flight alike): a caller whose messages would take it past this is refused at once
   * instead of queued. A caller is never refused while nothing is held, so one larger than the
   * bound still gets through alone.
   */
  maxQueuedBytes: number;
  /** Sends in flight at once; the next batch fills while they are. */
  maxConcurrentSends: number;
  /** Told about each send, for metrics. */
  onSend?: (outcome: { messages: number; bytes: number; durationMs: number; ok: boolean }) => void;
}

/** One caller's messages; settled when all of its parts are acknowledged, or one fails. */
interface Publication {
  partsLeft: number;
  enqueuedAt: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Part {
  publication: Publication;
  messages: OutgoingMessage[];
  bytes: number;
}

/**
 * Gathers the messages of concurrent requests into few Kafka sends, so the broker sees one
 * request per few milliseconds instead of one per HTTP call, and tells each caller when its own
 * messages are acknowledged (acks=all) or have failed. Nothing is ever reported published that
 * the broker did not acknowledge.
 */
export class PublishQueue {
  private readonly pending: Part[] = [];
  private pendingMessages = 0;
  private pendingBytes = 0;
  /** Waiting and in flight: the memory the queue holds. */
  private heldBytes = 0;
  private inFlight = 0;
  private timer: { cancel(): void } | undefined;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly sender: MessageSender,
    private readonly options: PublishQueueOptions,
  ) {}

  /** Bytes waiting to be sent or in flight, for a gauge. */
  get queuedBytes(): number {
    return this.heldBytes;
  }

  /** True while new messages would be refused whatever their size: callers can skip building them. */
  get saturated(): boolean {
    return this.heldBytes >= this.options.maxQueuedBytes;
  }

  /** Whether messages of about this many bytes would be taken now, for a caller yet to build them. */
  hasRoomFor(bytes: number): boolean {
    return this.heldBytes === 0 || this.heldBytes + bytes <= this.options.maxQueuedBytes;
  }

  get sendsInFlight(): number {
    return this.inFlight;
  }

  /** Resolves once every message is acknowledged by Kafka; rejects with KafkaUnavailableError otherwise. */
  publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    let total = 0;
    for (const message of messages) total += approximateMessageBytes(message);
    if (!this.hasRoomFor(total)) {
      return Promise.reject(
        new KafkaUnavailableError(
          `${this.heldBytes} bytes are waiting for Kafka already; ${total} more would pass the limit of ${this.options.maxQueuedBytes}`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const publication: Publication = { partsLeft: 0, enqueuedAt: Date.now(), settled: false, resolve, reject };
      let part: Part = { publication, messages: [], bytes: 0 };
      for (const message of messages) {
        const bytes = approximateMessageBytes(message);
        if (part.messages.length > 0 && part.bytes + bytes > this.options.maxBatchBytes) {
          this.enqueue(part);
          part = { publication, messages: [], bytes: 0 };
        }
        part.messages.push(message);
        part.bytes += bytes;
      }
      this.enqueue(part);
      this.schedule();
    });
  }

  /** Sends whatever waits and resolves once no send is in flight. */
  async drain(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    while (this.pending.length > 0 && this.inFlight < this.options.maxConcurrentSends) this.flush();
    if (this.inFlight === 0 && this.pending.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(part: Part): void {
    part.publication.partsLeft++;
    this.pending.push(part);
    this.pendingMessages += part.messages.length;
    this.pendingBytes += part.bytes;
    this.heldBytes += part.bytes;
  }

  private isFull(): boolean {
    return this.pendingMessages >= this.options.maxBatchMessages || this.pendingBytes >= this.options.maxBatchBytes;
  }

  private schedule(): void {
    while (this.pending.length > 0 && this.inFlight < this.options.maxConcurrentSends && this.isFull()) this.flush();
    if (this.pending.length > 0 && this.timer === undefined) {
      this.timer = this.after(this.options.lingerMs, () => {
        this.timer = undefined;
        // When every send slot is busy, the next completing send flushes instead.
        while (this.pending.length > 0 && this.inFlight < this.options.maxConcurrentSends) this.flush();
      });
    }
  }

  private after(ms: number, run: () => void): { cancel(): void } {
    if (ms <= 0) {
      const immediate = setImmediate(run);
      return { cancel: () => clearImmediate(immediate) };
    }
    const timeout = setTimeout(run, ms);
    return { cancel: () => clearTimeout(timeout) };
  }

  /** Takes the oldest parts that fit in one send and sends them. */
  private flush(): void {
    const now = Date.now();
    const parts: Part[] = [];
    const messages: OutgoingMessage[] = [];
    let bytes = 0;
    while (this.pending.length > 0) {
      const part = this.pending[0] as Part;
      if (
        messages.length > 0 &&
        (messages.length + part.messages.length > this.options.maxBatchMessages ||
          bytes + part.bytes > this.options.maxBatchBytes)
      ) {
        break;
      }
      this.pending.shift();
      this.pendingMessages -= part.messages.length;
      this.pendingBytes -= part.bytes;
      const { publication } = part;
      if (publication.settled) {
        this.heldBytes -= part.bytes;
        continue;
      }
      if (now - publication.enqueuedAt > this.options.timeoutMs) {
        this.heldBytes -= part.bytes;
        this.fail(publication, new KafkaUnavailableError(`Kafka took no messages for ${this.options.timeoutMs} ms`));
        continue;
      }
      parts.push(part);
      for (const message of part.messages) messages.push(message);
      bytes += part.bytes;
    }
    if (this.pending.length === 0) {
      this.timer?.cancel();
      this.timer = undefined;
    }
    if (messages.length === 0) {
      this.notifyIfIdle();
      return;
    }
    this.inFlight++;
    const started = performance.now();
    this.sender.send(this.options.topic, messages, { timeoutMs: this.options.timeoutMs }).then(
      () => this.completed(parts, messages.length, bytes, started, undefined),
      (error: unknown) => this.completed(parts, messages.length, bytes, started, error),
    );
  }

  private completed(parts: Part[], count: number, bytes: number, started: number, error: unknown): void {
    this.inFlight--;
    this.heldBytes -= bytes;
    this.options.onSend?.({ messages: count, bytes, durationMs: performance.now() - started, ok: !error });
    for (const { publication } of parts) {
      if (publication.settled) continue;
      if (error) {
        this.fail(
          publication,
          error instanceof KafkaUnavailableError ? error : new KafkaUnavailableError('publishing failed', error),
        );
      } else if (--publication.partsLeft === 0) {
        publication.settled = true;
        publication.resolve();
      }
    }
    // Whatever gathered during this send has waited at least that long already: send it now.
    if (this.pending.length > 0) this.flush();
    else this.notifyIfIdle();
  }

  private fail(publication: Publication, error: Error): void {
    publication.settled = true;
    publication.reject(error);
  }

  private notifyIfIdle(): void {
    if (this.inFlight > 0 || this.pending.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
