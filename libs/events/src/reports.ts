// Reports the translators publish about their deliveries; the control plane aggregates them so
// the console can show delivery stats. (Warehouse load records are defined in libs/warehouse.)

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'filtered';

/** One or more events with the same outcome for one destination instance. */
export interface DeliveryReport {
  destinationId: string;
  workspaceId: string;
  outcome: DeliveryOutcome;
  /** Why it was retried, failed or filtered (e.g. "http_500", "FILTERED_BY_INTEGRATIONS_OBJECT"). */
  reason?: string;
  /** How many events this report counts (reports may be pre-aggregated). */
  count: number;
  /** Ingestion-to-destination latency of delivered events, one entry per event (ms). */
  latenciesMs?: number[];
  /** When it happened (ISO-8601). */
  at: string;
}
