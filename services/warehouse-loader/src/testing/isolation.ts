// What the tests of isolating refused rows and values share: a chunk laid out straight from
// events (no Kafka), isolation steps that record each committed transaction, a record base.
import type { SourceConfig } from '@manifold/config-client';
import type { SpecEvent } from '@manifold/events';
import type { Logger } from '@manifold/logger';
import { schemaNameForSource, type SourceLoadResult, type WarehouseEngine } from '@manifold/warehouse';
import type { LoadRecordBase } from '../load-outcome';
import type { PendingEvent } from '../pending-events';
import { prepareChunk, type PreparedChunk } from '../prepare-chunk';
import type { IsolationSteps } from '../refused-rows';

export function pendingOf(events: SpecEvent[]): PendingEvent[] {
  return events.map((event, i) => ({
    body: Buffer.from(JSON.stringify(event)),
    messageId: event.messageId,
    partition: 0,
    offset: BigInt(i),
    readAt: Date.now(),
  }));
}

export function prepare(web: SourceConfig, events: PendingEvent[]): Promise<PreparedChunk> {
  return prepareChunk(web, events, {
    attempt: 1,
    maxStringLength: 512,
    onUndecodable: () => {
      throw new Error('every event here is one');
    },
  });
}

/**
 * The isolation's steps, recording each transaction that committed. `afterFirstLoad` runs before
 * the next part is laid out once a first transaction committed.
 */
export function stepsFor(
  engine: WarehouseEngine,
  web: SourceConfig,
  logger: Logger,
  afterFirstLoad?: () => Promise<void>,
): { steps: IsolationSteps; transactions: Array<{ events: string[]; result: SourceLoadResult }> } {
  const transactions: Array<{ events: string[]; result: SourceLoadResult }> = [];
  const steps: IsolationSteps = {
    engine,
    logger,
    prepare: async (events) => {
      if (transactions.length === 1 && afterFirstLoad) {
        await afterFirstLoad();
        afterFirstLoad = undefined;
      }
      return prepare(web, events);
    },
    loaded: (part, result) => {
      transactions.push({ events: part.events.map((e) => e.messageId), result });
    },
  };
  return { steps, transactions };
}

export function recordBase(web: SourceConfig): LoadRecordBase {
  return {
    loadId: 'load-1',
    warehouseId: 'wh-1',
    workspaceId: web.workspaceId,
    sourceId: web.id,
    schema: schemaNameForSource(web.slug),
    startedAt: new Date().toISOString(),
    attempt: 1,
  };
}
