// Credentials of a destination instance (webhook header values, tokens in its URL's path and
// query, the signing secret) never reach the Kafka records the translator writes: dead letters,
// retry records, or answers that echo them. Real Kafka and FerretDB, a webhook emulator.
import type { ConsumedMessage } from '@manifold/kafka';
import { WebhookEmulator } from '@manifold/emulators';
import {
  destination,
  json,
  publishEvents,
  readTopicUntil,
  snapshot,
  startTestTranslator,
  trackEvent,
  TEST_RETRY_DELAYS,
  WORKSPACE_ID,
  type TestTranslator,
} from '../test-support/harness';
import type { DeadLetterRecord } from './dead-letter';

const BEARER = 'hdr-token-4f9a1c77e2';
const API_KEY = 'xkey/8d2e+b61=';
const PATH_TOKEN = 'T0PATHTOKEN42';
const QUERY_TOKEN = 'qtoken-5e8c2a';
const SHARED_SECRET = 'shared-secret-90ab';
const SECRETS = [BEARER, API_KEY, encodeURIComponent(API_KEY), PATH_TOKEN, QUERY_TOKEN, SHARED_SECRET];

const from = (sourceId: string) => ({ sourceId, workspaceId: WORKSPACE_ID });

/** Everything a record carries: key, value and headers, as one text. */
function recordText(message: ConsumedMessage): string {
  return JSON.stringify({
    key: message.key?.toString('utf8'),
    value: message.value?.toString('utf8'),
    headers: message.headers,
  });
}

describe('no credential in the records the translator writes', () => {
  let t: TestTranslator;
  const hooks: Record<string, WebhookEmulator> = {};

  const webhook = (id: string, hook: WebhookEmulator, sourceId: string) =>
    destination({
      id,
      catalogId: 'webhook',
      catalogName: 'Webhook',
      sourceIds: [sourceId],
      settings: {
        url: `${hook.baseUrl}/services/${PATH_TOKEN}/in?token=${QUERY_TOKEN}`,
        headers: { Authorization: `Bearer ${BEARER}`, 'X-Team-Key': API_KEY },
        sharedSecret: SHARED_SECRET,
      },
    });

  beforeAll(async () => {
    hooks['reject'] = await new WebhookEmulator().start();
    hooks['flaky'] = await new WebhookEmulator().start();
    t = await startTestTranslator({
      snapshot: snapshot([
        webhook('hook-reject', hooks['reject'], 'src-reject'),
        webhook('hook-flaky', hooks['flaky'], 'src-flaky'),
      ]),
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(Object.values(hooks).map((h) => h.close()));
  });

  it('a rejected event is dead-lettered with its request masked, the echoed token included', async () => {
    const hook = hooks['reject']!;
    hook.failNext(1, { status: 400, body: { error: `token Bearer ${BEARER} is not allowed here` } });
    const event = trackEvent(1);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event], from('src-reject'));

    const letters = await readTopicUntil(
      t.kafka,
      t.translator.names.deadLetter('webhook'),
      (messages) => messages.some((m) => json<DeadLetterRecord>(m).destinationId === 'hook-reject'),
      45000,
    );
    const letter = letters.find((m) => json<DeadLetterRecord>(m).destinationId === 'hook-reject')!;
    // The request did carry them, so their absence from the record is masking.
    const received = hook.requests[0];
    expect(received?.headers['authorization']).toBe(`Bearer ${BEARER}`);
    expect(received?.path).toContain(PATH_TOKEN);

    const text = recordText(letter);
    for (const secret of SECRETS)
      expect({ secret, inRecord: text.includes(secret) }).toEqual({ secret, inRecord: false });
    const record = json<DeadLetterRecord>(letter);
    expect(record).toMatchObject({
      reason: 'REJECTED',
      event: { messageId: event.messageId },
      lastRequest: {
        url: `${hook.baseUrl}/services/********/in?token=********`,
        headers: { authorization: '********', 'x-team-key': '********', 'x-signature': '********' },
      },
      lastResponse: { status: 400, bodyExcerpt: expect.stringContaining('is not allowed here') },
    });
    expect(record.message).toBe('HTTP 400: {"error":"token ******** is not allowed here"}');
  }, 60000);

  it('retry records carry no credential', async () => {
    const hook = hooks['flaky']!;
    hook.failFor(60_000, { status: 503 });
    await publishEvents(t.kafka, t.settings.eventsTopic, [trackEvent(2)], from('src-flaky'));
    // Every tier: the backoff's random factor sends a first retry to the first or the second tier,
    // and later ones to the longer tiers, so the first tier may never see this event at all.
    const retried = await readTopicUntil(
      t.kafka,
      t.translator.names.retryTiers('webhook', TEST_RETRY_DELAYS).map((tier) => tier.topic),
      (messages) => messages.length > 0,
      45000,
    );
    expect(retried.length).toBeGreaterThan(0);
    expect(hook.requests.some((r) => r.headers['authorization'] === `Bearer ${BEARER}`)).toBe(true);
    for (const message of retried) {
      const text = recordText(message);
      for (const secret of SECRETS)
        expect({ secret, inRecord: text.includes(secret) }).toEqual({ secret, inRecord: false });
    }
  }, 60000);
});
