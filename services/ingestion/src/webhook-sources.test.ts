// POST /v1/webhook/<source id or write key> against real Kafka: which requests are refused before
// the source's app reads them, a generic source's mapping, that kinds of events no translation
// reads are answered 200 without an event, the stable URL, and a rotated signing secret.
import type { WebhookSourceConfig } from '@manifold/config-client';
import { sourceConfig } from '@manifold/config-client/testing';
import { requireKafka, testInfrastructure } from '@manifold/testing';
import { githubHeaders, GITHUB_PING, GITHUB_PUSH, GITHUB_SECRET } from './test-support/webhook-deliveries';
import {
  parseValue,
  readTopic,
  startTestIngestion,
  testSnapshot,
  WRITE_KEY,
  type TestIngestion,
} from './test-support/harness';

const GENERIC_KEY = 'wk-generic-0123456789abcdef';
const GITHUB_KEY = 'wk-github-0123456789abcdef';
const OFF_KEY = 'wk-github-off-0123456789ab';
const ROTATED_KEY = 'wk-rotated-0123456789abcdef';
const EXPIRED_KEY = 'wk-expired-0123456789abcdef';
const NEW_SECRET = 'gh-hook-secret-new-7Rm2';
const ADMIN_TOKEN = 'console-service-token-webhooks-01';
const HOUR_MS = 3600_000;

/** A webhook source's settings as the config stream gives them (no previous secret by default). */
const webhookSettings = (kind: string, signingSecret: string, more: Partial<WebhookSourceConfig> = {}) => ({
  kind,
  signingSecret,
  previousSigningSecret: '',
  duplicateWindowSeconds: 86_400,
  ...more,
});

