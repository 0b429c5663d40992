// Retries through the delay-tier topics, Retry-After, timeouts, network errors, the retry window,
// and dead letters; real Kafka and FerretDB, webhook emulators told to fail.
import { createServer } from 'node:net';
import { WebhookEmulator } from '@manifold/emulators';
import type { DeadLetterRecord } from './reports/dead-letter';
import {
  destination,
  json,
  publishEvents,
  readTopic,
  readTopicUntil,
  snapshot,
  startTestTranslator,
  trackEvent,
  waitFor,
  waitForReports,
  WORKSPACE_ID,
  type TestTranslator,
  deliveredIds,
} from './test-support/harness';

const webhook = (id: string, url: string, sourceId: string, extra: Record<string, unknown> = {}) =>
  destination({
    id,
    catalogId: 'webhook',
    catalogName: 'Webhook',
    sourceIds: [sourceId],
    settings: { url, sharedSecret: 's3cret', ...extra },
  });

const from = (sourceId: string) => ({ sourceId, workspaceId: WORKSPACE_ID });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('translator retries and dead letters', () => {
  const hooks: Record<string, WebhookEmulator> = {};
  let t: TestTranslator;
  let deadPort: number;

  beforeAll(async () => {
    for (const name of ['flaky', 'wait', 'reject', 'slow']) {
      hooks[name] = await new WebhookEmulator({ sharedSecret: 's3cret' }).start();
    }
    deadPort = await closedPort();
    t = await startTestTranslator({
      snapshot: snapshot([
        webhook('hook-flaky', `${hooks['flaky']!.baseUrl}/in`, 'src-flaky'),
        webhook('hook-wait', `${hooks['wait']!.baseUrl}/in`, 'src-wait'),
        webhook('hook-reject', `${hooks['reject']!.baseUrl}/in`, 'src-reject'),
        webhook('hook-slow', `${hooks['slow']!.baseUrl}/in`, 'src-slow'),
        webhook('hook-dead', `http://127.0.0.1:${deadPort}/in`, 'src-dead'),
        webhook('hook-bad-settings', 'not a url', 'src-bad'),
        // Cloud instance metadata: a network destinations may not reach by default.
        webhook('hook-metadata', 'http://169.254.169.254/latest/meta-data/iam', 'src-metadata'),
      ]),
      settings: { retryWindowMs: 4000, requestTimeoutMs: 1000 },
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(Object.values(hooks).map((h) => h.close()));
  });

  /** The first dead letter of an instance, once there is one. */
  async function deadLetterOf(destinationId: string): Promise<DeadLetterRecord | undefined> {
    const letters = await readTopicUntil(
      t.kafka,
      t.translator.names.deadLetter('webhook'),
      (messages) => messages.some((m) => json<DeadLetterRecord>(m).destinationId === destinationId),
      30000,
    );
    return letters.map((m) => json<DeadLetterRecord>(m)).find((l) => l.destinationId === destinationId);
  }

  it('delivers every event exactly once per messageId after 500s and 429s, duplicates included', async () => {
    const hook = hooks['flaky']!;
    hook.failNext(6, { status: 500 });
    hook.failNext(6, { status: 429, retryAfterSeconds: 1 });
    const events = Array.from({ length: 12 }, (_, n) => trackEvent(n));
    // The same messageIds again, as a client retrying its own request would send them.
    const duplicates = events.slice(0, 3).map((e) => ({ ...e, properties: { resent: true } }));
    await publishEvents(t.kafka, t.settings.eventsTopic, [...events, ...duplicates], from('src-flaky'));

    await waitFor(() => new Set(deliveredIds(hook)).size >= 12, 30000, 'all 12 events delivered');
    await new Promise((r) => setTimeout(r, 1500)); // would any second copy arrive?
    const ids = deliveredIds(hook);
    expect(ids.sort()).toEqual(events.map((e) => e.messageId).sort());
    expect(hook.requests.filter((r) => r.status === 500)).toHaveLength(6);
    expect(hook.requests.filter((r) => r.status === 429)).toHaveLength(6);

    // Retry-After was honoured: within 1 s of the 429s only the events refused with 500 came back.
    const first429 = Math.min(...hook.requests.filter((r) => r.status === 429).map((r) => r.receivedAt));
    const accepted = hook.requests.filter((r) => r.status === 200);
    expect(accepted.filter((r) => r.receivedAt > first429 && r.receivedAt < first429 + 950).length).toBeLessThanOrEqual(
      6,
    );
    expect(accepted.filter((r) => r.receivedAt >= first429 + 950).length).toBeGreaterThanOrEqual(6);

    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['hook-flaky|delivered|'] ?? 0) >= 12,
    );
    expect(counts).toMatchObject({
      'hook-flaky|delivered|': 12,
      'hook-flaky|retried|http_500': 6,
      'hook-flaky|retried|http_429': 6,
      'hook-flaky|filtered|DUPLICATE_MESSAGE_ID': 3,
    });
  }, 60000);

  it('waits out a Retry-After longer than the longest tier', async () => {
    const hook = hooks['wait']!;
    hook.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const event = trackEvent(1);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event], from('src-wait'));
    await waitFor(() => hook.deliveries.length >= 1, 20000, 'the delivery after the wait');
    const [refused, accepted] = hook.requests;
    expect(refused?.status).toBe(429);
    expect(accepted?.status).toBe(200);
    expect(accepted!.receivedAt - refused!.receivedAt).toBeGreaterThanOrEqual(1950);
    expect(hook.requests).toHaveLength(2);
  }, 30000);

  it('retries a request that timed out', async () => {
    const hook = hooks['slow']!;
    hook.failNext(1, { timeout: true });
    const event = trackEvent(2);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event], from('src-slow'));
    await waitFor(() => hook.deliveries.length >= 1, 20000, 'the delivery after the timeout');
    expect(deliveredIds(hook)).toEqual([event.messageId]);
    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['hook-slow|delivered|'] ?? 0) >= 1,
    );
    expect(Object.keys(counts).filter((k) => k.startsWith('hook-slow|retried|'))).toHaveLength(1);
  }, 30000);

  it('dead-letters a rejected event with the masked request and the response, and bad settings', async () => {
    const hook = hooks['reject']!;
    hook.failNext(1, { status: 400, body: { error: 'field "x" is not allowed' } });
    const event = trackEvent(3);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event], from('src-reject'));
    const bad = trackEvent(4);
    await publishEvents(t.kafka, t.settings.eventsTopic, [bad], from('src-bad'));

    const letters = (await readTopic(t.kafka, t.translator.names.deadLetter('webhook'), 2)).map((m) =>
      json<DeadLetterRecord>(m),
    );
    const rejected = letters.find((l) => l.destinationId === 'hook-reject');
    expect(rejected).toMatchObject({
      reason: 'REJECTED',
      destinationType: 'webhook',
      sourceId: 'src-reject',
      attempts: 1,
      event: { messageId: event.messageId },
      lastRequest: { method: 'POST', headers: { 'x-signature': '********' } },
      lastResponse: { status: 400 },
    });
    expect(rejected?.lastRequest?.url).toBe(`${hook.baseUrl}/in`);
    expect((rejected?.lastResponse as { bodyExcerpt: string }).bodyExcerpt).toContain('is not allowed');
    expect(rejected?.origin).toMatch(new RegExp(`^${t.settings.eventsTopic}/\\d+/\\d+$`));

    const invalid = letters.find((l) => l.destinationId === 'hook-bad-settings');
    expect(invalid).toMatchObject({ reason: 'INVALID_SETTINGS', event: { messageId: bad.messageId } });
    expect(invalid?.message).toContain('url');
    expect(hook.deliveries).toHaveLength(0);
  }, 30000);

  it('dead-letters at once an event for an address destinations may not reach, without connecting', async () => {
    const event = trackEvent(6);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event], from('src-metadata'));
    const refused = await deadLetterOf('hook-metadata');
    expect(refused).toMatchObject({ reason: 'INVALID_SETTINGS', attempts: 1, event: { messageId: event.messageId } });
    expect(refused?.message).toContain(
      '169.254.169.254 is in a network destinations may not reach (DESTINATION_BLOCKED_NETWORKS)',
    );
  }, 30000);

  it('gives up after the retry window and dead-letters the last error', async () => {
    const event = trackEvent(5);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event], from('src-dead'));
    const exhausted = await deadLetterOf('hook-dead');
    expect(exhausted).toMatchObject({
      reason: 'RETRIES_EXHAUSTED',
      event: { messageId: event.messageId },
      lastResponse: { error: expect.stringContaining('ECONNREFUSED') },
    });
    expect(exhausted!.attempts).toBeGreaterThanOrEqual(3);
    // The window is 4 s from the first attempt: given up before it would be exceeded, not long
    // after. (From the publish, a loaded machine added 2.7 s before the first attempt.)
    expect(Date.parse(exhausted!.failedAt) - Date.parse(exhausted!.firstAttemptAt!)).toBeLessThan(6000);
    const { counts } = await waitForReports(
      t.kafka,
      t.translator.names.deliveryReports,
      (c) => (c['hook-dead|failed|RETRIES_EXHAUSTED'] ?? 0) >= 1,
    );
    expect(counts['hook-dead|failed|RETRIES_EXHAUSTED']).toBe(1);
    expect(counts['hook-dead|retried|ECONNREFUSED']).toBe(exhausted!.attempts - 1);
  }, 40000);
});
