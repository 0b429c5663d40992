// Reports the translators publish about their deliveries; the control plane aggregates them so
// the console can show delivery stats. (Warehouse load records are defined in libs/warehouse.)

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'filtered';

/**
 * What happened to one field of delivered events: left out because the destination's API cannot
 * take it, or sent after a lossless conversion. Counted beside the events' outcomes, per reason.
 */
export type FieldNoticeOutcome = 'field_dropped' | 'field_converted';

export const FIELD_NOTICE_OUTCOMES: readonly FieldNoticeOutcome[] = ['field_dropped', 'field_converted'];

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
  /** Ingestion-to-destination latency of delivered events, one entry per event (ms). */
  latenciesMs?: number[];
  /** When it happened (ISO-8601). */
  at: string;
  /**
   * The redrive or replay that sent these events again. They count for the destination as any
   * other, and for the run's own tally.
   */
  runId?: string;
}
