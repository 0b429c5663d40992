import { MAX_FAILED_ROWS_PER_REPORT, type DeliveryReport, type FailedRow, type ReverseEtlTag } from '@manifold/events';
import type { EventProducer } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';

export interface DeliveryReporterOptions {
  producer: Pick<EventProducer, 'send'>;
  topic: string;
  /** Reports are aggregated for this long, then published. */
  intervalMs: number;
  logger: Logger;
  /** Aggregates kept while Kafka refuses them; beyond this the oldest counts are dropped (and logged). */
  maxPendingKeys?: number;
}

export interface DeliveryRecord {
  destinationId: string;
  workspaceId: string;
  /** The event's outcome, or a field notice of a delivered event (`reason` = "field: why"). */
  outcome: DeliveryReport['outcome'];
  reason?: string;
  /** For delivered events: ms from receivedAt to the destination's acceptance. */
  latencyMs?: number;
  count?: number;
  /** The redrive or replay that sent the event again: its outcomes are reported apart, for the run. */
  runId?: string;
  /** Requests made (see DeliveryReport.attempts). */
  attempts?: number;
  /** A Reverse ETL row change's final outcome: reported per model run and change kind. */
  reverseEtl?: ReverseEtlTag;
  /** A failed Reverse ETL row: which, and why (masked). */
  failedRow?: FailedRow;
}

const MAX_LATENCIES_PER_REPORT = 10_000;

interface Aggregate {
  report: DeliveryReport;
}

/**
 * Counts deliveries per destination instance, outcome and reason, and publishes one
 * DeliveryReport per group to the delivery-reports topic about once a second. The control plane
 * sums them for the console. Stats are not events: a crash loses at most one interval of counts.
 */
export class DeliveryReporter {
  private pending = new Map<string, Aggregate>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: DeliveryReporterOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  record(record: DeliveryRecord): void {
    const retl = record.reverseEtl;
    const key =
      `${record.destinationId}\u0000${record.outcome}\u0000${record.reason ?? ''}\u0000${record.runId ?? ''}` +
      (retl ? `\u0000${retl.runId}\u0000${retl.changeKind}` : '');
    let aggregate = this.pending.get(key);
    if (!aggregate) {
      aggregate = {
        report: {
          destinationId: record.destinationId,
          workspaceId: record.workspaceId,
          outcome: record.outcome,
          ...(record.reason !== undefined ? { reason: record.reason } : {}),
          ...(record.runId !== undefined ? { runId: record.runId } : {}),
          ...(retl ? { reverseEtl: retl } : {}),
          count: 0,
          at: '',
        },
      };
      this.pending.set(key, aggregate);
    }
    aggregate.report.count += record.count ?? 1;
    if (record.attempts) aggregate.report.attempts = (aggregate.report.attempts ?? 0) + record.attempts;
    if (record.failedRow) addFailedRows(aggregate.report, [record.failedRow]);
    if (record.latencyMs !== undefined) {
      const latencies = (aggregate.report.latenciesMs ??= []);
      // Bounded: the count stays exact, the latency sample stops growing.
      if (latencies.length < MAX_LATENCIES_PER_REPORT) latencies.push(Math.max(0, Math.round(record.latencyMs)));
    }
  }

  /** Publishes what was counted since the last flush; on failure keeps it for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.publish());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async publish(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const at = new Date().toISOString();
    const messages = [...batch.values()].map(({ report }) => ({
      key: report.destinationId,
      value: JSON.stringify({ ...report, at }),
    }));
    try {
      await this.options.producer.send(this.options.topic, messages, { timeoutMs: 10_000 });
    } catch (error) {
      this.options.logger.warn(
        { err: error, reports: messages.length },
        'could not publish delivery reports; keeping them',
      );
      this.restore(batch);
    }
  }

  private restore(batch: Map<string, Aggregate>): void {
    for (const [key, aggregate] of batch) {
      const current = this.pending.get(key);
      if (!current) {
        this.pending.set(key, aggregate);
        continue;
      }
      current.report.count += aggregate.report.count;
      if (aggregate.report.attempts) {
        current.report.attempts = (current.report.attempts ?? 0) + aggregate.report.attempts;
      }
      if (aggregate.report.failedRows) addFailedRows(current.report, aggregate.report.failedRows);
      if (aggregate.report.latenciesMs) {
        current.report.latenciesMs = [...aggregate.report.latenciesMs, ...(current.report.latenciesMs ?? [])];
      }
    }
    const max = this.options.maxPendingKeys ?? 100_000;
    if (this.pending.size > max) {
      const excess = this.pending.size - max;
      for (const key of [...this.pending.keys()].slice(0, excess)) this.pending.delete(key);
      this.options.logger.error({ dropped: excess }, 'delivery report backlog too large; oldest counts dropped');
    }
  }
}

/** Keeps the first failed rows of a report, up to its bound (the count stays exact). */
function addFailedRows(report: DeliveryReport, rows: readonly FailedRow[]): void {
  const kept = (report.failedRows ??= []);
  for (const row of rows) {
    if (kept.length >= MAX_FAILED_ROWS_PER_REPORT) return;
    kept.push(row);
  }
}
