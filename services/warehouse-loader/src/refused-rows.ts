import type { Logger } from '@manifold/logger';
import type { SourceLoadResult, WarehouseEngine } from '@manifold/warehouse';
import type { LoadOutcome } from './load-outcome';
import type { PendingEvent } from './pending-events';
import type { PreparedChunk } from './prepare-chunk';

/** Events a load did not get into the warehouse because it failed otherwise than on their rows. */
export interface Unloaded {
  events: PendingEvent[];
  error: unknown;
}

export interface IsolationSteps {
  engine: WarehouseEngine;
  /** Lays out part of the chunk again; undefined when its source no longer exists (then it is skipped). */
  prepare(events: PendingEvent[]): Promise<PreparedChunk | undefined>;
  /** A transaction committed with these rows of `part`. */
  loaded(part: PreparedChunk, result: SourceLoadResult): void;
  logger: Logger;
}

/**
 * Loads a prepared chunk into `outcome`. When the warehouse refuses the rows themselves for good
 * (engine.classifyError: a value it cannot store, a row too big — not an outage), the events are
 * split in halves and loaded separately, down to each event at fault, which is set aside with the
 * warehouse's reason: one bad event never holds up the others. Returns the events not loaded when
 * the warehouse failed otherwise (an outage), with why; what loaded before stays in `outcome`.
 */
export async function loadIsolatingRefusedRows(
  prepared: PreparedChunk,
  outcome: LoadOutcome,
  steps: IsolationSteps,
): Promise<Unloaded | undefined> {
  const { engine, logger } = steps;
  const { source, events, batch } = prepared;
  if (prepared.error !== undefined) return { events, error: prepared.error };
  if (!batch) return undefined;
  try {
    const result = await engine.load(batch);
    outcome.loaded(result, batch.events);
    steps.loaded(prepared, result);
    return undefined;
  } catch (error) {
    if (engine.classifyError(error) !== 'data') return { events, error };
    if (events.length === 1) {
      const messageId = (events[0] as PendingEvent).messageId;
      logger.warn({ sourceId: source.id, messageId, err: error }, 'the warehouse refused an event for good; set aside');
      outcome.skip(messageId, engine.describeError(error));
      return undefined;
    }
    logger.warn({ sourceId: source.id, events: events.length, err: error }, 'warehouse refused a batch; splitting it');
    const middle = Math.ceil(events.length / 2);
    const halves = [events.slice(0, middle), events.slice(middle)];
    for (const [i, half] of halves.entries()) {
      const part = await steps.prepare(half);
      const unloaded = part ? await loadIsolatingRefusedRows(part, outcome, steps) : undefined;
      if (unloaded) return { events: [...unloaded.events, ...halves.slice(i + 1).flat()], error: unloaded.error };
    }
    return undefined;
  }
}
