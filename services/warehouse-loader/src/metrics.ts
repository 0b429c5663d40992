import type { Meter } from '@manifold/telemetry';
import type { LoaderSupervisor } from './loader-supervisor';
import { VALUE_NOTICE_KINDS } from './value-notices';
import type { WarehouseLoaderStats } from './warehouse-loader';

type NumericStat = Exclude<keyof WarehouseLoaderStats, 'timings' | 'valueNotices'>;

/**
 * The loader's instruments, `manifold_warehouse_loader_...`, read from each warehouse loader's
 * counters when metrics are collected, per warehouse_id (the Prometheus exporter adds `_total`
 * to counters).
 */
export function registerLoaderMetrics(meter: Meter, supervisor: Pick<LoaderSupervisor, 'running' | 'loader'>): void {
  const observe =
    (stat: NumericStat) => (result: { observe(value: number, attributes: Record<string, string>): void }) => {
      for (const id of supervisor.running) {
        const stats = supervisor.loader(id)?.stats;
        if (stats) result.observe(stats[stat], { warehouse_id: id });
      }
    };
  const counters: Array<[string, NumericStat, string]> = [
    [
      'manifold_warehouse_loader_rows_loaded',
      'rowsLoaded',
      'Rows written to the warehouse (new event rows and upserted users)',
    ],
    ['manifold_warehouse_loader_loads', 'loads', 'Source loads that committed'],
    ['manifold_warehouse_loader_load_failures', 'failedLoads', 'Source loads that failed and will be retried'],
    ['manifold_warehouse_loader_events_skipped', 'skippedEvents', 'Events the warehouse refused, isolated and skipped'],
    [
      'manifold_warehouse_loader_messages_undecodable',
      'undecodableMessages',
      'Messages on the events topic that were not events',
    ],
  ];
  for (const [name, stat, description] of counters) {
    meter.createObservableCounter(name, { description }).addCallback(observe(stat));
  }
  const values: Array<[string, keyof WarehouseLoaderStats['valueNotices'], string]> = [
    [
      'manifold_warehouse_loader_values_dropped',
      'dropped',
      'Values left out of their events, by notice kind (reserved or unusable name, no column left, type that does not cast, refused by the warehouse)',
    ],
    [
      'manifold_warehouse_loader_values_converted',
      'converted',
      'Values stored otherwise than sent, by notice kind (cast to the column type, moved to _overflow)',
    ],
  ];
  for (const [name, outcome, description] of values) {
    meter.createObservableCounter(name, { description }).addCallback((result) => {
      for (const id of supervisor.running) {
        const counts = supervisor.loader(id)?.stats.valueNotices[outcome];
        if (!counts) continue;
        for (const kind of VALUE_NOTICE_KINDS[outcome]) result.observe(counts[kind] ?? 0, { warehouse_id: id, kind });
      }
    });
  }
  meter
    .createObservableGauge('manifold_warehouse_loader_pending_events', {
      description: 'Events read and waiting for a load',
    })
    .addCallback(observe('pendingEvents'));
  meter
    .createObservableGauge('manifold_warehouse_loader_consecutive_failures', {
      description: 'Failed load rounds in a row (0 when the last one succeeded)',
    })
    .addCallback(observe('consecutiveFailures'));
  meter
    .createObservableGauge('manifold_warehouse_loader_seconds_since_last_load', {
      description:
        'How long the events waiting longest have gone without a load of their source committing (0 when none wait)',
    })
    .addCallback(observe('secondsSinceLastLoad'));
  meter
    .createObservableGauge('manifold_warehouse_loader_stalled', {
      description: '1 while events have waited more than STALL_AFTER_INTERVALS sync intervals without a load, else 0',
    })
    .addCallback(observe('stalled'));
}
