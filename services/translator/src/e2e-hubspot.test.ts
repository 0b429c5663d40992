// End to end, HubSpot's batches: ingestion (Tracking API, in-process) → Kafka → the hubspot
// translator → the emulator. Identifies become contact batch upserts; group calls become company
// batch upserts, each company then associated with the contact the call names (batch reads of the
// companies and contacts, then one association batch). A group whose contact does not exist is
// delivered with a notice. Then HubSpot answers 500 and then 429 for a while: every contact,
// company and association is there once, and every event is counted delivered once. Last, tracks:
// their occurrences go in events batches; HubSpot refusing a batch for an occurrence of an event
// it has no definition for, the batch is halved until that occurrence is found, which alone is
// dead-lettered with HubSpot's message while the others are recorded once each.
import type { Emulator, HubspotEmulator } from '@manifold/emulators';
import { readTopicUntil, uniqueName, waitFor } from '@manifold/testing';
import type { Pipeline } from './test-support/e2e';
import { startEmulatedPipeline } from './test-support/emulated-pipeline';
import { waitForReports } from './test-support/harness';

const run = uniqueName('hubspot');
const INSTANCE = 'dest-hubspot';
const email = (n: number) => `${run}-p${n}@example.com`;
const identify = (n: number) => ({
  type: 'identify',
  messageId: `${run}-identify-${n}`,
  userId: `user-${n}`,
  traits: { email: email(n), firstName: `P${n}`, plan: n % 2 ? 'pro' : 'free' },
});
const group = (n: number, contact: string) => ({
  type: 'group',
  messageId: `${run}-group-${n}`,
  userId: `user-${n}`,
  groupId: `${run}-co-${n}`,
  traits: { name: `Company ${n}`, employees: 10 + n },
  context: { traits: { email: contact } },
});