describe('webhook sources at ingestion', () => {
  let ingestion: TestIngestion;
  const post = async (key: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${ingestion.url}/v1/webhook/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    ingestion = await startTestIngestion({ adminToken: ADMIN_TOKEN });
    const snapshot = testSnapshot();
    const github = webhookSettings('github', GITHUB_SECRET);
    const rotatedUntil = (ms: number) => new Date(Date.now() + ms).toISOString();
    ingestion.configView.replace({
      ...snapshot,
      version: 2,
      sources: [
        ...snapshot.sources,
        sourceConfig({ id: 'src-gh', slug: 'gh', type: 'webhook', writeKeys: [GITHUB_KEY], webhook: github }),
        sourceConfig({
          id: 'src-gh-off',
          slug: 'gh-off',
          type: 'webhook',
          enabled: false,
          writeKeys: [OFF_KEY],
          webhook: github,
        }),
        sourceConfig({
          id: 'src-tickets',
          slug: 'tickets',
          type: 'webhook',
          writeKeys: [GENERIC_KEY],
          webhook: webhookSettings('generic', '', {
            mapping: {
              event: { '@template': 'Ticket {{status}}' },
              userId: { '@path': '$.requester.id' },
              properties: { ticket: { '@path': '$.id' } },
              timestamp: { '@path': '$.updated_at' },
            },
          }),
        }),
        // Rotated to NEW_SECRET an hour ago; the old one is still accepted for another hour.
        sourceConfig({
          id: 'src_rotated',
          slug: 'rotated',
          type: 'webhook',
          writeKeys: [ROTATED_KEY],
          webhook: webhookSettings('github', NEW_SECRET, {
            previousSigningSecret: GITHUB_SECRET,
            previousSigningSecretExpiresAt: rotatedUntil(HOUR_MS),
          }),
        }),
        // Its previous secret expired a second ago (the snapshot was not rebuilt since).
        sourceConfig({
          id: 'src_expired',
          slug: 'expired',
          type: 'webhook',
          writeKeys: [EXPIRED_KEY],
          webhook: webhookSettings('github', NEW_SECRET, {
            previousSigningSecret: GITHUB_SECRET,
            previousSigningSecretExpiresAt: rotatedUntil(-1000),
          }),
        }),
      ],
    });
  });

  afterAll(async () => {
    await ingestion?.close();
  });

  it('refuses an unknown key, a source of another type and a disabled source', async () => {
    const push = JSON.stringify(GITHUB_PUSH);
    const headers = githubHeaders(push, 'push', 'd-refused');
    expect(await post('wk-nobody-0123456789abcdef', push, headers)).toMatchObject({
      status: 401,
      body: { code: 'unknown_source' },
    });
    expect(await post(WRITE_KEY, push, headers)).toMatchObject({ status: 404, body: { code: 'not_webhook_source' } });
    expect(await post(OFF_KEY, push, headers)).toMatchObject({ status: 403, body: { code: 'source_disabled' } });
  });

  it('refuses a body that is not JSON, once its signature is checked', async () => {
    const body = 'not json';
    expect(await post(GITHUB_KEY, body, githubHeaders(body, 'push', 'd-bad'))).toMatchObject({
      status: 400,
      body: { code: 'bad_request' },
    });
  });

  it('answers 200 for an event kind no translation reads (the e2e test shows no event comes of it)', async () => {
    const ping = JSON.stringify(GITHUB_PING);
    expect(await post(GITHUB_KEY, ping, githubHeaders(ping, 'ping', 'd-ping'))).toEqual({
      status: 200,
      body: { success: true, ignored: 'ping' },
    });
  });

  it('publishes what a generic source’s mapping makes of a delivery, with its source’s headers', async () => {
    const ticket = JSON.stringify({
      id: 'T-1',
      status: 'Solved',
      requester: { id: 'user-3' },
      updated_at: '2026-12-02T10:00:00Z',
    });
    expect(await post(GENERIC_KEY, ticket)).toEqual({ status: 200, body: { success: true, accepted: 1 } });
    // A delivery the mapping makes no valid call of is refused with the Tracking API's reason.
    expect(await post(GENERIC_KEY, JSON.stringify({ id: 'T-2', status: 'Open' }))).toMatchObject({
      status: 400,
      body: { code: 'no_user_anon_id' },
    });
    const [message] = await readTopic(ingestion.kafka, ingestion.topic, 1);
    expect(message?.headers?.['manifold-source-id']?.toString()).toBe('src-tickets');
    expect(parseValue(message!)).toMatchObject({
      type: 'track',
      event: 'Ticket Solved',
      userId: 'user-3',
      properties: { ticket: 'T-1' },
      timestamp: '2026-12-02T10:00:00.000Z',
      messageId: expect.stringMatching(/^webhook-[0-9a-f]{32}$/),
    });
  });

  const debuggerEntries = async (sourceId: string) => {
    const response = await fetch(`${ingestion.url}/debugger/sources/${sourceId}/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    return ((await response.json()) as { events: Array<Record<string, unknown>> }).events;
  };

  it('takes deliveries at /v1/webhook/<source id>, the URL no write-key rotation changes', async () => {
    const push = JSON.stringify(GITHUB_PUSH);
    expect(await post('src_rotated', push, githubHeaders(push, 'push', 'd-by-id', NEW_SECRET))).toEqual({
      status: 200,
      body: { success: true, accepted: 1 },
    });
    // The write-key form still works; the id of a source that is not a webhook source is no URL.
    expect(await post(ROTATED_KEY, push, githubHeaders(push, 'push', 'd-by-key', NEW_SECRET))).toMatchObject({
      status: 200,
    });
    expect(await post('src-web', push, githubHeaders(push, 'push', 'd-web'))).toMatchObject({
      status: 401,
      body: { code: 'unknown_source' },
    });
    const stored = await readTopic(ingestion.kafka, ingestion.topic, 3);
    const ids = stored
      .filter((m) => m.headers?.['manifold-source-id']?.toString() === 'src_rotated')
      .map((m) => parseValue(m)['messageId']);
    expect(ids).toEqual(['github-d-by-id', 'github-d-by-key']);
  });

  it('accepts the previous secret until it expires, and shows which secret matched (never a secret)', async () => {
    const push = JSON.stringify(GITHUB_PUSH);
    const current = await post(ROTATED_KEY, push, githubHeaders(push, 'push', 'd-current', NEW_SECRET));
    const previous = await post(ROTATED_KEY, push, githubHeaders(push, 'push', 'd-previous', GITHUB_SECRET));
    const other = await post(ROTATED_KEY, push, githubHeaders(push, 'push', 'd-other', 'some-other-secret'));
    expect([current.status, previous.status, other.status]).toEqual([200, 200, 401]);
    expect(other.body).toMatchObject({ code: 'invalid_signature' });

    const entries = await debuggerEntries('src_rotated');
    const byMessageId = new Map(entries.map((e) => [e['messageId'], e]));
    expect(byMessageId.get('github-d-current')?.['webhook']).toEqual({ kind: 'github', signedWith: 'current' });
    expect(byMessageId.get('github-d-previous')?.['webhook']).toEqual({ kind: 'github', signedWith: 'previous' });
    expect(entries.at(-1)).toMatchObject({ status: 'rejected', reason: { code: 'invalid_signature' } });
    const shown = JSON.stringify(entries);
    expect(shown).not.toContain(NEW_SECRET);
    expect(shown).not.toContain(GITHUB_SECRET);

    // Expired a second ago: refused although the snapshot still holds it.
    expect(await post(EXPIRED_KEY, push, githubHeaders(push, 'push', 'd-late', GITHUB_SECRET))).toMatchObject({
      status: 401,
      body: { code: 'invalid_signature' },
    });
    expect(await post(EXPIRED_KEY, push, githubHeaders(push, 'push', 'd-new', NEW_SECRET))).toMatchObject({
      status: 200,
    });
  });
});
