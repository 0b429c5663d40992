import { maskerOf, maskRequest } from '@manifold/destination-kit';
import type { DeliverySample, SpecEvent } from '@manifold/events';
import type { EventProducer } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import type { Exchange } from '../pipeline/task';

/** How much of a request and a response body a sample keeps. */
const REQUEST_BODY_CHARS = 4000;
const RESPONSE_BODY_CHARS = 2000;
/** Gates kept before the stale ones are forgotten (one per instance and reason seen). */
const MAX_GATES = 10_000;

export interface FailureSamplerOptions {
  producer: Pick<EventProducer, 'send'>;
  topic: string;
  logger: Logger;
  destinationType: string;
  /** At most one sample per instance and reason this often. Default 5 s. */
  sampleIntervalMs?: number;
  /** At most one log line per instance and reason this often (the others are counted in it). Default 60 s. */
  logIntervalMs?: number;
  now?: () => number;
}

/** A failed attempt: retried, or dead-lettered. */
export interface FailedAttempt {
  instance: { id: string; workspaceId: string };
  outcome: DeliverySample['outcome'];
  reason: string;
  message: string;
  event: SpecEvent;
  /** This attempt's number (1 for the first). */
  attempt: number;
  exchange?: Exchange;
}

interface Gate {
  sampledAt: number;
  loggedAt: number;
  /** Failures not logged since the last line. */
  unlogged: number;
}

/**
 * Makes failed deliveries visible without costing the hot path: for each destination instance
 * and reason, at most one log line a minute (with how many were not logged) and one sample
 * every few seconds, published to the delivery-samples topic for the delivery view. A sample's
 * request and answer go through the kit's `maskRequest` and the request's masker, so no
 * credential of the instance leaves the translator (URL, headers, bodies, error text).
 */
export class FailureSampler {
  private readonly gates = new Map<string, Gate>();
  private readonly sending = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly sampleIntervalMs: number;
  private readonly logIntervalMs: number;

  constructor(private readonly options: FailureSamplerOptions) {
    this.now = options.now ?? Date.now;
    this.sampleIntervalMs = options.sampleIntervalMs ?? 5000;
    this.logIntervalMs = options.logIntervalMs ?? 60_000;
  }

  failed(failure: FailedAttempt): void {
    const now = this.now();
    const gate = this.gate(`${failure.instance.id}\u0000${failure.reason}`, now);
    gate.unlogged += 1;
    if (now - gate.loggedAt >= this.logIntervalMs) {
      this.log(failure, gate.unlogged);
      gate.loggedAt = now;
      gate.unlogged = 0;
    }
    if (now - gate.sampledAt >= this.sampleIntervalMs) {
      gate.sampledAt = now;
      this.publish(sampleOf(failure, now));
    }
  }

  /** Waits for the samples being published. */
  async stop(): Promise<void> {
    await Promise.all([...this.sending]);
  }

  private gate(key: string, now: number): Gate {
    let gate = this.gates.get(key);
    if (!gate) {
      if (this.gates.size >= MAX_GATES) this.forgetStale(now);
      gate = { sampledAt: -Infinity, loggedAt: -Infinity, unlogged: 0 };
      this.gates.set(key, gate);
    }
    return gate;
  }

  private forgetStale(now: number): void {
    for (const [key, gate] of this.gates) {
      if (now - gate.loggedAt >= this.logIntervalMs && now - gate.sampledAt >= this.sampleIntervalMs) {
        this.gates.delete(key);
      }
    }
  }

  private log(failure: FailedAttempt, count: number): void {
    const masker = failure.exchange ? maskerOf(failure.exchange.request) : undefined;
    const status = failure.exchange?.response?.status;
    this.options.logger.warn(
      {
        destinationType: this.options.destinationType,
        destinationId: failure.instance.id,
        workspaceId: failure.instance.workspaceId,
        outcome: failure.outcome,
        reason: failure.reason,
        ...(status !== undefined ? { status } : {}),
        messageId: failure.event.messageId,
        attempt: failure.attempt,
        failures: count,
      },
      `delivery ${failure.outcome === 'failed' ? 'failed' : 'will be retried'}: ${masker ? masker.text(failure.message) : failure.message}` +
        (count > 1 ? ` (${count} failures with this reason since the last line)` : ''),
    );
  }

  private publish(sample: DeliverySample): void {
    const sending = this.options.producer
      .send(this.options.topic, [{ key: sample.destinationId, value: JSON.stringify(sample) }], { timeoutMs: 10_000 })
      .then(
        () => undefined,
        (error: unknown) => this.options.logger.warn({ err: error }, 'could not publish a delivery error sample'),
      )
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }
}

function sampleOf(failure: FailedAttempt, now: number): DeliverySample {
  const { exchange, event } = failure;
  const masker = exchange ? maskerOf(exchange.request) : undefined;
  const response = exchange?.response;
  return {
    destinationId: failure.instance.id,
    workspaceId: failure.instance.workspaceId,
    outcome: failure.outcome,
    reason: failure.reason,
    message: masker ? masker.text(failure.message) : failure.message,
    at: new Date(exchange?.answeredAt ?? now).toISOString(),
    messageId: event.messageId,
    eventType: event.type,
    ...(event.type === 'track' && typeof event.event === 'string' ? { eventName: event.event } : {}),
    attempt: failure.attempt,
    ...(exchange && masker
      ? {
          request: maskRequest(exchange.request, { masker, bodyChars: REQUEST_BODY_CHARS }),
          ...(response
            ? {
                response: {
                  status: response.status,
                  headers: masker.headers(response.headers),
                  body: masker.excerpt(response.body, RESPONSE_BODY_CHARS),
                },
              }
            : exchange.error !== undefined
              ? { response: { error: masker.text(exchange.error) } }
              : {}),
        }
      : {}),
  };
}