describe('end to end: HubSpot contacts and companies in batches, companies associated with their contacts', () => {
  let emulators: Record<string, Emulator> = {};
  let pipeline: Pipeline;
  let close = async (): Promise<void> => {};

  beforeAll(async () => {
    ({ pipeline, emulators, close } = await startEmulatedPipeline(['hubspot']));
  }, 60000);

  afterAll(() => close());

  const hs = () => emulators['hubspot'] as HubspotEmulator;
  const reportsTopic = () => pipeline.translator.translator.names.deliveryReports;
  const companyId = (n: number) => hs().companies.get(`segment_group_id:${run}-co-${n}`)?.id;
  const contactId = (n: number) => hs().contacts.get(email(n).toLowerCase())?.id;
  const associated = (n: number) => hs().associations.has(`${companyId(n)}->${contactId(n)}`);

  it('upserts contacts and companies in batches and associates each company with its contact', async () => {
    const people = Array.from({ length: 20 }, (_v, n) => identify(n));
    expect(await pipeline.track('/v1/batch', { batch: people })).toBe(200);
    await waitFor(() => people.every((_p, n) => contactId(n) !== undefined), 30000, 'the 20 contacts');
    const groups = [...people.map((_p, n) => group(n, email(n))), group(20, `${run}-nobody@example.com`)];
    expect(await pipeline.track('/v1/batch', { batch: groups })).toBe(200);
    await waitFor(() => people.every((_p, n) => associated(n)), 30000, 'the 20 associations');

    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => (c[`${INSTANCE}|delivered|`] ?? 0) >= 41,
      30000,
    );
    expect(counts[`${INSTANCE}|delivered|`]).toBe(41);
    expect(Object.keys(counts).filter((k) => k.includes('|failed|'))).toEqual([]);
    // The company whose contact HubSpot does not have: upserted, not associated, said so.
    expect(companyId(20)).toBeDefined();
    expect(
      counts[
        `${INSTANCE}|field_dropped|contact: the company is not associated with the contact: no HubSpot contact has the email ${run}-nobody@example.com (identify creates contacts)`
      ],
    ).toBe(1);
    expect(hs().companies.get(`segment_group_id:${run}-co-3`)?.properties).toMatchObject({
      name: 'Company 3',
      numberofemployees: '13',
    });
    // Batched: fewer upsert requests than events (each at most 100 inputs, which the emulator checks).
    const upserts = hs().requests.filter((r) => r.path.endsWith('/batch/upsert'));
    expect(upserts.length).toBeLessThan(41);
    expect(hs().requests.filter((r) => r.path.includes('/associations/')).length).toBeLessThan(20);
  }, 90000);

  it('answering 500 and then 429 for a while, every contact, company and association arrives, each event once', async () => {
    const before = hs().requests.length;
    const people = Array.from({ length: 15 }, (_v, i) => identify(100 + i));
    const groups = people.map((_p, i) => group(100 + i, email(100 + i)));
    hs().failFor(1500, { status: 500 });
    hs().failNext(4, {
      status: 429,
      retryAfterSeconds: 1,
      body: {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        policyName: 'TEN_SECONDLY_ROLLING',
      },
    });
    expect(await pipeline.track('/v1/batch', { batch: people })).toBe(200);
    await waitFor(() => people.every((_p, i) => contactId(100 + i) !== undefined), 45000, 'the 15 contacts');
    expect(await pipeline.track('/v1/batch', { batch: groups })).toBe(200);
    // A client resending part of a batch: the same messageIds again.
    expect(await pipeline.track('/v1/batch', { batch: groups.slice(0, 5) })).toBe(200);
    await waitFor(() => people.every((_p, i) => associated(100 + i)), 45000, 'the 15 associations');

    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => (c[`${INSTANCE}|delivered|`] ?? 0) >= 71 && (c[`${INSTANCE}|filtered|DUPLICATE_MESSAGE_ID`] ?? 0) >= 5,
      45000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for any second copy to show up
    const again = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => (c[`${INSTANCE}|delivered|`] ?? 0) >= 71,
      10000,
    );
    expect(again.counts[`${INSTANCE}|delivered|`]).toBe(71);
    expect(again.counts[`${INSTANCE}|filtered|DUPLICATE_MESSAGE_ID`]).toBe(5);
    expect(Object.keys(counts).filter((k) => k.includes('|failed|'))).toEqual([]);
    const requests = hs().requests.slice(before);
    expect(requests.some((r) => r.status === 500)).toBe(true);
    expect(requests.filter((r) => r.status === 429 && r.injected).length).toBe(4);
    expect(
      (counts[`${INSTANCE}|retried|http_429`] ?? 0) + (counts[`${INSTANCE}|retried|http_500`] ?? 0),
    ).toBeGreaterThan(0);
    // One record each, whatever the retries.
    expect(hs().contacts.size).toBe(35);
    expect(hs().companies.size).toBe(36);
    expect(hs().associations.size).toBe(35);
  }, 120000);

  it('tracks go in events batches; an occurrence HubSpot refuses is found by halving its batch and dead-lettered alone', async () => {
    const before = hs().requests.length;
    hs().defineEvents(['pe4242_plan_upgraded']);
    const undefinedAt = new Set([7, 23]);
    const tracks = Array.from({ length: 30 }, (_v, n) => ({
      type: 'track',
      messageId: `${run}-track-${n}`,
      userId: `user-${n}`,
      event: undefinedAt.has(n) ? 'Never Defined' : 'Plan Upgraded',
      properties: { email: email(200 + n), seats: n },
    }));
    expect(await pipeline.track('/v1/batch', { batch: tracks })).toBe(200);
    const ours = () => hs().events.filter((e) => e.email?.startsWith(`${run}-p2`));
    await waitFor(() => ours().length >= 28, 45000, 'the 28 occurrences of a defined event');

    const { counts } = await waitForReports(
      pipeline.translator.kafka,
      reportsTopic(),
      (c) => (c[`${INSTANCE}|delivered|`] ?? 0) >= 71 + 28 && (c[`${INSTANCE}|failed|http_400`] ?? 0) >= 2,
      45000,
    );
    expect(counts[`${INSTANCE}|delivered|`]).toBe(71 + 28);
    expect(counts[`${INSTANCE}|failed|http_400`]).toBe(2);
    // Each occurrence once, whatever the halving sent again.
    expect(
      ours()
        .map((e) => e.email)
        .sort(),
    ).toEqual(
      tracks
        .filter((_t, n) => !undefinedAt.has(n))
        .map((t) => t.properties.email)
        .sort(),
    );
    const sent = hs()
      .requests.slice(before)
      .filter((r) => r.path.startsWith('/events/'));
    // Batched: at least one batch of several occurrences taken whole, and fewer requests than events.
    expect(sent.some((r) => r.path === '/events/v3/send/batch' && r.status === 204)).toBe(true);
    expect(sent.filter((r) => r.status === 204).length).toBeLessThan(28);
    // The refused occurrences were each sent alone in the end, and refused alone.
    const alone = sent.filter((r) => r.path === '/events/v3/send' && r.status === 400);
    expect(alone.map((r) => (JSON.parse(r.body) as { email: string }).email).sort()).toEqual([email(207), email(223)]);

    const deadLetters = await readTopicUntil(
      pipeline.translator.kafka,
      pipeline.translator.translator.names.deadLetter('hubspot'),
      (got) => got.length >= 2,
      30000,
    );
    const refused = deadLetters.map(
      (m) => JSON.parse(m.value?.toString() ?? '{}') as { event: { messageId: string }; message: string },
    );
    expect(refused.map((d) => d.event.messageId).sort()).toEqual([`${run}-track-23`, `${run}-track-7`]);
    for (const letter of refused) {
      expect(letter.message).toBe('HTTP 400 VALIDATION_ERROR: Event definition not found for pe4242_never_defined');
    }
  }, 120000);

  it('a token without the read scopes: the companies are upserted and delivered, each unassociated with the reason', async () => {
    // Every earlier test waited for its own reports: what is counted now is theirs.
    const delivered = (c: Record<string, number>) => c[`${INSTANCE}|delivered|`] ?? 0;
    const earlier = (await waitForReports(pipeline.translator.kafka, reportsTopic(), () => true, 1000)).counts;
    const before = delivered(earlier);
    const failures = (c: Record<string, number>) => Object.entries(c).filter(([key]) => key.includes('|failed|'));
    const people = [identify(50), identify(51)];
    expect(await pipeline.track('/v1/batch', { batch: people })).toBe(200);
    await waitFor(() => [50, 51].every((n) => contactId(n) !== undefined), 30000, 'the 2 contacts');
    hs().grantScopes('pat-hs-token', ['crm.objects.contacts.write', 'crm.objects.companies.write']);
    try {
      expect(await pipeline.track('/v1/batch', { batch: [group(50, email(50)), group(51, email(51))] })).toBe(200);
      const reason =
        "contact: the company is not associated with the contact: HubSpot refused reading the companies: HTTP 403 MISSING_SCOPES: This app hasn't been granted all required scopes to make this call.";
      const dropped = (c: Record<string, number>) =>
        Object.entries(c)
          .filter(([key]) => key.startsWith(`${INSTANCE}|field_dropped|${reason}`))
          .reduce((sum, [, n]) => sum + n, 0);
      const { counts } = await waitForReports(
        pipeline.translator.kafka,
        reportsTopic(),
        (c) => dropped(c) >= 2 && delivered(c) >= before + 4,
        30000,
      );
      expect(dropped(counts)).toBe(2);
      // The two identifies and both groups: a refused association step dead-lettered the batch before.
      expect(delivered(counts)).toBe(before + 4);
      expect(failures(counts)).toEqual(failures(earlier));
      expect([companyId(50), companyId(51)].every((id) => id !== undefined)).toBe(true);
      expect(associated(50) || associated(51)).toBe(false);
    } finally {
      hs().grantScopes('pat-hs-token', undefined);
    }
  }, 90000);
});
