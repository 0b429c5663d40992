// BatchGuard with the real claims and read-progress collections (FerretDB locally): what a read of
// a batch does after an earlier read of it, and what copies of one retry do.
import type { DestinationConfig } from '@manifold/config-client';
import { testLogger, uniqueName } from '@manifold/testing';
import { connectTestDatabase, type TestDatabase } from '../test-support/test-database';
import { MessageClaims } from '../dedup/claims';
import { ProgressLedger } from '../dedup/progress-ledger';
import { StoreWaiter } from '../dedup/store-waiter';
import { trackEvent } from '../test-support/harness';
import { BatchGuard, type AdmittedChunk } from './batch-guard';
import type { DeliveryTask, TaskResult } from './task';

const instance = { id: 'dst_hook' } as DestinationConfig;

/** A task for the 'dst_hook' instance read at `offset` of `topic` (partition 0). */
function task(topic: string, offset: number, messageId: string, from?: string): DeliveryTask {
  const readAt = `${topic}/0/${offset}`;
  return {
    event: { ...trackEvent(offset), messageId },
    instance,
    offset: String(offset),
    readAt,
    origin: from ? `events/0/${offset}` : readAt,
    ...(from ? { from } : {}),
  } as DeliveryTask;
}

const sorted = (chunk: AdmittedChunk): Record<string, string[]> =>
  Object.fromEntries(Object.entries(chunk).map(([kind, tasks]) => [kind, tasks.map((t: DeliveryTask) => t.offset)]));

describe('BatchGuard', () => {
  let mongo: TestDatabase;
  const logger = testLogger('batch-guard');
  let claims: MessageClaims;
  let progress: ProgressLedger;

  beforeAll(async () => {
    mongo = await connectTestDatabase('guard');
    const waiter = new StoreWaiter({ logger });
    claims = new MessageClaims(mongo.db, { windowMs: 60_000, sweepIntervalMs: 60_000, waiter, logger });
    progress = new ProgressLedger(mongo.db, { windowMs: 60_000, sweepIntervalMs: 60_000, waiter, logger });
    await claims.start();
    await progress.start();
  });

  afterAll(async () => {
    await progress?.stop();
    await claims?.stop();
    await mongo?.drop();
  });

  const guard = (stream: string, assignment: number, source: 'events' | 'retries', from: number, to: number) =>
    new BatchGuard(
      progress.batch(stream, assignment, String(from), () => true),
      claims,
      {
        source,
        reclaim: false,
        from: String(from),
        to: String(to),
        keepGoing: () => true,
      },
    );

  it('read again, skips what the first read finished and hands over what it claimed without finishing', async () => {
    const stream = uniqueName('events');
    const tasks = [0, 1, 2].map((n) => task('events', n, `${stream}-m${n}`));
    const first = guard(stream, 1, 'events', 0, 2);
    expect(sorted(await first.admit(tasks))).toMatchObject({ deliver: ['0', '1', '2'] });
    // 0 delivered, 1 to be retried; the batch fails before its retry is on record (a broker gone).
    const results: TaskResult[] = [
      { task: tasks[0]!, outcome: { kind: 'delivered', status: 200 } },
      { task: tasks[1]!, outcome: { kind: 'retry', reason: 'http_503' } },
    ];
    await first.chunkDone(results, []);
    first.end();

    // Read again after the consumer rejoined (2 was claimed, never attempted: a crash, say), with
    // an offset the first read's record covers ahead but that it never reached.
    const again = guard(stream, 2, 'events', 0, 3);
    expect(sorted(await again.admit([...tasks, task('events', 3, `${stream}-m3`)]))).toEqual({
      deliver: ['3'],
      handOver: ['1', '2'],
      duplicates: [],
      superseded: [],
      repeated: ['0'],
    });
    again.end();
  });

  it('refuses another event with the same messageId, without its batch having been read before', async () => {
    const stream = uniqueName('events');
    const one = guard(stream, 1, 'events', 10, 11);
    const tasks = [task('events', 10, `${stream}-same`), task('events', 11, `${stream}-same`)];
    expect(sorted(await one.admit(tasks))).toMatchObject({ deliver: ['10'], duplicates: ['11'] });
    one.end();
  });

  it('lets one copy of a hand-over go on, and that copy again when its batch is read again', async () => {
    const stream = uniqueName('retries');
    const from = 'events/3/77';
    // The same event handed over twice from one read (its batch read again after the first
    // retry was stored although its publish failed): two retries with the same `from`.
    const copies = [task('retry.200ms', 5, `${stream}-m`, from), task('retry.200ms', 9, `${stream}-m`, from)];
    const first = guard(stream, 1, 'retries', 5, 9);
    expect(sorted(await first.admit(copies))).toMatchObject({ deliver: ['5'], superseded: ['9'] });
    first.end();
    // The batch fails before anything is recorded, and is read again: the copy that went on
    // still holds the continuation, but may have been attempted, so it goes to a retry tier.
    const again = guard(stream, 2, 'retries', 5, 9);
    expect(sorted(await again.admit(copies))).toMatchObject({ deliver: [], handOver: ['5'], superseded: ['9'] });
    again.end();
  });
});
