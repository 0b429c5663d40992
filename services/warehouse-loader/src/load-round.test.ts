// The load round's own logic, with the warehouse replaced by a chunk loader that succeeds or fails
// on request: chunking, pipelining, giving back and commit points. The real chunk loader is
// exercised against real warehouses in warehouse-loader.test.ts and refused-rows.test.ts.
import { PendingEvents, type PendingEvent } from './pending-events';
import { runLoadRound, type ChunkLoading, type RoundChunk } from './load-round';

let nextOffset = 0;
beforeEach(() => {
  nextOffset = 0;
});

function arrive(pending: PendingEvents, sourceId: string, count: number): PendingEvent[] {
  const events = Array.from({ length: count }, () => {
    const offset = BigInt(nextOffset++);
    const event: PendingEvent = { body: Buffer.from('{}'), messageId: `m-${offset}`, partition: 0, offset, readAt: 0 };
    pending.seen(0, offset);
    pending.add(sourceId, event);
    return event;
  });
  return events;
}

const ids = (events: readonly PendingEvent[]) => events.map((e) => e.messageId);

/** A chunk loader whose outcomes the test decides; it gives failed chunks back as ChunkLoader does. */
class ScriptedChunks implements ChunkLoading<RoundChunk> {
  readonly loaded: string[][] = [];
  readonly log: string[] = [];
  constructor(
    private readonly pending: PendingEvents,
    private readonly outcome: (chunk: RoundChunk) => 'ok' | 'warehouse-down' | 'source-broken' = () => 'ok',
    private readonly whileLoading: () => void = () => undefined,
  ) {}

  async prepare(sourceId: string, events: PendingEvent[]): Promise<RoundChunk | undefined> {
    this.log.push(`prepare ${sourceId} ${events.length}`);
    const chunk: RoundChunk = { source: { id: sourceId }, events };
    if (this.outcome(chunk) === 'source-broken') chunk.error = new Error('no schema name');
    return chunk;
  }

  async load(chunk: RoundChunk): Promise<boolean> {
    this.log.push(`load ${chunk.source.id} ${chunk.events.length}`);
    this.whileLoading();
    await new Promise((resolve) => setImmediate(resolve));
    if (this.outcome(chunk) !== 'ok') {
      this.pending.giveBack(chunk.source.id, chunk.events);
      return false;
    }
    this.loaded.push(ids(chunk.events));
    return true;
  }
}

function round(pending: PendingEvents, chunks: ChunkLoading<RoundChunk>, batchSize: number) {
  const commits: string[] = [];
  const takenSources: string[][] = [];
  const done = runLoadRound({
    pending,
    chunks,
    batchSize,
    commit: async (inFlight = []) => {
      const points = pending.commitPoints(inFlight);
      pending.markCommitted(points);
      commits.push(points.map((p) => p.offset).join(',') || '-');
    },
    taken: (bySource) => takenSources.push([...bySource.keys()]),
    stopping: () => false,
  });
  return { done, commits, takenSources };
}

describe('runLoadRound', () => {
  it('loads every source in chunks of batchSize, preparing the next while one loads, committing after each', async () => {
    const pending = new PendingEvents('t');
    const a = arrive(pending, 'a', 5);
    const b = arrive(pending, 'b', 2);
    const chunks = new ScriptedChunks(pending);
    const { done, commits, takenSources } = round(pending, chunks, 2);
    expect(await done).toBe(true);
    expect(chunks.loaded).toEqual([ids(a.slice(0, 2)), ids(a.slice(2, 4)), ids(a.slice(4)), ids(b)]);
    // The next chunk is laid out before the current one's load is awaited.
    expect(chunks.log.slice(0, 3)).toEqual(['prepare a 2', 'load a 2', 'prepare a 2']);
    // Never past an event still being loaded or waiting: a's third chunk holds offset 4.
    expect(commits).toEqual(['2', '4', '5', '7', '-']);
    expect(takenSources).toEqual([['a', 'b']]);
    expect(pending.size).toBe(0);
  });

  it('keeps a source that cannot be loaded waiting with all its chunks while the others load', async () => {
    const pending = new PendingEvents('t');
    const broken = arrive(pending, 'broken', 3);
    const good = arrive(pending, 'good', 2);
    const chunks = new ScriptedChunks(pending, (c) => (c.source.id === 'broken' ? 'source-broken' : 'ok'));
    const { done, commits } = round(pending, chunks, 2);
    expect(await done).toBe(false);
    expect(chunks.loaded).toEqual([ids(good)]);
    expect(pending.size).toBe(3);
    const [waiting] = pending.takeAll().values();
    expect(ids(waiting ?? []).sort()).toEqual(ids(broken).sort());
    // Nothing is committed past the broken source's first event (offset 0).
    expect(commits).toEqual(['0', '-']);
  });

  it('ends the round when the warehouse fails, giving everything back in order ahead of newer events', async () => {
    const pending = new PendingEvents('t');
    const first = arrive(pending, 'a', 4);
    const other = arrive(pending, 'b', 1);
    let loads = 0;
    let newer: PendingEvent[] = [];
    const chunks = new ScriptedChunks(
      pending,
      () => (loads > 1 ? 'warehouse-down' : 'ok'),
      () => {
        loads++;
        if (loads === 2) newer = arrive(pending, 'a', 1);
      },
    );
    const { done, commits } = round(pending, chunks, 2);
    expect(await done).toBe(false);
    expect(chunks.loaded).toEqual([ids(first.slice(0, 2))]);
    const waiting = pending.takeAll();
    expect(ids(waiting.get('a') ?? [])).toEqual(ids([...first.slice(2), ...newer]));
    expect(ids(waiting.get('b') ?? [])).toEqual(ids(other));
    expect(commits.at(-1)).toBe('-');
    expect(commits[0]).toBe('2');
  });

  it('goes on taking full batches that arrive while it loads', async () => {
    const pending = new PendingEvents('t');
    arrive(pending, 'a', 2);
    let arrivals = 0;
    const chunks = new ScriptedChunks(pending, undefined, () => {
      if (arrivals++ < 2) arrive(pending, 'a', 2);
    });
    const { done, takenSources } = round(pending, chunks, 2);
    expect(await done).toBe(true);
    expect(chunks.loaded).toHaveLength(3);
    expect(takenSources).toHaveLength(3);
    expect(pending.size).toBe(0);
  });
});
