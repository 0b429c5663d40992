// POST /v1/webhook/<write key> against real Kafka: which requests are refused before the source's
// app reads them, a generic source's mapping, and that kinds of events no translation reads are
// answered 200 without an event.
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
    ingestion = await startTestIngestion();
    const snapshot = testSnapshot();
    const github = { kind: 'github', signingSecret: GITHUB_SECRET };
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
          webhook: {
            kind: 'generic',
            signingSecret: '',
            mapping: {
              event: { '@template': 'Ticket {{status}}' },
              userId: { '@path': '$.requester.id' },
              properties: { ticket: { '@path': '$.id' } },
              timestamp: { '@path': '$.updated_at' },
            },
          },
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
});
