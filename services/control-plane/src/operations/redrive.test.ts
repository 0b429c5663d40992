// Dead letters browsed and redriven: the real control plane (its dead-letter index and redrive
// worker), the real translator delivering to a webhook emulator that rejects, then is healed.
import { WebhookEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { eventually, startOperationsStack, type OperationsStack } from '../test-support/operations-stack';
import { grpcError } from '../test-support/harness';

const SECRET = 'redrive-shared-secret-42';

function event(n: number): SpecEvent {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: `dl-${n}-${Math.random().toString(36).slice(2, 10)}`,
    userId: `user-${n}`,
    properties: { order_id: `o-${n}`, revenue: n },
    timestamp: now,
    receivedAt: now,
    context: {},
    integrations: {},
  };
}

function deliveredIds(hook: WebhookEmulator): string[] {
  return hook.deliveries.map((d) => (d.body as { messageId: string }).messageId);
}

describe('dead letters and redrive', () => {
  let stack: OperationsStack;
  let hook: WebhookEmulator;
  let ids: { workspace: string; source: string; destination: string };

  beforeAll(async () => {
    hook = await new WebhookEmulator({ sharedSecret: SECRET }).start();
    stack = await startOperationsStack();
    const { client } = stack.cp;
    const ws = await client.workspaces.createWorkspace({ slug: 'dlq', name: 'DLQ', ownerEmail: 'o@dlq.test' });
    const source = await client.sources.createSource({
      workspace: 'dlq',
      slug: 'web',
      name: 'Web',
      type: 'javascript',
      environment: 'prod',
      category: 'website',
    });
    const destination = await client.destinations.createDestination({
      workspace: 'dlq',
      name: 'Hook',
      catalogId: 'webhook',
      settings: { url: `${hook.baseUrl}/in`, sharedSecret: SECRET },
      sources: ['web'],
    });
    ids = { workspace: ws.id, source: source.id, destination: destination.id };
    await eventually(
      async () => stack.configView.destination(destination.id)?.enabled,
      (enabled) => enabled === true,
    );
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
  });

  const list = (extra: Record<string, unknown> = {}) =>
    stack.cp.client.deadLetters.listDeadLetters({ workspace: 'dlq', destination: 'Hook', ...extra });

  it('lists dead letters with their masked request and answer, redrives them once healed, each delivered once', async () => {
    // The destination rejects everything, quoting the secret it was sent in its answer.
    hook.failFor(600_000, { status: 400, body: { error: `invalid payload for ${SECRET}` } });
    const events = Array.from({ length: 5 }, (_, n) => event(n));
    await stack.publish(events, { sourceId: ids.source, workspaceId: ids.workspace });
    const listed = await eventually(list, (r) => r.totalCount === 5);
    expect(new Set(listed.deadLetters.map((d) => d.messageId))).toEqual(new Set(events.map((e) => e.messageId)));
    const first = listed.deadLetters[0]!;
    expect(first).toMatchObject({ reason: 'REJECTED', destinationId: ids.destination, eventType: 'track' });
    expect(first.lastResponse?.status).toBe(400);
    expect(first.lastRequest?.method).toBe('POST');
    expect(first.lastRequest?.body).toContain(first.messageId);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    expect(listed.waitingByReason).toEqual([{ reason: 'REJECTED', count: 5 }]);
    // Filters: by reason and by time.
    expect((await list({ reason: 'RETRIES_EXHAUSTED' })).totalCount).toBe(0);
    expect((await list({ failedTo: new Date(Date.now() - 3_600_000) })).totalCount).toBe(0);
    expect((await list({ reason: 'REJECTED', failedFrom: new Date(Date.now() - 3_600_000) })).totalCount).toBe(5);
    const one = await stack.cp.client.deadLetters.getDeadLetter({
      workspace: 'dlq',
      destination: 'Hook',
      id: first.id,
    });
    expect(JSON.parse(one.eventJson).messageId).toBe(first.messageId);

    hook.clearFailures();
    const redrive = await stack.cp.client.deadLetters.startRedrive({
      workspace: 'dlq',
      destination: 'Hook',
      all: true,
    });
    expect(redrive).toMatchObject({ status: 'running', requestedBy: 'tester@example.com', all: true });
    const done = await eventually(
      () => stack.cp.client.deadLetters.getRedrive({ workspace: 'dlq', id: redrive.id }),
      (r) => r.status === 'done' && (r.outcomes?.delivered ?? 0) >= 5,
    );
    expect(done).toMatchObject({ matched: 5, sent: 5, skipped: 0 });
    expect(done.finishedAt).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const delivered = deliveredIds(hook);
    for (const e of events) expect(delivered.filter((id) => id === e.messageId)).toHaveLength(1);
    expect(delivered).toHaveLength(5);

    // Nothing waits any more; shown with the redrive that sent them.
    expect((await list()).totalCount).toBe(0);
    const all = await list({ includeRedriven: true });
    expect(all.deadLetters.every((d) => d.redriveId === redrive.id && d.redrivenAt)).toBe(true);

    // Again, all or by id: nothing is sent twice.
    const again = await stack.cp.client.deadLetters.startRedrive({ workspace: 'dlq', destination: 'Hook', all: true });
    const byId = await stack.cp.client.deadLetters.startRedrive({
      workspace: 'dlq',
      destination: 'Hook',
      ids: [first.id],
    });
    for (const run of [again, byId]) {
      await eventually(
        () => stack.cp.client.deadLetters.getRedrive({ workspace: 'dlq', id: run.id }),
        (r) => r.status === 'done',
      );
    }
    expect((await stack.cp.client.deadLetters.getRedrive({ workspace: 'dlq', id: byId.id })).skipped).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(deliveredIds(hook)).toHaveLength(5);
    const history = await stack.cp.client.deadLetters.listRedrives({ workspace: 'dlq', destination: 'Hook' });
    expect(history.redrives.map((r) => r.id)).toEqual([byId.id, again.id, redrive.id]);
  }, 120_000);

  it('redrives a dead letter only through the mappings that had not delivered it', async () => {
    const two = await new WebhookEmulator({ sharedSecret: SECRET }).start();
    try {
      const { client } = stack.cp;
      const created = await client.destinations.createDestination({
        workspace: 'dlq',
        name: 'Two mappings',
        catalogId: 'webhook',
        settings: { url: `${two.baseUrl}/in`, sharedSecret: SECRET },
        sources: ['web'],
      });
      const mapping = (id: string) => ({
        id,
        name: id,
        enabled: true,
        trigger: 'type = "track"',
        action: 'send',
        fields: { data: { mapping: id, messageId: { '@path': '$.messageId' } } },
      });
      const saved = await client.destinations.setDestinationMappings({
        workspace: 'dlq',
        destination: 'Two mappings',
        mappings: [mapping('orders'), mapping('audit')],
        comment: 'two requests per event',
      });
      await eventually(
        async () => stack.configView.destination(created.id)?.mappings?.length,
        (n) => n === saved.mappings.length,
      );
      // The first of the event's two requests is refused; the other mapping's goes through.
      two.failNext(1, { status: 400, body: { error: 'not now' } });
      const sent = event(90);
      await stack.publish([sent], { sourceId: ids.source, workspaceId: ids.workspace });
      await eventually(
        () => client.deadLetters.listDeadLetters({ workspace: 'dlq', destination: 'Two mappings' }),
        (r) => r.totalCount === 1,
      );
      const mappingsOf = () => two.deliveries.map((d) => (d.body as { mapping: string }).mapping);
      expect(mappingsOf()).toHaveLength(1);
      const redrive = await client.deadLetters.startRedrive({
        workspace: 'dlq',
        destination: 'Two mappings',
        all: true,
      });
      await eventually(
        () => client.deadLetters.getRedrive({ workspace: 'dlq', id: redrive.id }),
        (r) => r.status === 'done' && (r.outcomes?.delivered ?? 0) >= 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // Each mapping delivered the event once: the redrive sent only the one that had failed.
      expect(mappingsOf().sort()).toEqual(['audit', 'orders']);
    } finally {
      await two.close();
    }
  }, 60_000);

  it('stops a redrive on request: what it sent stays sent, the rest waits', async () => {
    hook.failFor(600_000, { status: 400, body: { error: 'no' } });
    const before = deliveredIds(hook).length;
    const events = Array.from({ length: 12 }, (_, n) => event(100 + n));
    await stack.publish(events, { sourceId: ids.source, workspaceId: ids.workspace });
    await eventually(list, (r) => r.totalCount === 12);
    hook.clearFailures();
    const slow = await stack.cp.client.deadLetters.startRedrive({
      workspace: 'dlq',
      destination: 'Hook',
      all: true,
      reason: 'REJECTED',
      ratePerSecond: 1,
    });
    await eventually(
      () => stack.cp.client.deadLetters.getRedrive({ workspace: 'dlq', id: slow.id }),
      (r) => r.sent >= 1,
    );
    const stopping = await stack.cp.client.deadLetters.stopRedrive({ workspace: 'dlq', id: slow.id });
    expect(stopping.stoppedBy).toBe('tester@example.com');
    const stopped = await eventually(
      () => stack.cp.client.deadLetters.getRedrive({ workspace: 'dlq', id: slow.id }),
      (r) => r.status === 'stopped',
    );
    expect(stopped.sent).toBeLessThan(12);
    const waiting = await list();
    expect(waiting.totalCount).toBe(12 - stopped.matched);
    await eventually(
      async () => deliveredIds(hook).length - before,
      (n) => n === stopped.sent,
    );
  }, 120_000);

  it('does the same from the CLI: list, show, redrive --wait, redrives list', async () => {
    hook.failFor(600_000, { status: 422, body: { error: `unprocessable, ${SECRET}` } });
    // The stopped redrive before left dead letters waiting: these are told apart by time.
    const since = new Date().toISOString();
    const events = [event(200), event(201)];
    await stack.publish(events, { sourceId: ids.source, workspaceId: ids.workspace });
    await eventually(
      () => list({ failedFrom: new Date(since) }),
      (r) => r.totalCount === 2,
    );
    const listed = await stack.cli('dead-letters', 'list', 'dlq', 'Hook', '--reason', 'REJECTED', '--from', since);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/ID\s+FAILED_AT\s+REASON\s+MESSAGE_ID/);
    for (const e of events) expect(listed.out).toContain(e.messageId);
    expect(listed.out).toMatch(/2 matching; waiting for a redrive: REJECTED \d+/);
    const id = (await list({ failedFrom: new Date(since) })).deadLetters[0]!.id;
    const shown = await stack.cli('dead-letters', 'show', 'dlq', 'Hook', id);
    expect(shown.out).toMatch(/last request and answer:\n {2}> POST http:\/\/127\.0\.0\.1:\d+\/in\n/);
    expect(shown.out).toContain('\n  < 422\n');
    expect(shown.out).not.toContain(SECRET);
    hook.clearFailures();
    const before = deliveredIds(hook).length;
    const redriven = await stack.cli(
      '--json',
      'dead-letters',
      'redrive',
      'dlq',
      'Hook',
      '--all',
      '--from',
      since,
      '--wait',
    );
    expect(redriven.code).toBe(0);
    expect(JSON.parse(redriven.out)).toMatchObject({ status: 'done', sent: 2, requested_by: 'cli-operator' });
    await eventually(
      async () => deliveredIds(hook).length - before,
      (n) => n === 2,
    );
    const history = await stack.cli('redrives', 'list', 'dlq');
    expect(history.out.split('\n')[1]).toMatch(/^rd_\w+\s+Hook\s+done\s+cli-operator/);
    const bad = await stack.cli('dead-letters', 'list', 'dlq', 'Hook', '--from', 'yesterday-ish');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--from "yesterday-ish" is not a time/);
  }, 120_000);

  it('refuses what it cannot do, with the reason', async () => {
    const both = await grpcError(
      stack.cp.client.deadLetters.startRedrive({ workspace: 'dlq', destination: 'Hook', all: true, ids: ['x'] }),
    );
    expect(both.details).toMatch(/either the dead letters \(ids\) or all/);
    const missing = await grpcError(stack.cp.client.deadLetters.getRedrive({ workspace: 'dlq', id: 'rd_nope' }));
    expect(missing.details).toMatch(/redrive "rd_nope" not found/);
  });
});
