// End to end, Mailchimp's batch subscribe: ingestion (Tracking API, in-process) → Kafka → the
// mailchimp translator (batch size 500) → the emulator. Identifies of one audience go together
// through POST /lists/{id}, with the merge fields a new trait needs created first; a member
// Mailchimp refuses (one who unsubscribed) is dead-lettered alone while the others of its batch
// arrive; then Mailchimp answers 500 and then 429 for a while and every member arrives, each
// event accepted once.
import type { Emulator, MailchimpEmulator } from '@manifold/emulators';
import { uniqueName, waitFor } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { waitForReports } from './test-support/harness';

const run = uniqueName('mc-batch');
const INSTANCE = 'dest-mailchimp';
const LIST = 'list-1';
const email = (n: number) => `${run}-p${n}@example.com`.toLowerCase();
const identify = (n: number, traits: Record<string, unknown> = {}) => ({
  type: 'identify',
  messageId: `${run}-identify-${n}`,
  userId: `user-${n}`,
  traits: { email: email(n), firstName: `P${n}`, tier: n % 2 ? 'gold' : 'silver', ...traits },
});

describe('end to end: Mailchimp members through the batch subscribe', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async (): Promise<void> => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(['mailchimp'], { mailchimp: { batchSize: 500 } }));
  }, 60000);

  afterAll(() => close());

  const mc = () => emulators['mailchimp'] as MailchimpEmulator;
  const reportsTopic = () => pipeline.translator.translator.names.deliveryReports;
  const reports = (condition: (c: Record<string, number>) => boolean) =>
    waitForReports(pipeline.translator.kafka, reportsTopic(), condition, 45000);
  const isBatch = (r: { method: string; path: string }) => r.method === 'POST' && r.path === `/3.0/lists/${LIST}`;
  /**
   * Each member Mailchimp accepted: in a batch subscribe, or alone (a batch of one event, as a
   * retry may be, is one PUT).
   */
  const subscribed = () =>
    mc()
      .requests.filter((r) => r.status === 200 && (isBatch(r) || (r.method === 'PUT' && r.path.includes('/members/'))))
      .flatMap((r) =>
        isBatch(r)
          ? (JSON.parse(r.body) as { members: { email_address: string }[] }).members
          : [JSON.parse(r.body) as { email_address: string }],
      )
      .map((m) => m.email_address);

  it('batches identifies, creating the merge field a new trait needs; a refused member is rejected alone', async () => {
    const people = Array.from({ length: 20 }, (_v, n) => identify(n));
    expect(await pipeline.track('/v1/batch', { batch: people })).toBe(200);
    await waitFor(() => people.every((_p, n) => mc().member(LIST, email(n))), 30000, 'the 20 members');
    expect(mc().member(LIST, email(3))).toMatchObject({
      status: 'subscribed',
      merge_fields: { FNAME: 'P3', TIER: 'gold' },
    });
    expect(mc().requests.filter(isBatch).length).toBeLessThan(20);
    await reports((c) => (c[`${INSTANCE}|delivered|`] ?? 0) >= 20);

    // Someone who unsubscribed since: Mailchimp's batch refuses to subscribe them again. (One
    // userId keeps the three on one partition, so that they are read, and batched, together.)
    mc().member(LIST, email(4))!.status = 'unsubscribed';
    const again = [identify(4, { tier: 'bronze' }), identify(30), identify(31)].map((e) => ({
      ...e,
      userId: 'user-shared',
      messageId: `${e.messageId}-again`,
    }));
    expect(await pipeline.track('/v1/batch', { batch: again })).toBe(200);
    const { counts } = await reports((c) =>
      Object.entries(c).some(([k, n]) => k.startsWith(`${INSTANCE}|failed|`) && n >= 1),
    );
    await waitFor(
      () => mc().member(LIST, email(30)) !== undefined && mc().member(LIST, email(31)) !== undefined,
      30000,
      'the other two',
    );
    const failed = Object.entries(counts).filter(([k]) => k.startsWith(`${INSTANCE}|failed|`));
    expect(failed.map(([, n]) => n)).toEqual([1]);
    expect(mc().member(LIST, email(4))).toMatchObject({ status: 'unsubscribed', merge_fields: { TIER: 'silver' } });
  }, 90000);

  it('answering 500 and then 429 for a while, every member arrives and each event is accepted once', async () => {
    const before = subscribed().length;
    const people = Array.from({ length: 20 }, (_v, i) => identify(100 + i));
    mc().failFor(1500, { status: 500 });
    mc().failNext(4, { status: 429, retryAfterSeconds: 1, body: { title: 'Too Many Requests', status: 429 } });
    expect(await pipeline.track('/v1/batch', { batch: people.slice(0, 10) })).toBe(200);
    expect(await pipeline.track('/v1/batch', { batch: people.slice(10) })).toBe(200);
    // A client resending part of a batch: the same messageIds again.
    expect(await pipeline.track('/v1/batch', { batch: people.slice(0, 5) })).toBe(200);
    await waitFor(() => people.every((_p, i) => mc().member(LIST, email(100 + i))), 45000, 'the 20 members');
    const { counts } = await reports(
      (c) => (c[`${INSTANCE}|delivered|`] ?? 0) >= 42 && (c[`${INSTANCE}|filtered|DUPLICATE_MESSAGE_ID`] ?? 0) >= 5,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for any second copy to show up
    expect(subscribed().slice(before).sort()).toEqual(people.map((_p, i) => email(100 + i)).sort());
    expect(counts[`${INSTANCE}|delivered|`]).toBe(42);
    expect(counts[`${INSTANCE}|filtered|DUPLICATE_MESSAGE_ID`]).toBe(5);
    const requests = mc().requests;
    expect(requests.some((r) => r.status === 500)).toBe(true);
    expect(requests.filter((r) => r.status === 429 && r.injected).length).toBe(4);
    expect(Object.keys(counts).filter((k) => k.startsWith(`${INSTANCE}|retried|`)).length).toBeGreaterThan(0);
  }, 120000);
});
