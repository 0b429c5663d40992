import type { Logger } from '@manifold/logger';
import { batchWithoutCells, type SourceLoadResult, type WarehouseEngine } from '@manifold/warehouse';
import type { LoadOutcome } from './load-outcome';
import type { PendingEvent } from './pending-events';
import type { PreparedChunk } from './prepare-chunk';
import { findRefusedValues } from './refused-values';

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
 * split in halves and loaded separately, down to each event at fault: one bad event never holds up
 * the others. That event is loaded without the values the warehouse refuses, each recorded as a
 * `value_refused` notice (see loadWithoutRefusedValues); only an event no value's removal makes
 * loadable is set aside whole, with the warehouse's reason. Returns the events not loaded when
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
    if (events.length === 1) return loadWithoutRefusedValues(events[0] as PendingEvent, error, outcome, steps);
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

/**
 * One event the warehouse refused for good (`error`): laid out again, the values at fault found
 * with trial loads (findRefusedValues), then loaded without them in a transaction of its own, a
 * `value_refused` notice per value. Set aside whole, with the reason, when no value's removal makes
 * the warehouse take it (the fault is in its id, in the users key, or not in a value at all).
 */
async function loadWithoutRefusedValues(
  event: PendingEvent,
  error: unknown,
  outcome: LoadOutcome,
  steps: IsolationSteps,
): Promise<Unloaded | undefined> {
  const { engine, logger } = steps;
  const { messageId } = event;
  const part = await steps.prepare([event]);
  if (!part) return undefined;
  if (part.error !== undefined) return { events: [event], error: part.error };
  if (!part.batch) return undefined;
  const sourceId = part.source.id;
  const setAside = (refusal: unknown): undefined => {
    logger.warn({ sourceId, messageId, err: refusal }, 'the warehouse refused an event for good; set aside');
    outcome.skip(messageId, engine.describeError(refusal));
    return undefined;
  };
  const search = await findRefusedValues(engine, part.batch, error);
  if ('unavailable' in search) return { events: [event], error: search.unavailable };
  if ('refused' in search) return setAside(search.refused);
  let result: SourceLoadResult;
  try {
    result = await engine.load(batchWithoutCells(part.batch, search.found));
  } catch (failure) {
    if (engine.classifyError(failure) !== 'data') return { events: [event], error: failure };
    // The warehouse changed between the trials and this load (a column altered meanwhile).
    return setAside(failure);
  }
  const columns = search.found.map((value) => `${value.table}.${value.column}`);
  logger.warn(
    { sourceId, messageId, columns },
    'the warehouse refused values of an event for good; loaded without them',
  );
  outcome.loaded(result, part.batch.events);
  for (const { table, column, reason } of search.found) outcome.refusedValue(table, column, messageId, reason);
  steps.loaded(part, result);
  return undefined;
}
