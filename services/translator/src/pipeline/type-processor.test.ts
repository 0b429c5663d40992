// The TypeProcessor's claim-and-deliver pipeline on its own: a large batch is prepared and
// claimed in chunks, each chunk's delivery starting once its claim returns; a claim that fails
// fails the batch only after the deliveries already started are done. The claims store and the
// HTTP side are fakes here (the real ones are covered by claims.test.ts and the end-to-end tests).
import { InMemoryConfigView } from '@manifold/config-client';
import { destinationById } from '@manifold/destinations';
import { encodeEventMessage } from '@manifold/events';
import type { ConsumedMessage, OutgoingMessage } from '@manifold/kafka';
import { testLogger } from '@manifold/testing';
import type { ClaimAnswer, ClaimRequest, MessageClaims } from '../dedup/claims';
import type { ProgressLedger } from '../dedup/progress-ledger';
import { destination, snapshot, SOURCE_ID, trackEvent, WORKSPACE_ID } from '../test-support/harness';
import type { BatchOutcomes, OutcomeRouter } from './batch-outcomes';
import type { Deliverer, DeliveryHooks } from './deliverer';
import { encodeRetryMessage } from '../retry/retry-message';
import { DisabledInstances } from './disabled-instances';
import type { BatchSource, DeliveryTask, TaskResult } from './task';
import { TypeProcessor } from './type-processor';

/** Due retries of `count` events for the 'hook' instance, as the retry tiers deliver them. */
function retries(count: number): ConsumedMessage[] {
  return Array.from({ length: count }, (_, n) => {
    const encoded = encodeRetryMessage({
      event: trackEvent(n),
      metadata: { sourceId: SOURCE_ID, workspaceId: WORKSPACE_ID },
      destinationId: 'hook',
      attempts: 1,
      firstAttemptAt: 0,
      dueAt: 0,
      notBefore: 0,
      origin: `events/0/${n}`,
      from: `events/0/${n}`,
      reason: 'http_500',
    });
    return consumed('retries', n, encoded);
  });
}

function messages(count: number): ConsumedMessage[] {
  return Array.from({ length: count }, (_, n) =>
    consumed('events', n, encodeEventMessage(trackEvent(n), { sourceId: SOURCE_ID, workspaceId: WORKSPACE_ID })),
  );
}

/** A message as the consumer hands it over, read from `topic` at offset `n` of partition 0. */
function consumed(topic: string, n: number, encoded: OutgoingMessage): ConsumedMessage {
  return {
    topic,
    partition: 0,
    offset: String(n),
    key: Buffer.from(encoded.key ?? ''),
    value: Buffer.from(encoded.value),
    headers: encoded.headers ?? {},
    timestamp: 0,
  };
}

const source: BatchSource = { stream: 'group|events|0', assignment: 1, keepGoing: () => true };

/** A partition nobody read before: no progress to find, and what is recorded is dropped. */
const progress = {
  batch: () => ({
    load: async () => undefined,
    take: async () => undefined,
    takenBefore: () => false,
    finishedBefore: () => false,
    finish: async () => undefined,
    end: () => undefined,
  }),
};

