// Dead letters, redrives, replays, quarantine replays and traces through the Public API: the real
// console, control plane, ingestion and translator, a webhook emulator that rejects and is then
// healed; roles.
import { WebhookEmulator } from '@manifold/emulators';
import { eventually } from '@manifold/testing';
import { ConsoleClient, joinByInvitation, sendBatch } from '../testing/http-client';
import { startConsoleStack, type ConsoleStack } from '../testing/stack';
import type { DeadLetterPage, EventTrace, QuarantineReplay, Redrive, Replay, TrackingPlan } from './types';

const PASSWORD = 'correct horse battery';
const SECRET = 'api-test-signing-secret';

describe('dead letters, redrives, replays and traces in the Public API', () => {
  let stack: ConsoleStack;
  let hook: WebhookEmulator;
  let owner: ConsoleClient;
  let member: ConsoleClient;
  let reader: ConsoleClient;
  let destination = '';
  let writeKey = '';

  beforeAll(async () => {
    hook = await new WebhookEmulator({ sharedSecret: SECRET }).start();
    stack = await startConsoleStack({ catalog: 'default', dataPlane: { translatorTypes: ['webhook'] } });
    owner = new ConsoleClient(stack.console.url);
    expect((await owner.setup('owner@ops.test', PASSWORD, 'ops', 'Ops')).status).toBe(201);
    const source = await owner.call<{ writeKeys: Array<{ key: string }> }>('POST', '/api/v1/workspaces/ops/sources', {
      slug: 'web',
      name: 'Web',
    });
    writeKey = source.body.writeKeys[0]!.key;
    const created = await owner.call<{ id: string }>('POST', '/api/v1/workspaces/ops/destinations', {
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in`, sharedSecret: SECRET },
      sources: ['web'],
    });
    expect(created.status).toBe(201);
    destination = created.body.id;
    member = await joinByInvitation(owner, 'ops', 'member@ops.test', 'member', PASSWORD);
    reader = await joinByInvitation(owner, 'ops', 'reader@ops.test', 'read-only', PASSWORD);
    await eventually(
      async () => stack.dataPlane!.configView.destination(destination)?.enabled,
      (e) => e === true,
    );
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
  });

  async function send(events: Array<Record<string, unknown>>): Promise<void> {
    await sendBatch(stack.dataPlane!.url, writeKey, events);
  }

  const delivered = (): string[] => hook.deliveries.map((d) => (d.body as { messageId: string }).messageId);

  it('lists dead letters to every role; only members and owners redrive; each event is delivered once', async () => {
    hook.failFor(600_000, { status: 400, body: { error: `bad, ${SECRET}` } });
    const ids = ['api-1', 'api-2', 'api-3'].map((id) => `${id}-${Date.now()}`);
    await send(ids.map((messageId) => ({ type: 'track', event: 'Signed Up', userId: 'u1', messageId })));
    const path = `/api/v1/workspaces/ops/destinations/${destination}/dead-letters`;
    const page = await eventually(
      () => reader.call<DeadLetterPage>('GET', `${path}?reason=REJECTED`),
      (r) => r.status === 200 && r.body.totalCount === 3,
    );
    expect(page.body.deadLetters.map((d) => d.messageId).sort()).toEqual([...ids].sort());
    const first = page.body.deadLetters[0]!;
    expect(first).toMatchObject({ reason: 'REJECTED', eventType: 'track', eventName: 'Signed Up' });
    expect(first.lastResponse?.status).toBe(400);
    expect(first.event['messageId']).toBe(first.messageId);
    expect(JSON.stringify(page.body)).not.toContain(SECRET);
    const one = await reader.call<{ id: string }>('GET', `${path}/${encodeURIComponent(first.id)}`);
    expect(one.body.id).toBe(first.id);
    expect((await reader.call('GET', `${path}?failedFrom=not-a-time`)).status).toBe(400);

    hook.clearFailures();
    const redrivesPath = `/api/v1/workspaces/ops/destinations/${destination}/redrives`;
    expect((await reader.call('POST', redrivesPath, { all: true })).status).toBe(403);
    const started = await member.call<Redrive>('POST', redrivesPath, { all: true });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ requestedBy: 'member@ops.test', status: 'running', all: true });
    const done = await eventually(
      () => reader.call<Redrive>('GET', `/api/v1/workspaces/ops/redrives/${started.body.id}`),
      (r) => r.body.status === 'done' && r.body.outcomes.delivered === 3,
    );
    expect(done.body).toMatchObject({ matched: 3, sent: 3, skipped: 0 });
    await eventually(
      async () => delivered().filter((id) => ids.includes(id)).length,
      (n) => n === 3,
    );
    const listed = await reader.call<{ redrives: Redrive[] }>('GET', '/api/v1/workspaces/ops/redrives');
    expect(listed.body.redrives.map((r) => r.id)).toEqual([started.body.id]);
    expect((await reader.call('POST', `/api/v1/workspaces/ops/redrives/${started.body.id}/stop`)).status).toBe(403);

    // The trace of one of them: refused, then delivered by the redrive.
    const trace = await eventually(
      () => reader.call<EventTrace>('GET', `/api/v1/workspaces/ops/traces/${encodeURIComponent(ids[0]!)}`),
      (t) => t.body.destinations[0]?.steps.length === 2,
    );
    expect(trace.body).toMatchObject({ found: true, sourceName: 'Web', eventType: 'track' });
    expect(trace.body.destinations[0]!.steps.map((s) => [s.outcome, s.runId])).toEqual([
      ['failed', ''],
      ['delivered', started.body.id],
    ]);
    expect(JSON.stringify(trace.body)).not.toContain(SECRET);

    // A replay of the last hour to the same destination: every event is a duplicate there now.
    const replays = '/api/v1/workspaces/ops/replays';
    const range = {
      source: 'web',
      destination,
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date().toISOString(),
    };
    expect((await reader.call('POST', replays, range)).status).toBe(403);
    const replay = await member.call<Replay>('POST', replays, range);
    expect(replay.status).toBe(201);
    const replayed = await eventually(
      () => reader.call<Replay>('GET', `${replays}/${replay.body.id}`),
      (r) => r.body.status === 'done' && r.body.outcomes.filtered === 3,
    );
    expect(replayed.body).toMatchObject({ sent: 3, progress: 1, requestedBy: 'member@ops.test' });
    expect(delivered().filter((id) => ids.includes(id))).toHaveLength(3);
    const invalid = await member.call<{ error: { fields: Array<{ field: string }> } }>('POST', replays, {
      ...range,
      to: range.from,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.fields.map((f) => f.field)).toEqual(['to']);
  }, 120_000);

  it('replays quarantined events once the plan allows them; only members and owners start one', async () => {
    const rules = (events: string[]) => ({
      events: Object.fromEntries(events.map((name) => [name, { type: 'object' }])),
      policies: { unplannedEvents: 'block' },
    });
    const plans = '/api/v1/workspaces/ops/tracking-plans';
    const plan = await owner.call<TrackingPlan>('POST', plans, {
      name: 'Ops plan',
      rules: rules(['Order Completed']),
      sources: ['web'],
    });
    expect(plan.status).toBe(201);
    await eventually(
      async () => stack.dataPlane!.configView.sourceForWriteKey(writeKey)?.trackingPlan?.version,
      (v) => v === 1,
    );
    const [blocked, ok] = ['qr-blocked', 'qr-ok'].map((id) => `${id}-${Date.now()}`) as [string, string];
    await send([
      { type: 'track', event: 'Ticket Escalated', userId: 'u9', messageId: blocked },
      { type: 'track', event: 'Order Completed', userId: 'u9', messageId: ok },
    ]);
    await eventually(
      async () => delivered(),
      (ids) => ids.includes(ok),
    );
    expect(delivered()).not.toContain(blocked);

    const saved = await owner.call<TrackingPlan>('PUT', `${plans}/${plan.body.id}`, {
      rules: rules(['Order Completed', 'Ticket Escalated']),
    });
    expect(saved.body.version).toBe(2);
    const path = '/api/v1/workspaces/ops/quarantine-replays';
    const body = { source: 'web', eventName: 'Ticket Escalated' };
    expect((await reader.call('POST', path, body)).status).toBe(403);
    const started = await member.call<QuarantineReplay>('POST', path, body);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ sourceName: 'Web', planId: plan.body.id, planVersion: 2 });
    const done = await eventually(
      () => reader.call<QuarantineReplay>('GET', `${path}/${started.body.id}`),
      (r) => r.body.status === 'done',
    );
    expect(done.body).toMatchObject({ matched: 1, released: 1, stillBlocked: 0, progress: 1 });
    await eventually(
      async () => delivered(),
      (ids) => ids.includes(blocked),
    );
    const list = await reader.call<{ replays: QuarantineReplay[] }>('GET', path);
    expect(list.body.replays.map((r) => r.id)).toEqual([started.body.id]);
  });
});
