import type { PendingEvent, PendingEvents } from './pending-events';

/** What the round needs of a prepared chunk. */
export interface RoundChunk {
  source: { id: string };
  events: PendingEvent[];
  /** Set when this source's events cannot be loaded at all: only its chunks wait. */
  error?: unknown;
}

/** Preparing and loading one chunk (ChunkLoader does both against the warehouse). */
export interface ChunkLoading<P extends RoundChunk> {
  /** Parses and lays out a chunk; undefined when its source no longer exists (its events are dropped). */
  prepare(sourceId: string, events: PendingEvent[]): Promise<P | undefined>;
  /** Loads it; false when it failed, and its events were given back to the pending events. */
  load(prepared: P): Promise<boolean>;
}

export interface LoadRoundOptions<P extends RoundChunk> {
  pending: PendingEvents;
  chunks: ChunkLoading<P>;
  /** Events per chunk at most. */
  batchSize: number;
  /** Commits what is safe, given the events still being loaded (`inFlight`). */
  commit(inFlight?: PendingEvent[][]): Promise<void>;
  /** Told what the round took from the pending events (for the stall watch). */
  taken(bySource: ReadonlyMap<string, readonly PendingEvent[]>): void;
  /** True once the loader is stopping: the round then takes no more events. */
  stopping(): boolean;
}

interface Chunk {
  sourceId: string;
  events: PendingEvent[];
}

/**
 * One load round: everything waiting, as chunks of at most batchSize events of one source, each in
 * its own transaction, with the offsets committed after each. While a chunk is in the warehouse,
 * the next one is parsed and laid out, and while full batches keep arriving the round goes on
 * taking them. A failure of the warehouse ends the round and gives everything not loaded back,
 * ahead of what arrived meanwhile; a source whose chunk failed on its own (`error`) waits with all
 * its chunks while the others go on. Resolves to whether every chunk loaded.
 */
export async function runLoadRound<P extends RoundChunk>(options: LoadRoundOptions<P>): Promise<boolean> {
  const { pending, chunks, batchSize } = options;
  const queue: Chunk[] = [];
  const take = (): void => {
    const taken = pending.takeAll();
    options.taken(taken);
    for (const [sourceId, events] of taken) {
      for (let i = 0; i < events.length; i += batchSize) {
        queue.push({ sourceId, events: events.slice(i, i + batchSize) });
      }
    }
  };
  const giveBackAll = (list: Chunk[]): void => {
    for (const chunk of list.reverse()) pending.giveBack(chunk.sourceId, chunk.events);
  };
  const prepareNext = async (): Promise<P | undefined> => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      const prepared = await chunks.prepare(chunk.sourceId, chunk.events);
      if (prepared) return prepared;
    }
    return undefined;
  };

  take();
  let failed = false;
  let next = await prepareNext();
  while (next) {
    const current = next;
    const loading = chunks.load(current);
    if (queue.length === 0 && pending.size >= batchSize && !options.stopping()) take();
    next = await prepareNext();
    if (await loading) {
      await options.commit([next?.events ?? [], ...queue.map((c) => c.events)]);
      continue;
    }
    failed = true;
    if (current.error !== undefined) {
      // Only this source is at fault: its other chunks wait with it, the rest goes on.
      const sourceId = current.source.id;
      const others = queue.filter((c) => c.sourceId !== sourceId);
      giveBackAll(queue.filter((c) => c.sourceId === sourceId));
      queue.splice(0, queue.length, ...others);
      if (next?.source.id === sourceId) {
        pending.giveBack(sourceId, next.events);
        next = await prepareNext();
      }
      continue;
    }
    // The warehouse failed: everything not loaded waits for the retry.
    giveBackAll([...(next ? [{ sourceId: next.source.id, events: next.events }] : []), ...queue]);
    break;
  }
  await options.commit();
  return !failed;
}
