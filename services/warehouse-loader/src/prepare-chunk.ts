import type { SourceConfig } from '@manifold/config-client';
import { parseEventBody } from '@manifold/events';
import { SourceBatchBuilder, schemaNameForSource, type SourceBatch } from '@manifold/warehouse';
import type { PendingEvent } from './pending-events';

/** Events parsed and laid out per slice before yielding, so a COPY in progress keeps flowing. */
const LAYOUT_SLICE = 250;

/** A chunk of one source's waiting events, parsed and laid out as table rows, ready to load. */
export interface PreparedChunk {
  source: SourceConfig;
  events: PendingEvent[];
  /** 1 for a first load, n for the n-th try after failures. */
  attempt: number;
  startedAt: Date;
  /** '' when the source's slug gives no schema name (then `error` says why). */
  schema: string;
  /** Undefined when no event parsed. */
  batch?: SourceBatch;
  layoutMs: number;
  /** Why this source's events cannot be loaded at all (its schema cannot be named). */
  error?: unknown;
}

export interface PrepareOptions {
  attempt: number;
  maxStringLength: number;
  /** Told about each waiting event whose body is not a Spec event; it is left out. */
  onUndecodable(pending: PendingEvent, error: unknown): void;
}

/**
 * Parses a chunk's events (kept as the JSON Kafka delivered until now) and lays them out, in
 * slices between which it yields to the event loop: a load of the previous chunk streams its COPY
 * meanwhile.
 */
export async function prepareChunk(
  source: SourceConfig,
  events: PendingEvent[],
  options: PrepareOptions,
): Promise<PreparedChunk> {
  const prepared: PreparedChunk = {
    source,
    events,
    attempt: options.attempt,
    startedAt: new Date(),
    schema: '',
    layoutMs: 0,
  };
  try {
    prepared.schema = schemaNameForSource(source.slug);
  } catch (error) {
    prepared.error = error;
    return prepared;
  }
  const builder = new SourceBatchBuilder({
    schema: prepared.schema,
    uuidTs: prepared.startedAt.toISOString(),
    maxStringLength: options.maxStringLength,
  });
  let laidOut = 0;
  for (let i = 0; i < events.length; i += LAYOUT_SLICE) {
    const sliceStart = performance.now();
    for (const pending of events.slice(i, i + LAYOUT_SLICE)) {
      let event;
      try {
        event = parseEventBody(pending.body);
      } catch (error) {
        options.onUndecodable(pending, error);
        continue;
      }
      builder.add(event, pending.body);
      laidOut++;
    }
    prepared.layoutMs += performance.now() - sliceStart;
    if (i + LAYOUT_SLICE < events.length) await new Promise((resolve) => setImmediate(resolve));
  }
  if (laidOut > 0) prepared.batch = builder.finish();
  return prepared;
}
