// The mapping tester over gRPC (TestDestination), against real FerretDB and the webhook emulator.
import { status } from '@grpc/grpc-js';
import { IntercomEmulator, WebhookEmulator } from '@manifold/emulators';
import type { DestinationMapping, TestDestinationResponse } from '@manifold/proto';
import { freePort } from '@manifold/testing';
import { defaultCatalog } from '../default-catalog';
import { grpcError, startTestControlPlane, type Harness } from '../test-support/harness';

const HEADER_SECRET = 'Bearer hook-secret-7b1e94';
const URL_TOKEN = 'url-token-c03f5a';

const event = {
  type: 'track',
  event: 'Signed Up',
  userId: 'user-1',
  properties: { plan: 'team' },
  context: { traits: { plan: 'Team' } },
};

const signup: DestinationMapping = {
  id: 'signup',
  name: 'Signups',
  enabled: true,
  trigger: 'event = "Signed Up"',
  action: 'send',
  fields: {
    data: { event: 'signup', plan: { '@case': { operator: 'lower', value: { '@path': '$.context.traits.plan' } } } },
  },
};

/** Every string of the answer, to look for a secret anywhere in it. */
const text = (r: TestDestinationResponse) => JSON.stringify(r);

describe('TestDestination over gRPC (real FerretDB, webhook emulator)', () => {
  let h: Harness;
  let hook: WebhookEmulator;

  beforeAll(async () => {
    hook = await new WebhookEmulator({ requiredHeaders: { authorization: HEADER_SECRET } }).start();
    h = await startTestControlPlane({ catalog: defaultCatalog() });
    await h.client.workspaces.createWorkspace({ slug: 'try', name: 'Try', ownerEmail: 'o@try.test', members: [] });
    await h.client.destinations.createDestination({
      workspace: 'try',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in?token=${URL_TOKEN}`, headers: { authorization: HEADER_SECRET } },
      sources: [],
      syncIntervalSeconds: 0,
    });
  });

  afterAll(async () => {
    await h?.stop();
    await hook?.close();
  });

  const test = (more: { mappings?: DestinationMapping[]; send?: boolean; event?: object }) =>
    h.client.destinations.testDestination({
      workspace: 'try',
      destination: 'Hook',
      event: more.event ?? event,
      mappings: more.mappings ?? [],
      draft: more.mappings !== undefined,
      send: more.send ?? false,
    });

  it('shows what the saved mappings make of an event, masked, without sending', async () => {
    const result = await test({});
    const matched = result.mappings.filter((m) => m.matched);
    expect(matched.map((m) => [m.id, m.action])).toEqual([['preset-track-1', 'send']]);
    expect(matched[0]?.payload).toMatchObject({ data: { type: 'track', event: 'Signed Up', userId: 'user-1' } });
    const [request] = matched[0]?.requests ?? [];
    expect(request?.method).toBe('POST');
    expect(request?.url).toContain(`${hook.baseUrl}/in?token=`);
    expect(request?.headers['authorization']).toBeDefined();
    expect(text(result)).not.toContain(URL_TOKEN);
    expect(text(result)).not.toContain('hook-secret');
    expect(result.sent).toEqual([]);
    expect(result.filteredReason).toBeUndefined();
    expect(hook.requests).toHaveLength(0);
  });

  it('sends a draft: a 200 delivered, a 400 rejected with its body (masked), a 503 retried, no answer retried; counted as tests', async () => {
    const delivered = await test({ mappings: [signup], send: true });
    expect(delivered.mappings[0]?.payload).toEqual({ data: { event: 'signup', plan: 'team' } });
    expect(delivered.sent).toEqual([
      expect.objectContaining({ mappingIndex: 0, outcome: 'delivered', reason: '', error: '' }),
    ]);
    expect(delivered.sent[0]?.response?.status).toBe(200);
    expect(hook.deliveries.map((d) => d.body)).toEqual([{ event: 'signup', plan: 'team' }]);

    // The API quotes the credential back: the answer is masked as the request is.
    hook.failNext(1, { status: 400, body: { error: `token ${HEADER_SECRET} may not send signups` } });
    const rejected = await test({ mappings: [signup], send: true });
    const [answer] = rejected.sent;
    expect(answer?.response?.status).toBe(400);
    expect(answer?.response?.bodyExcerpt).toContain('may not send signups');
    expect(answer?.outcome).toBe('dead-letter');
    expect(answer?.reason).toMatch(/^REJECTED: HTTP 400/);
    expect(text(rejected)).not.toContain('hook-secret');
    expect(text(rejected)).not.toContain(URL_TOKEN);

    hook.failNext(1, { status: 503, retryAfterSeconds: 7 });
    const unavailable = await test({ mappings: [signup], send: true });
    expect(unavailable.sent.map((s) => [s.outcome, s.reason, s.response?.status])).toEqual([
      ['retry', 'HTTP 503', 503],
    ]);

    await h.client.destinations.updateDestination({
      workspace: 'try',
      destination: 'Hook',
      settings: { url: `http://127.0.0.1:${await freePort()}/in?token=${URL_TOKEN}` },
      reason: 'nobody listens there',
      dryRun: false,
    });
    const unanswered = await test({ mappings: [signup], send: true });
    expect(unanswered.sent.map((s) => [s.outcome, s.reason, s.response])).toEqual([
      ['retry', 'ECONNREFUSED', undefined],
    ]);
    expect(unanswered.sent[0]?.error).toMatch(/ECONNREFUSED/);
    expect(text(unanswered)).not.toContain(URL_TOKEN);

    const stats = await h.client.destinations.getDeliveryStats({ workspace: 'try', destination: 'Hook' });
    expect(stats).toMatchObject({ delivered: 0, retried: 0, failed: 0, filtered: 0, testSends: 4 });
    expect(new Map(stats.testSendsByOutcome.map((c) => [c.reason, c.count]))).toEqual(
      new Map([
        ['delivered', 1],
        ['dead-letter', 1],
        ['retry', 2],
      ]),
    );
    const view = await h.client.destinations.getDeliveryView({ workspace: 'try', destination: 'Hook', range: 'hour' });
    expect(view.totals).toMatchObject({ delivered: 0, failed: 0, retrying: 0, attempts: 0, testSends: 4 });
    expect(view.reasons).toEqual([]);
  });

  it('sends every step of a multi-request flow (Intercom: search, then create), each masked and classified', async () => {
    const token = 'icm-token-0c2b77e1';
    const intercom = await new IntercomEmulator({ accessToken: token }).start();
    try {
      await h.client.destinations.createDestination({
        workspace: 'try',
        name: 'Intercom',
        catalogId: 'intercom',
        settings: { accessToken: token, apiBaseUrl: intercom.baseUrl },
        sources: [],
        syncIntervalSeconds: 0,
      });
      const identify = { type: 'identify', userId: 'user-9', traits: { email: 'ada@example.com', name: 'Ada' } };
      const result = await h.client.destinations.testDestination({
        workspace: 'try',
        destination: 'Intercom',
        event: identify,
        mappings: [],
        draft: false,
        send: true,
      });
      // The dry part shows the flow's first request; the send shows each step with its answer.
      const matched = result.mappings.filter((m) => m.matched);
      expect(matched.map((m) => m.requests.length)).toEqual([1]);
      expect(result.sent.map((s) => [s.request?.method, new URL(s.request?.url ?? '').pathname, s.outcome])).toEqual([
        ['POST', '/contacts/search', 'delivered'],
        ['POST', '/contacts', 'delivered'],
      ]);
      expect(intercom.contactByExternalId('user-9')).toMatchObject({ email: 'ada@example.com' });
      expect(text(result)).not.toContain(token);
    } finally {
      await intercom.close();
    }
  });

  it('filters, tries disabled mappings without sending them, and refuses bad input', async () => {
    const disabled = await test({ mappings: [{ ...signup, enabled: false }], send: true });
    expect(disabled.mappings[0]).toMatchObject({ matched: true, enabled: false });
    expect(disabled.filteredReason).toBe('NO_MATCHING_MAPPING');
    expect(disabled.sent).toEqual([]);

    const excluded = await test({ event: { ...event, integrations: { All: false } } });
    expect(excluded.filteredReason).toBe('FILTERED_BY_INTEGRATIONS_OBJECT');

    const refused = await test({ mappings: [signup], event: { ...event, context: {} } });
    // The draft maps a trait this event lacks: the payload has no plan, nothing is refused.
    expect(refused.mappings[0]?.payload).toEqual({ data: { event: 'signup' } });

    const invalid = await grpcError(test({ mappings: [{ ...signup, trigger: 'event ==' }] }));
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.violations.map((v) => v.field)).toEqual(['mappings[0].trigger']);
    const noType = await grpcError(test({ event: { event: 'x' } }));
    expect(noType.code).toBe(status.INVALID_ARGUMENT);
    expect(noType.violations.map((v) => v.field)).toEqual(['event.type']);
  });

  it("runs a Reverse ETL connection's mapping only for its model's row changes, and other mappings only for other events", async () => {
    const everyTrack: DestinationMapping = { ...signup, id: 'tracks', name: 'Every track', trigger: 'type = "track"' };
    const connection: DestinationMapping = { ...everyTrack, id: 'retl-conn1', name: 'Customers → Hook' };
    const plain = await test({ mappings: [everyTrack, connection] });
    expect(plain.mappings.map((m) => [m.id, m.matched])).toEqual([
      ['tracks', true],
      ['retl-conn1', false],
    ]);
    expect(plain.notices).toContainEqual({
      path: 'mappings[1]',
      message: "not run: a Reverse ETL connection's mapping runs only its model's row changes",
    });
    const row = {
      ...event,
      event: 'new',
      context: { reverseEtl: { modelId: 'mdl_1', runId: 'run_1', changeKind: 'added', key: 'c-1' } },
    };
    const changed = await test({ mappings: [everyTrack, connection], event: row });
    expect(changed.mappings.map((m) => [m.id, m.matched])).toEqual([
      ['tracks', false],
      ['retl-conn1', true],
    ]);
    expect(changed.notices).toContainEqual({
      path: 'mappings[0]',
      message: "not run: a Reverse ETL row change runs only its connections' mappings",
    });
    expect(changed.filteredReason).toBeUndefined();
    // As the translator maps it: a JSON column's text reaches an object field as the object it holds.
    const json = { ...connection, fields: { data: { '@path': '$.properties.address' } } };
    const address = await test({ mappings: [json], event: { ...row, properties: { address: '{"city":"Paris"}' } } });
    expect(address.mappings[0]?.payload).toEqual({ data: { city: 'Paris' } });
  });

  it('refuses to send where destinations may not reach (cloud metadata by default), at once and for good', async () => {
    await h.client.destinations.createDestination({
      workspace: 'try',
      name: 'Metadata',
      catalogId: 'webhook',
      settings: { url: 'http://169.254.169.254/latest/meta-data/iam' },
      sources: [],
      syncIntervalSeconds: 0,
    });
    const started = Date.now();
    const result = await h.client.destinations.testDestination({
      workspace: 'try',
      destination: 'Metadata',
      event,
      mappings: [signup],
      draft: true,
      send: true,
    });
    expect(result.sent.map((s) => [s.outcome, s.response])).toEqual([['dead-letter', undefined]]);
    expect(`${result.sent[0]?.reason} ${result.sent[0]?.error}`).toMatch(
      /INVALID_SETTINGS.*169\.254\.169\.254 is in a network destinations may not reach \(DESTINATION_BLOCKED_NETWORKS\)/,
    );
    // Refused before connecting: no connection timeout waited for.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
