import type { Meter } from '@manifold/telemetry';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  groupId: string;
  topic: string;
  partition: number;
  /** Messages in the partition after the group's committed offset. */
  lag: number;
}

/** Where the lag metric goes: a service's meter and its metric prefix (`manifold_<service>_`). */
export interface ConsumerLagTelemetry {
  meter: Meter;
  metricPrefix: string;
}

/** A scrape waits this long for fresh offsets, then answers with the last ones it has. */
const WAIT_FOR_FRESH_MS = 1000;
/** Offsets younger than this are reused (Prometheus and an OTLP reader both collect). */
const REUSE_FOR_MS = 5000;

/**
 * `<prefix>kafka_consumer_lag_messages{group,topic,partition}`: the committed lag of every
 * consumer group this process runs, read from the brokers (committed offsets against each
 * partition's end) when metrics are collected. The committed offset is the one that counts: a
 * member stuck on a batch, or a loader whose loads fail (it commits only after a load), shows
 * lag that grows, where the position of its last fetch would stand still. Reading costs one
 * offset request per group and two per topic, off every hot path.
 */
export class ConsumerLagMetric {
  private last: PartitionLag[] = [];
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    telemetry: ConsumerLagTelemetry,
    private readonly read: () => Promise<PartitionLag[]>,
  ) {
    telemetry.meter
      .createObservableGauge(`${telemetry.metricPrefix}kafka_consumer_lag_messages`, {
        description: "Messages after a consumer group's committed offset, per group, topic and partition",
      })
      .addCallback(async (result) => {
        for (const { groupId, topic, partition, lag } of await this.current()) {
          result.observe(lag, { group: groupId, topic, partition: String(partition) });
        }
      });
  }

  private async current(): Promise<PartitionLag[]> {
    if (Date.now() - this.readAt < REUSE_FOR_MS) return this.last;
    this.reading ??= this.read()
      .then(
        (lag) => {
          this.last = lag;
          this.readAt = Date.now();
        },
        // Brokers unreachable: no lag is reported rather than a stale one.
        () => {
          this.last = [];
        },
      )
      .finally(() => {
        this.reading = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.reading, new Promise((resolve) => (timer = setTimeout(resolve, WAIT_FOR_FRESH_MS)))]);
    clearTimeout(timer);
    return this.last;
  }
}