/** Records the order of claims and deliveries; the claim numbered `failAt` throws. */
function fakes(failAt?: number, reclaimRetries = false) {
  const log: string[] = [];
  let claims = 0;
  const delivered: string[] = [];
  const claimStore = {
    async claim(requests: readonly ClaimRequest[]): Promise<ClaimAnswer[]> {
      const n = ++claims;
      const continuations = requests.filter((r) => r.after !== undefined).length;
      log.push(`claim ${n} (${requests.length}${continuations ? `, ${continuations} continuations` : ''})`);
      await new Promise((r) => setTimeout(r, 5));
      if (n === failAt) throw new Error('claims store unavailable');
      return requests.map((): ClaimAnswer => 'new');
    },
  };
  const deliverer = {
    async deliver(tasks: readonly DeliveryTask[], hooks: DeliveryHooks = {}): Promise<TaskResult[]> {
      log.push(`deliver ${tasks.length}`);
      await new Promise((r) => setTimeout(r, 20));
      for (const task of tasks) delivered.push(task.event.messageId);
      const results = tasks.map((task) => ({ task, outcome: { kind: 'delivered' as const } }));
      hooks.onInstanceDone?.(results as unknown as TaskResult[]);
      log.push(`delivered ${tasks.length}`);
      return results as unknown as TaskResult[];
    },
  };
  let committed = 0;
  const outcomes = {
    filtered: () => undefined,
    deadLetter: () => undefined,
    stopped: () => undefined,
    results: () => undefined,
    publishPending: () => undefined,
    commit: async () => {
      committed++;
    },
  };
  const router = { begin: () => outcomes as unknown as BatchOutcomes };
  const configView = new InMemoryConfigView(
    snapshot([
      destination({
        id: 'hook',
        catalogId: 'webhook',
        catalogName: 'Webhook',
        settings: { url: 'http://127.0.0.1:9/hook' },
      }),
    ]),
  );
  // Logs when the preparation of each chunk of 250 events begins (one lookup per event).
  const lookup = configView.destinationsForSource.bind(configView);
  let lookups = 0;
  configView.destinationsForSource = (...args) => {
    if (lookups++ % 250 === 0) log.push(`prepare ${Math.ceil(lookups / 250)}`);
    return lookup(...args);
  };
  const webhook = destinationById('webhook');
  if (!webhook) throw new Error('no webhook destination');
  const processor = new TypeProcessor({
    destinationType: 'webhook',
    destination: webhook,
    configView,
    disabled: new DisabledInstances(configView),
    claims: claimStore as unknown as MessageClaims,
    progress: progress as unknown as ProgressLedger,
    deliverer: deliverer as unknown as Deliverer,
    outcomes: router as unknown as OutcomeRouter,
    tiers: [],
    reclaimRetries,
    logger: testLogger('type-processor'),
  });
  return { processor, log, delivered, committed: () => committed };
}

describe('TypeProcessor claims and deliveries', () => {
  it('claims a large batch in chunks, delivering each chunk while the next is claimed', async () => {
    const { processor, log, delivered, committed } = fakes();
    await processor.processEvents(messages(600), source);
    expect(log.filter((l) => l.startsWith('claim'))).toEqual(['claim 1 (250)', 'claim 2 (250)', 'claim 3 (100)']);
    // The first chunk is on its way before the last claim is made.
    expect(log.indexOf('deliver 250')).toBeLessThan(log.indexOf('claim 3 (100)'));
    expect(new Set(delivered).size).toBe(600);
    expect(committed()).toBe(1);
  });

  it('prepares each chunk just before its claim, after the chunk before it went out', async () => {
    const { processor, log } = fakes();
    await processor.processEvents(messages(600), source);
    const steps = log.filter((l) => !l.startsWith('delivered'));
    expect(steps).toEqual([
      'prepare 1',
      'claim 1 (250)',
      'deliver 250',
      'prepare 2',
      'claim 2 (250)',
      'deliver 250',
      'prepare 3',
      'claim 3 (100)',
      'deliver 100',
    ]);
  });

  it('fails the batch when a claim ends in an error (a stop while the store is away), after the chunks already started are delivered, committing nothing', async () => {
    const { processor, log, delivered, committed } = fakes(2);
    await expect(processor.processEvents(messages(600), source)).rejects.toThrow('claims store unavailable');
    expect(log).toContain('delivered 250');
    expect(log.filter((l) => l.startsWith('claim'))).toHaveLength(2);
    expect(delivered).toHaveLength(250);
    expect(committed()).toBe(0);
  });

  it('delivers due retries claiming only their continuation while the first claim still stands', async () => {
    const { processor, log, delivered, committed } = fakes();
    await processor.processRetries(retries(300), source);
    expect(log.filter((l) => l.startsWith('claim'))).toEqual([
      'claim 1 (250, 250 continuations)',
      'claim 2 (50, 50 continuations)',
    ]);
    expect(new Set(delivered).size).toBe(300);
    expect(committed()).toBe(1);
  });

  it('claims retries again when the dedup window may end before the retries do', async () => {
    const { processor, log, delivered } = fakes(undefined, true);
    await processor.processRetries(retries(300), source);
    expect(log.filter((l) => l.startsWith('claim'))).toEqual([
      'claim 1 (500, 250 continuations)',
      'claim 2 (100, 50 continuations)',
    ]);
    expect(new Set(delivered).size).toBe(300);
  });
});
