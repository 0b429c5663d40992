// Replays: a 10-minute range of one source's events read again from the events topic (by time)
// and delivered to one chosen instance, through the real translator; the control plane's replay
// worker, progress, report, rate limit and cancel.
import { WebhookEmulator } from '@manifold/emulators';
import type { SpecEvent } from '@manifold/events';
import { eventually, startOperationsStack, type OperationsStack } from '../test-support/operations-stack';
import { grpcError } from '../test-support/harness';

const MINUTE = 60_000;

function event(label: string, at: number, type: 'track' | 'identify' = 'track'): SpecEvent {
  const time = new Date(at).toISOString();
  return {
    type,
    ...(type === 'track' ? { event: 'Song Played', properties: { label } } : { traits: { label } }),
    messageId: `rp-${label}-${Math.random().toString(36).slice(2, 10)}`,
    userId: `user-${label}`,
    timestamp: time,
    receivedAt: time,
    context: {},
    integrations: {},
  };
}

function deliveredIds(hook: WebhookEmulator): string[] {
  return hook.deliveries.map((d) => (d.body as { messageId: string }).messageId);
}

describe('replays', () => {
  let stack: OperationsStack;
  const hooks: Record<string, WebhookEmulator> = {};
  let web: { id: string; workspaceId: string };
  let app: { id: string };
  const t0 = Date.now() - 5 * MINUTE;
  // Web's events 20 minutes before t0 to 10 after, one a minute (Kafka time and receivedAt alike).
  const timeline = Array.from({ length: 31 }, (_, i) => t0 - 20 * MINUTE + i * MINUTE);
  const webEvents = timeline.map((at, i) => event(`web-${i}`, at, i % 5 === 0 ? 'identify' : 'track'));
  const inRange = webEvents.filter((_, i) => timeline[i]! >= t0 - 10 * MINUTE && timeline[i]! < t0);
  const appEvents = [event('app-1', t0 - 5 * MINUTE), event('app-2', t0 - 4 * MINUTE)];

  beforeAll(async () => {
    for (const name of ['chosen', 'other']) hooks[name] = await new WebhookEmulator().start();
    stack = await startOperationsStack();
    const { client } = stack.cp;
    const ws = await client.workspaces.createWorkspace({ slug: 'music', name: 'Music', ownerEmail: 'o@music.test' });
    const source = (slug: string) =>
      client.sources.createSource({
        workspace: 'music',
        slug,
        name: slug,
        type: 'javascript',
        environment: 'prod',
        category: 'website',
      });
    web = { ...(await source('web')), workspaceId: ws.id };
    app = await source('app');
    // The other instance receives web's events as they come; the chosen one does not exist yet.
    const other = await client.destinations.createDestination({
      workspace: 'music',
      name: 'Other',
      catalogId: 'webhook',
      settings: { url: `${hooks['other']!.baseUrl}/in` },
      sources: ['web', 'app'],
    });
    await eventually(
      async () => stack.configView.destination(other.id)?.enabled,
      (e) => e === true,
    );
    // In time order, as ingestion writes them.
    const all = [
      ...webEvents.map((e) => ({ e, sourceId: web.id })),
      ...appEvents.map((e) => ({ e, sourceId: app.id })),
    ].sort((a, b) => Date.parse(a.e.receivedAt) - Date.parse(b.e.receivedAt));
    for (const { e, sourceId } of all) {
      await stack.publish([e], { sourceId, workspaceId: ws.id }, Date.parse(e.receivedAt));
    }
    await eventually(
      async () => deliveredIds(hooks['other']!).length,
      (n) => n === webEvents.length + appEvents.length,
    );
    const chosen = await client.destinations.createDestination({
      workspace: 'music',
      name: 'Chosen',
      catalogId: 'webhook',
      settings: { url: `${hooks['chosen']!.baseUrl}/in` },
      sources: ['web', 'app'],
    });
    await eventually(
      async () => stack.configView.destination(chosen.id)?.enabled,
      (e) => e === true,
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(Object.values(hooks).map((h) => h.close()));
  });

  const replay = (extra: Record<string, unknown> = {}) =>
    stack.cp.client.replays.startReplay({
      workspace: 'music',
      source: 'web',
      destination: 'Chosen',
      from: new Date(t0 - 10 * MINUTE),
      to: new Date(t0),
      ...extra,
    });
  const finished = (id: string) =>
    eventually(
      () => stack.cp.client.replays.getReplay({ workspace: 'music', id }),
      (r) => ['done', 'stopped', 'failed'].includes(r.status),
      60_000,
    );

  it('delivers each event of the range once, to the chosen instance only, and reports what it sent', async () => {
    // A client sent one of them again just now: delivered to the chosen instance within the dedup window.
    const resent = inRange[2]!;
    await stack.publish([resent], { sourceId: web.id, workspaceId: web.workspaceId });
    await eventually(
      async () => deliveredIds(hooks['chosen']!),
      (ids) => ids.includes(resent.messageId),
    );
    const otherBefore = deliveredIds(hooks['other']!).length;

    const started = await replay();
    expect(started).toMatchObject({
      status: 'running',
      requestedBy: 'tester@example.com',
      sourceName: 'web',
      destinationName: 'Chosen',
    });
    const done = await finished(started.id);
    expect(done.status).toBe('done');
    expect(done.progress).toBe(1);
    // Every message of the range was read (both sources); only web's went out.
    expect(done.total).toBe(inRange.length + appEvents.length);
    expect(done.scanned).toBe(done.total);
    expect(done.sent).toBe(inRange.length);
    const types = Object.fromEntries(done.sentByType.map((t) => [t.eventType, t.count]));
    expect(types).toEqual({
      track: inRange.filter((e) => e.type === 'track').length,
      identify: inRange.filter((e) => e.type === 'identify').length,
    });
    expect(done.firstMessageId).toBe(inRange[0]!.messageId);
    expect(done.lastMessageId).toBe(inRange[inRange.length - 1]!.messageId);
    const outcomes = await eventually(
      () => stack.cp.client.replays.getReplay({ workspace: 'music', id: started.id }),
      (r) => (r.outcomes?.delivered ?? 0) + (r.outcomes?.filtered ?? 0) >= inRange.length,
    );
    expect(outcomes.outcomes).toMatchObject({ delivered: inRange.length - 1, filtered: 1 });
    expect(outcomes.outcomes?.reasons).toEqual([{ outcome: 'filtered', reason: 'DUPLICATE_MESSAGE_ID', count: 1 }]);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const chosen = deliveredIds(hooks['chosen']!);
    for (const e of inRange) expect(chosen.filter((id) => id === e.messageId)).toHaveLength(1);
    expect(chosen).toHaveLength(inRange.length);
    expect(deliveredIds(hooks['other']!)).toHaveLength(otherBefore);

    // The same range again within 24 hours: every event is a duplicate there.
    const again = await finished((await replay()).id);
    expect(again.sent).toBe(inRange.length);
    await eventually(
      () => stack.cp.client.replays.getReplay({ workspace: 'music', id: again.id }),
      (r) => (r.outcomes?.filtered ?? 0) === inRange.length,
    );
    expect(deliveredIds(hooks['chosen']!)).toHaveLength(inRange.length);
    const listed = await stack.cp.client.replays.listReplays({ workspace: 'music' });
    expect(listed.replays.map((r) => r.id)).toEqual([again.id, started.id]);

    // The CLI's report of the first one.
    const shown = await stack.cli('--json', 'replays', 'show', 'music', started.id);
    expect(JSON.parse(shown.out)).toMatchObject({
      status: 'done',
      progress: '100%',
      sent: inRange.length,
      delivered: inRange.length - 1,
      duplicates_and_filtered: 1,
      first_message_id: inRange[0]!.messageId,
    });
    const table = await stack.cli('replays', 'list', 'music');
    expect(table.out).toMatch(new RegExp(`${started.id}\\s+web\\s+Chosen\\s+done\\s+tester@example.com`));
  }, 120_000);

  it('holds the rate limit and stops when cancelled', async () => {
    const started = await replay({
      from: new Date(t0 - 20 * MINUTE),
      to: new Date(),
      destination: 'Other',
      ratePerSecond: 2,
    });
    await eventually(
      () => stack.cp.client.replays.getReplay({ workspace: 'music', id: started.id }),
      (r) => r.sent >= 2,
    );
    const cancelling = await stack.cp.client.replays.cancelReplay({ workspace: 'music', id: started.id });
    expect(cancelling.cancelledBy).toBe('tester@example.com');
    const stopped = await finished(started.id);
    expect(stopped.status).toBe('stopped');
    expect(stopped.sent).toBeLessThan(webEvents.length);
    // About 2 a second from the start (and a chunk in hand when it was cancelled).
    const seconds = (stopped.finishedAt!.getTime() - stopped.requestedAt!.getTime()) / 1000;
    expect(stopped.sent).toBeLessThanOrEqual(Math.ceil(seconds * 2) + 2);
  }, 60_000);

  it('starts from the CLI with times given as how long ago, and waits for the end', async () => {
    const started = await stack.cli(
      '--json',
      'replays',
      'start',
      'music',
      'app',
      'Chosen',
      '--from',
      '30m',
      '--to',
      '1s',
      '--wait',
    );
    expect(started.code).toBe(0);
    expect(JSON.parse(started.out)).toMatchObject({
      status: 'done',
      source: 'app',
      sent: appEvents.length,
      requested_by: 'cli-operator',
    });
    await eventually(
      async () => deliveredIds(hooks['chosen']!),
      (ids) => appEvents.every((e) => ids.includes(e.messageId)),
    );
  }, 60_000);

  it('counts every event of both partitions when one renews the lease as the other writes its progress', async () => {
    // Each replay's first batch of one partition renews the lease while the other partition's
    // progress is written: on FerretDB (which rewrites the whole document per update) one of
    // the two was lost in one replay of five or so when the writes were not queued.
    for (let i = 0; i < 16; i += 1) {
      const done = await finished((await replay({ destination: 'Other' })).id);
      // Every event went out (the instance refused each as a duplicate): only a count can be lost.
      await eventually(
        () => stack.cp.client.replays.getReplay({ workspace: 'music', id: done.id }),
        (r) => (r.outcomes?.delivered ?? 0) + (r.outcomes?.filtered ?? 0) === inRange.length,
      );
      expect({ status: done.status, total: done.total, scanned: done.scanned, sent: done.sent }).toEqual({
        status: 'done',
        total: inRange.length + appEvents.length,
        scanned: inRange.length + appEvents.length,
        sent: inRange.length,
      });
    }
  }, 60_000);

  it('refuses a range that is empty or in the future, and a destination the source is not connected to', async () => {
    const backwards = await grpcError(replay({ from: new Date(t0), to: new Date(t0 - MINUTE) }));
    expect(backwards.violations).toEqual([{ field: 'to', message: 'must be after from' }]);
    const future = await grpcError(replay({ to: new Date(Date.now() + 3_600_000) }));
    expect(future.violations).toEqual([{ field: 'to', message: 'is in the future' }]);
    await stack.cp.client.destinations.createDestination({
      workspace: 'music',
      name: 'Lonely',
      catalogId: 'webhook',
      settings: { url: 'http://127.0.0.1:9/in' },
      sources: ['app'],
    });
    const unconnected = await grpcError(replay({ destination: 'Lonely' }));
    expect(unconnected.details).toMatch(/Lonely is not connected to web/);
  });
});
