import type { ReverseEtlTag } from './reverse-etl-tag';

// Reports the translators publish about their deliveries; the control plane aggregates them so
// the console can show delivery stats. (Warehouse load records are defined in libs/warehouse.)

/**
 * - `delivered`, `failed` (dead-lettered), `filtered`: one per event, its final outcome.
 * - `retrying`: one per event, when its first attempt failed and it went to the retry topics (the
 *   reason is that first failure's). Such an event is counted again when it is finally delivered
 *   or failed.
 * - `retried`: one per failed attempt that will be tried again, with its reason (so an event
 *   tried 6 times before it is delivered counts 1 retrying, 5 retried, 1 delivered).
 */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'retried' | 'failed' | 'filtered';

/**
 * What happened to one field of delivered events: left out because the destination's API cannot
 * take it, or sent after a lossless conversion. Counted beside the events' outcomes, per reason.
 */
export type FieldNoticeOutcome = 'field_dropped' | 'field_converted';

export const FIELD_NOTICE_OUTCOMES: readonly FieldNoticeOutcome[] = ['field_dropped', 'field_converted'];

/**
 * Reasons of `filtered` events that are not the user's choice (integrations object, destination
 * filters, a disabled instance, a duplicate) but the destination's: it has no call for the event,
 * or what it would receive is invalid or empty. The delivery view shows them as "dropped".
 */
export const DROPPED_REASONS: ReadonlySet<string> = new Set([
  'UNSUPPORTED_EVENT_TYPE',
  'NO_MATCHING_MAPPING',
  'INVALID_PAYLOAD',
  'NOTHING_TO_SEND',
]);

/** One or more events with the same outcome for one destination instance. */
export interface DeliveryReport {
  destinationId: string;
  workspaceId: string;
  outcome: DeliveryOutcome | FieldNoticeOutcome;
  /**
   * Why it was retried, failed or filtered (e.g. "http_500", "FILTERED_BY_INTEGRATIONS_OBJECT");
   * for a field notice, the field and why ("event_properties.price: string to number").
   */
  reason?: string;
  /** How many events this report counts (reports may be pre-aggregated); for a field notice, events with it. */
  count: number;
  /**
   * Requests to the destination these events took to come to this outcome (a delivered event: 1;
   * a retried attempt: 1; a dead letter: 1 when a request was made). Absent means 0.
   */
  attempts?: number;
  /** Ingestion-to-destination latency of delivered events, one entry per event (ms). */
  latenciesMs?: number[];
  /** When it happened (ISO-8601). */
  at: string;
  /**
   * The redrive or replay that sent these events again. They count for the destination as any
   * other, and for the run's own tally.
   */
  runId?: string;
  /**
   * Reverse ETL row changes (first deliveries, not redrives): the model run and change kind these
   * final outcomes (delivered, failed, filtered) count for. Absent on every other event's report.
   */
  reverseEtl?: ReverseEtlTag;
  /** Failed Reverse ETL rows of this report, at most `MAX_FAILED_ROWS_PER_REPORT`, reasons masked. */
  failedRows?: FailedRow[];
}

/** Failed rows a report carries at most (its count stays exact). */
export const MAX_FAILED_ROWS_PER_REPORT = 20;

/** A Reverse ETL row change that was not delivered, and why. */
export interface FailedRow {
  /** The row's identifier value. */
  key: string;
  /** What went wrong, in words, every credential masked. */
  message: string;
}

/**
 * One failed delivery attempt as the delivery view shows it: published by translators to
 * `TOPICS.deliverySamples` for retried and dead-lettered attempts, at most one per destination
 * instance and reason every few seconds. Every credential of the instance is masked (URL,
 * headers, bodies) before it leaves the translator.
 */
export interface DeliverySample {
  destinationId: string;
  workspaceId: string;
  /** `retried` (it will be tried again) or `failed` (dead-lettered). */
  outcome: 'retried' | 'failed';
  /** The reason it is counted under in the delivery reports (`http_400`, `ECONNREFUSED`, ...). */
  reason: string;
  /** What went wrong, in words (masked). */
  message: string;
  /** When the attempt was answered or failed (ISO-8601). */
  at: string;
  messageId: string;
  /** The event's call type, and its name for a track. */
  eventType: string;
  eventName?: string;
  /** This attempt's number (1 for the first). */
  attempt: number;
  request?: { method: string; url: string; headers: Record<string, string>; body?: string };
  /** The answer, or `error` when there was none (connection refused, timeout). */
  response?: { status: number; headers: Record<string, string>; body: string } | { error: string };
}
