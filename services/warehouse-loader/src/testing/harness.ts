// Shared pieces of the loader's tests: a unique events topic, producing events as ingestion
// does, a configuration snapshot, and waiting for conditions.
import type { ConfigSnapshot, SourceConfig, WarehouseConfig } from '@manifold/config-client';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
import { InMemoryConfigView } from '@manifold/config-client';
import { sourceConfig } from '@manifold/config-client/testing';
import type { EventProducer, KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { uniqueName } from '@manifold/testing';
import type { WarehouseLoadRecord, WarehouseStatusRecord } from '@manifold/warehouse';
import type { LoadHistory } from '../load-history';
import { LoaderSupervisor, type LoaderSupervisorOptions } from '../loader-supervisor';

// Shared with every package's tests; kept importable from here for this package's tests.
export { waitFor } from '@manifold/testing';

export function source(overrides: Partial<SourceConfig> = {}): SourceConfig {
  const slug = uniqueName('src');
  return sourceConfig({
    id: uniqueName('source'),
    slug,
    name: slug,
    writeKeys: [uniqueName('key')],
    type: 'http',
    ...overrides,
  });
}

export function warehouse(
  kind: 'postgres' | 'duckdb',
  settings: Record<string, unknown>,
  sourceIds: string[],
  overrides: Partial<WarehouseConfig> = {},
): WarehouseConfig {
  return {
    id: uniqueName(`wh-${kind}`),
    workspaceId: 'ws-1',
    name: kind,
    enabled: true,
    kind,
    settings,
    syncIntervalSeconds: 1,
    sourceIds,
    ...overrides,
  };
}

export function snapshot(sources: SourceConfig[], warehouses: WarehouseConfig[], version = 1): ConfigSnapshot {
  return { version, sources, destinations: [], warehouses };
}

export async function eventsTopic(kafka: KafkaClient, partitions = 2): Promise<string> {
  const topic = uniqueName('wh-events');
  await kafka.ensureTopics([{ topic, partitions }]);
  return topic;
}

export async function produce(
  producer: EventProducer,
  topic: string,
  from: SourceConfig,
  events: readonly SpecEvent[],
): Promise<void> {
  const messages = events.map((e) => encodeEventMessage(e, { sourceId: from.id, workspaceId: from.workspaceId }));
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send(topic, messages.slice(i, i + 500), { timeoutMs: 20000 });
  }
}

export class MemoryHistory implements LoadHistory {
  readonly records: WarehouseLoadRecord[] = [];
  readonly statuses: WarehouseStatusRecord[] = [];

  status(record: WarehouseStatusRecord): void {
    this.statuses.push(record);
  }

  async record(record: WarehouseLoadRecord): Promise<void> {
    this.records.push(record);
  }

  rowsLoaded(warehouseId: string, table: string): number {
    return this.records
      .filter((r) => r.warehouseId === warehouseId)
      .reduce((sum, r) => sum + (r.rowsByTable[table] ?? 0), 0);
  }
}

/** True once the group has committed every message of the topic. */
export async function caughtUp(kafka: KafkaClient, groupId: string, topic: string): Promise<boolean> {
  const [committed, ends] = await Promise.all([kafka.committedOffsets(groupId, topic), kafka.endOffsets(topic)]);
  for (const [partition, end] of ends) {
    if (end !== '0' && committed.get(partition) !== end) return false;
  }
  return true;
}

/** A supervisor (not started) of these warehouses' loaders reading `topic`, its history kept in memory. */
export function testSupervisor(
  kafka: KafkaClient,
  logger: Logger,
  topic: string,
  config: { sources: SourceConfig[]; warehouses: WarehouseConfig[] },
  loaderOptions: LoaderSupervisorOptions['loaderOptions'] = {},
): { history: MemoryHistory; supervisor: LoaderSupervisor } {
  const history = new MemoryHistory();
  const supervisor = new LoaderSupervisor({
    config: new InMemoryConfigView(snapshot(config.sources, config.warehouses)),
    kafka,
    history,
    logger,
    loaderOptions: { eventsTopic: topic, ...loaderOptions },
  });
  return { history, supervisor };
}
