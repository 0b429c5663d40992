// What happens to an event next. Every path through the kit ends in one of these, so the
// translator never has to guess (and nothing is lost silently).

/** Why an event was deliberately not sent to a destination. Counted as "filtered", never retried. */
export type DropReason =
  /** The event's `integrations` object turned this destination off (docs/event-spec.md#integrations). */
  | 'FILTERED_BY_INTEGRATIONS_OBJECT'
  /** analytics.js already sent it device-mode (`_metadata.bundled` names the destination). */
  | 'MESSAGE_SENT_CLIENT_SIDE'
  /**
   * A destination filter dropped or sampled it out, or its FQL was invalid (fail closed:
   * libs/destination-kit/README.md#destination-filters).
   */
  | 'FILTERED_BY_RULES'
  /** The destination does not take this call type (e.g. alias on GA4). */
  | 'UNSUPPORTED_EVENT_TYPE'
  /** No route of the destination matched the event (Segment's NO_MATCHING_MAPPING). */
  | 'NO_MATCHING_MAPPING'
  /** The mapped payload breaks the destination's rules (missing required field, bad name, ...). */
  | 'INVALID_PAYLOAD'
  /** Everything the destination would receive is empty (e.g. identify without traits or ids to merge). */
  | 'NOTHING_TO_SEND';

/** Why an event ends on the dead-letter topic: it was meant to be delivered and could not be. */
export type DeadLetterReason =
  /** The destination instance's settings do not satisfy its schema. */
  | 'INVALID_SETTINGS'
  /** The destination answered with a permanent failure (most 4xx, or an error body on a 2xx). */
  | 'REJECTED'
  /** The translator gave up retrying (set by the translator, never by the kit). */
  | 'RETRIES_EXHAUSTED'
  /** A translation threw something unexpected: a bug, kept so the event can be replayed after a fix. */
  | 'TRANSLATION_ERROR';

export interface DropOutcome {
  kind: 'drop';
  reason: DropReason;
  message: string;
}

export interface DeliveredOutcome {
  kind: 'delivered';
  status: number;
}

export interface RetryOutcome {
  kind: 'retry';
  /** Short human-readable cause, e.g. "HTTP 503" or "ECONNRESET". */
  reason: string;
  /** The destination asked for this wait (Retry-After or the API's documented pause); a minimum, not a schedule. */
  retryAfterMs?: number;
  status?: number;
}

export interface DeadLetterOutcome {
  kind: 'dead-letter';
  reason: DeadLetterReason;
  message: string;
  status?: number;
}

/** The result of one delivery attempt for one event (or one request). */
export type DeliveryOutcome = DeliveredOutcome | RetryOutcome | DeadLetterOutcome;

/** Anything the kit can decide about an event. */
export type Outcome = DropOutcome | DeliveryOutcome;

export function drop(reason: DropReason, message: string): DropOutcome {
  return { kind: 'drop', reason, message };
}

/** Base of the errors destination code throws; each one carries the outcome it stands for. */
export abstract class DestinationError extends Error {
  abstract readonly outcome: Outcome;
}

/** Thrown by a destination's `perform` when the event cannot be sent there: it is dropped with this reason. */
export class DropEventError extends DestinationError {
  readonly outcome: DropOutcome;
  constructor(reason: DropReason, message: string) {
    super(message);
    this.name = 'DropEventError';
    this.outcome = drop(reason, message);
  }
}

/** A transient failure: try again later, no sooner than `retryAfterMs` when given. */
export class RetryableError extends DestinationError {
  readonly outcome: RetryOutcome;
  constructor(reason: string, retryAfterMs?: number, status?: number) {
    super(reason);
    this.name = 'RetryableError';
    this.outcome = {
      kind: 'retry',
      reason,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(status !== undefined ? { status } : {}),
    };
  }
}

/** A permanent failure: the event goes to the dead-letter topic with this reason. */
export class DeadLetterError extends DestinationError {
  readonly outcome: DeadLetterOutcome;
  constructor(reason: DeadLetterReason, message: string, status?: number) {
    super(message);
    this.name = 'DeadLetterError';
    this.outcome = { kind: 'dead-letter', reason, message, ...(status !== undefined ? { status } : {}) };
  }
}

/** The outcome an error stands for; anything that is not a DestinationError is a translation bug. */
export function outcomeOfError(error: unknown): Outcome {
  if (error instanceof DestinationError) return error.outcome;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'dead-letter', reason: 'TRANSLATION_ERROR', message };
}

const SEVERITY: Record<DeliveryOutcome['kind'], number> = { delivered: 0, 'dead-letter': 1, retry: 2 };

/**
 * One outcome for an event that produced several requests (or several items in one request).
 * Retry wins over dead-letter: the APIs de-duplicate on the ids we send, so resending the parts
 * that already went through is harmless, while dead-lettering would lose the part that can still succeed.
 */
export function combineOutcomes(outcomes: readonly DeliveryOutcome[]): DeliveryOutcome {
  let worst: DeliveryOutcome | undefined;
  for (const outcome of outcomes) {
    if (!worst || SEVERITY[outcome.kind] > SEVERITY[worst.kind]) worst = outcome;
    else if (outcome.kind === 'retry' && worst.kind === 'retry') {
      worst = { ...worst, retryAfterMs: maxDefined(worst.retryAfterMs, outcome.retryAfterMs) };
    }
  }
  if (!worst) throw new Error('combineOutcomes needs at least one outcome');
  if (worst.kind === 'retry' && worst.retryAfterMs === undefined) delete worst.retryAfterMs;
  return worst;
}

/**
 * One event's outcome from what its requests came to: their delivery outcomes combined. A flow of
 * the event that ended in a drop decides, unless another of its requests must be retried.
 */
export function combineEventOutcome(
  deliveries: readonly DeliveryOutcome[],
  dropped: DropOutcome | undefined,
): Outcome | undefined {
  const delivery = deliveries.length > 0 ? combineOutcomes(deliveries) : undefined;
  return dropped && delivery?.kind !== 'retry' ? dropped : (delivery ?? dropped);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
