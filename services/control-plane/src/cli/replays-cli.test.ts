// `manifold replays ...` and `manifold plans replay-quarantine / quarantine-replays ...` as a user
// runs them: the real control plane (its replay and quarantine replay workers) on the test Kafka
// and FerretDB, the real translator delivering to a webhook emulator. One stack for every case.
import { WebhookEmulator } from '@manifold/emulators';
import { encodeEventMessage, type SpecEvent } from '@manifold/events';
import { eventually, startOperationsStack, type OperationsStack } from '../test-support/operations-stack';

const MINUTE = 60_000;
const t0 = Date.now();

function event(label: string, at: number, name = 'Song Played', type: 'track' | 'identify' = 'track'): SpecEvent {
  const time = new Date(at).toISOString();
  return {
    type,
    ...(type === 'track' ? { event: name, properties: { label } } : { traits: { label } }),
    messageId: `cli-${label}-${Math.random().toString(36).slice(2, 10)}`,
    // One user: one partition, in the order published.
    userId: 'listener',
    timestamp: time,
    receivedAt: time,
    context: {},
    integrations: {},
  };
}

// Web's events, one every 90 seconds from 20 minutes before t0; every fourth an identify.
const webEvents = Array.from({ length: 12 }, (_, i) =>
  event(`web-${i}`, t0 - 20 * MINUTE + i * 90_000, 'Song Played', i % 4 === 0 ? 'identify' : 'track'),
);
const tracks = webEvents.filter((e) => e.type === 'track').length;
const from = new Date(t0 - 30 * MINUTE).toISOString();
const to = new Date(t0 - MINUTE).toISOString();

interface ReplayJson {
  id: string;
  status: string;
  progress: string;
  scanned: string;
  sent: number;
  delivered: number;
  duplicates_and_filtered: number;
  cancelled_by: string;
  requested_at: string;
  finished_at: string;
}

interface QuarantineReplayJson {
  id: string;
  status: string;
  matched: number;
  released: number;
  still_blocked: number;
}

describe('manifold CLI: replays and quarantine replays', () => {
  let stack: OperationsStack;
  let hook: WebhookEmulator;
  let web: { id: string; workspaceId: string };
  let app: { id: string };
  const cli = (...args: string[]) => stack.cli(...args);
  const delivered = () => hook.deliveries.map((d) => (d.body as { messageId: string }).messageId);
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await cli('--json', ...args);
    expect(result).toMatchObject({ code: 0, err: '' });
    return JSON.parse(result.out) as T;
  };
  const showReplay = (id: string) => json<ReplayJson>('replays', 'show', 'music', id);
  const showQuarantineReplay = (id: string) =>
    json<QuarantineReplayJson>('plans', 'quarantine-replays', 'show', 'music', id);

  beforeAll(async () => {
    hook = await new WebhookEmulator().start();
    stack = await startOperationsStack();
    // Set up as a user would, with the CLI (arguments without spaces, split on them).
    const setUp = <T>(line: string) => json<T>(...line.split(' '));
    const ws = await setUp<{ id: string }>('workspaces create music --name Music --owner o@music.test');
    const source = (slug: string) =>
      setUp<{ id: string }>(`sources create music ${slug} --name ${slug} --type javascript --category website`);
    web = { id: (await source('web')).id, workspaceId: ws.id };
    app = await source('app');
    // Connected to app only while web's events go by, so none of them is delivered before a replay.
    const hookDestination = await setUp<{ id: string }>(
      `destinations create music Hook --catalog webhook --set url=${hook.baseUrl}/in --source app`,
    );
    await eventually(
      async () => stack.configView.destination(hookDestination.id)?.enabled,
      (e) => e === true,
    );
    for (const e of webEvents) {
      await stack.publish([e], { sourceId: web.id, workspaceId: ws.id }, Date.parse(e.receivedAt));
    }
    // App's event after them, in their partition: once it is delivered, the translator is past web's.
    const sentinel = event('app-sentinel', Date.now());
    await stack.publish([sentinel], { sourceId: app.id, workspaceId: ws.id });
    await eventually(
      async () => delivered(),
      (ids) => ids.includes(sentinel.messageId),
    );
    await setUp('destinations connect music web Hook');
    await eventually(
      async () => stack.configView.destination(hookDestination.id)?.sourceIds,
      (ids) => ids?.includes(web.id) === true,
    );
    await setUp('destinations create music Lonely --catalog webhook --set url=http://127.0.0.1:9/in --source app');
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await hook?.close();
  });

  describe('replays', () => {
    let first = '';

    it('starts a replay of a time range, shows its progress and report, and lists it', async () => {
      const started = await cli('--json', 'replays', 'start', 'music', 'web', 'Hook', '--from', from, '--to', to);
      expect(started).toMatchObject({ code: 0, err: '' });
      const run = JSON.parse(started.out) as ReplayJson & Record<string, unknown>;
      expect(run).toMatchObject({
        id: expect.stringMatching(/^rp_/),
        source: 'web',
        destination: 'Hook',
        status: 'running',
        requested_by: 'cli-operator',
        from,
        to,
        rate_per_second: 500,
        cancelled_by: '',
        error: '',
      });
      first = run.id;
      await eventually(
        () => showReplay(first),
        (r) => r.status === 'done',
      );
      // What was sent, then what the deliveries came to: every event delivered once, to the hook.
      const report = await eventually(
        () => showReplay(first),
        (r) => r.delivered === webEvents.length,
      );
      expect(report).toMatchObject({
        status: 'done',
        progress: '100%',
        scanned: `${webEvents.length}/${webEvents.length}`,
        sent: webEvents.length,
        sent_by_type: { track: tracks, identify: webEvents.length - tracks },
        first_message_id: webEvents[0]!.messageId,
        last_message_id: webEvents[webEvents.length - 1]!.messageId,
        duplicates_and_filtered: 0,
        failed: 0,
        retrying: 0,
        finished_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        // The topic holds nothing before web's first event: the report says from when it held the range.
        retained_from: webEvents[0]!.receivedAt,
      });
      for (const e of webEvents) expect(delivered().filter((id) => id === e.messageId)).toHaveLength(1);

      const shown = await cli('replays', 'show', 'music', first);
      expect(shown.code).toBe(0);
      expect(shown.out).toMatch(/^status: +done$/m);
      expect(shown.out).toMatch(new RegExp(`^scanned: +${webEvents.length}/${webEvents.length}$`, 'm'));
      expect(shown.out).toMatch(
        /^sent_by_type: +\{"identify":3,"track":9\}$|^sent_by_type: +\{"track":9,"identify":3\}$/m,
      );
      expect(shown.out).toMatch(new RegExp(`^delivered: +${webEvents.length}$`, 'm'));

      const listed = await cli('replays', 'list', 'music');
      expect(listed.out.split('\n')[0]).toMatch(
        /^ID\s+SOURCE\s+DESTINATION\s+STATUS\s+REQUESTED_BY\s+FROM\s+TO\s+PROGRESS\s+SENT\s+DELIVERED$/,
      );
      expect(listed.out).toMatch(
        new RegExp(`^${first}\\s+web\\s+Hook\\s+done\\s+cli-operator\\s+\\S+\\s+\\S+\\s+100%\\s+12\\s+12$`, 'm'),
      );
    });

    it('waits for the end with --wait, times given as how long ago; the same events again are duplicates', async () => {
      const waited = await cli('replays', 'start', 'music', 'web', 'Hook', '--from', '1h', '--to', '1m', '--wait');
      expect(waited).toMatchObject({ code: 0, err: '' });
      const lines = waited.out.split('\n');
      const progress = lines.filter((l) => /^(running|stopping|done):/.test(l));
      expect(progress.length).toBeGreaterThan(0);
      expect(progress[progress.length - 1]).toBe(`done: 100% read, ${webEvents.length} sent`);
      expect(waited.out).toMatch(/^status: +done$/m);
      expect(waited.out).toMatch(new RegExp(`^sent: +${webEvents.length}$`, 'm'));
      const id = /^id: +(rp_\S+)$/m.exec(waited.out)?.[1] ?? '';
      const report = await eventually(
        () => showReplay(id),
        (r) => r.duplicates_and_filtered === webEvents.length,
      );
      expect(report.delivered).toBe(0);
      expect(delivered().filter((m) => webEvents.some((e) => e.messageId === m))).toHaveLength(webEvents.length);

      // Newest first, --limit honoured.
      const listed = await json<Array<{ id: string }>>('replays', 'list', 'music');
      expect(listed.map((r) => r.id)).toEqual([id, first]);
      expect((await json<Array<{ id: string }>>('replays', 'list', 'music', '--limit', '1')).map((r) => r.id)).toEqual([
        id,
      ]);
    });

    it('holds the rate asked for; a cancel stops it, and a --wait on it ends with an error', async () => {
      const waiting = cli(
        'replays',
        'start',
        'music',
        'web',
        'Hook',
        '--from',
        from,
        '--to',
        to,
        '--rate',
        '1',
        '--wait',
      );
      const [run] = await eventually(
        () => json<Array<ReplayJson & { rate_per_second: number }>>('replays', 'list', 'music', '--limit', '1'),
        (r) => r[0] !== undefined && r[0].id !== first && r[0].status === 'running' && r[0].sent >= 1,
      );
      expect(run!.rate_per_second).toBe(1);
      const cancelling = await json<ReplayJson>('replays', 'cancel', 'music', run!.id);
      expect(cancelling).toMatchObject({ id: run!.id, status: 'stopping', cancelled_by: 'cli-operator' });
      const waited = await waiting;
      expect(waited).toMatchObject({
        code: 1,
        err: `error: replay ${run!.id} was cancelled by cli-operator before the end\n`,
      });
      expect(waited.out).toMatch(/^status: +stopped$/m);
      expect(waited.out).toMatch(/^rate_per_second: +1$/m);
      const stopped = await showReplay(run!.id);
      expect(stopped.cancelled_by).toBe('cli-operator');
      // One a second from the start (and the one in hand when the cancel was seen), not all of them.
      const seconds = (Date.parse(stopped.finished_at) - Date.parse(stopped.requested_at)) / 1000;
      expect(stopped.sent).toBeGreaterThanOrEqual(1);
      expect(stopped.sent).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
      expect(stopped.sent).toBeLessThan(webEvents.length);

      // One that had finished: shown as it is, with a note that nothing was cancelled.
      const late = await cli('--json', 'replays', 'cancel', 'music', first);
      expect(late).toMatchObject({
        code: 0,
        err: `note: replay ${first} had already ended (done); nothing was cancelled\n`,
      });
      expect(JSON.parse(late.out)).toMatchObject({ id: first, status: 'done', cancelled_by: '' });
    }, 30_000);

    it('refuses bad times, rates, ranges and names with a message each', async () => {
      const start = (...args: string[]) => cli('replays', 'start', 'music', 'web', 'Hook', ...args);
      const notATime = 'is not a time: give ISO-8601 (2026-05-01T10:00:00Z) or how long ago (90m, 2h, 1d)';
      expect(await start('--from', 'yesterday', '--to', to)).toEqual({
        code: 1,
        out: '',
        err: `error: --from "yesterday" ${notATime}\n`,
      });
      expect(await start('--from', from, '--to', '5 minutes ago')).toEqual({
        code: 1,
        out: '',
        err: `error: --to "5 minutes ago" ${notATime}\n`,
      });
      expect(await start('--from', '1h', '--to', '2h')).toEqual({
        code: 1,
        out: '',
        err: 'error: --from must be before --to\n',
      });
      // Out of the control plane's bounds: said as the option, before anything is asked for.
      for (const rate of ['0', '-5', '1.5', 'fast', '100001']) {
        expect({ rate, ...(await start('--from', from, '--to', to, '--rate', rate)) }).toEqual({
          rate,
          code: 1,
          out: '',
          err: 'error: --rate must be a whole number of events per second, from 1 to 100000\n',
        });
      }
      expect(await start('--from', '10m', '--to', new Date(Date.now() + 3_600_000).toISOString())).toEqual({
        code: 1,
        out: '',
        err: 'error: invalid input:\n  to: is in the future\n',
      });
      expect(await start('--to', to)).toMatchObject({
        code: 2,
        err: "error: required option '--from <time>' not specified\n",
      });
      expect(await cli('replays', 'start', 'music', 'web', 'Lonely', '--from', from, '--to', to)).toEqual({
        code: 1,
        out: '',
        err: 'error: Lonely is not connected to web: connect it first (replayed events go to connected destinations only)\n',
      });
      expect(await cli('replays', 'start', 'music', 'nope', 'Hook', '--from', from, '--to', to)).toEqual({
        code: 1,
        out: '',
        err: 'error: source "nope" not found\n',
      });
      expect(await cli('replays', 'start', 'music', 'web', 'Nope', '--from', from, '--to', to)).toEqual({
        code: 1,
        out: '',
        err: 'error: destination "Nope" not found\n',
      });
      for (const verb of ['show', 'cancel']) {
        expect(await cli('replays', verb, 'music', 'rp_nope')).toEqual({
          code: 1,
          out: '',
          err: 'error: replay "rp_nope" not found\n',
        });
      }
      // A list's --limit within the control plane's bounds, said as the option (a word was read as 0: the default).
      for (const limit of ['0', 'ten', '2.5', '101']) {
        expect({ limit, ...(await cli('replays', 'list', 'music', '--limit', limit)) }).toEqual({
          limit,
          code: 1,
          out: '',
          err: 'error: --limit must be a whole number from 1 to 100\n',
        });
      }
      // The dead-letter lists read --limit the same way, within their own bounds.
      expect(await cli('dead-letters', 'list', 'music', 'Hook', '--limit', '501')).toEqual({
        code: 1,
        out: '',
        err: 'error: --limit must be a whole number from 1 to 500\n',
      });
      expect(await cli('redrives', 'list', 'music', '--limit', 'all')).toEqual({
        code: 1,
        out: '',
        err: 'error: --limit must be a whole number from 1 to 100\n',
      });
      expect(await cli('replays', 'list', 'nowhere')).toEqual({
        code: 1,
        out: '',
        err: 'error: workspace "nowhere" not found\n',
      });
    });
  });

  describe('quarantine replays', () => {
    let planId = '';
    const escalated = Array.from({ length: 6 }, (_, i) => event(`escalated-${i}`, Date.now(), 'Ticket Escalated'));
    const denied = event('denied', Date.now(), 'Refund Denied');
    const appBlocked = event('app-blocked', Date.now(), 'Ticket Escalated');

    beforeAll(async () => {
      const rules = (events: string[]) => ({
        events: Object.fromEntries(events.map((name) => [name, { type: 'object' }])),
        policies: { unplannedEvents: 'block' },
      });
      const { trackingPlans } = stack.cp.client;
      const v1 = await trackingPlans.saveTrackingPlan({
        workspaceId: 'music',
        id: '',
        name: 'Music plan',
        sourceIds: [web.id],
        rules: rules(['Song Played']),
      });
      planId = v1.id;
      // What ingestion quarantined while v1 blocked them: web's, and one of app's.
      const producer = await stack.kafka.producer();
      try {
        await producer.send(
          stack.names.quarantine,
          [
            ...[...escalated, denied].map((e) =>
              encodeEventMessage(e, { sourceId: web.id, workspaceId: web.workspaceId }),
            ),
            encodeEventMessage(appBlocked, { sourceId: app.id, workspaceId: web.workspaceId }),
          ],
          { timeoutMs: 10_000 },
        );
      } finally {
        await producer.disconnect();
      }
      const v2 = await trackingPlans.saveTrackingPlan({
        workspaceId: 'music',
        id: planId,
        name: 'Music plan',
        sourceIds: [web.id],
        rules: rules(['Song Played', 'Ticket Escalated']),
      });
      expect(v2.version).toBe(2);
    });

    let first = '';

    it('checks the quarantined events again against the plan now and releases those that pass, with --wait', async () => {
      const waited = await cli('plans', 'replay-quarantine', 'music', 'web', '--wait');
      expect(waited).toMatchObject({ code: 0, err: '' });
      const progress = waited.out.split('\n').filter((l) => /^(running|stopping|done):/.test(l));
      expect(progress[progress.length - 1]).toBe('done: 100% read, 6 released, 1 still blocked');
      expect(waited.out).toMatch(/^event: +\(every event\)$/m);
      expect(waited.out).toMatch(new RegExp(`^plan: +${planId} v2$`, 'm'));
      expect(waited.out).toMatch(/^status: +done$/m);
      expect(waited.out).toMatch(/^scanned: +8\/8$/m);
      expect(waited.out).toMatch(/^matched: +7$/m);
      expect(waited.out).toMatch(/^released: +6$/m);
      expect(waited.out).toMatch(/^still_blocked: +1$/m);
      expect(waited.out).toMatch(/^requested_by: +cli-operator$/m);
      first = /^id: +(qr_\S+)$/m.exec(waited.out)?.[1] ?? '';
      // Released to the events topic with their messageIds: the hook, connected to web, gets them.
      await eventually(
        async () => delivered(),
        (ids) => escalated.every((e) => ids.includes(e.messageId)),
      );
      expect(delivered()).not.toContain(denied.messageId);
      expect(delivered()).not.toContain(appBlocked.messageId);
    });

    it('replays one event name, lists newest first, shows one', async () => {
      const run = await json<QuarantineReplayJson & Record<string, unknown>>(
        'plans',
        'replay-quarantine',
        'music',
        'web',
        '--event',
        'Refund Denied',
        '--from',
        '1h',
      );
      expect(run).toMatchObject({
        event: 'Refund Denied',
        status: 'running',
        plan: `${planId} v2`,
        rate_per_second: 500,
      });
      const done = await eventually(
        () => showQuarantineReplay(run.id),
        (r) => r.status === 'done',
      );
      expect(done).toMatchObject({ matched: 1, released: 0, still_blocked: 1 });
      const listed = await cli('plans', 'quarantine-replays', 'list', 'music');
      expect(listed.code).toBe(0);
      const rows = listed.out.split('\n');
      expect(rows[0]).toMatch(/^ID\s+SOURCE\s+EVENT\s+STATUS\s+REQUESTED_BY\s+PROGRESS\s+RELEASED\s+STILL_BLOCKED$/);
      expect(rows[1]).toMatch(
        new RegExp(`^${run.id}\\s+web\\s+Refund Denied\\s+done\\s+cli-operator\\s+100%\\s+0\\s+1$`),
      );
      expect(rows[2]).toMatch(
        new RegExp(`^${first}\\s+web\\s+\\(every event\\)\\s+done\\s+cli-operator\\s+100%\\s+6\\s+1$`),
      );
      const one = await json<Array<{ id: string }>>('plans', 'quarantine-replays', 'list', 'music', '--limit', '1');
      expect(one.map((r) => r.id)).toEqual([run.id]);
    });

    it('holds the rate asked for, and cancels', async () => {
      const run = await json<QuarantineReplayJson & { rate_per_second: number }>(
        'plans',
        'replay-quarantine',
        'music',
        'web',
        '--rate',
        '1',
      );
      expect(run.rate_per_second).toBe(1);
      const cancelling = await json<QuarantineReplayJson & { cancelled_by: string }>(
        'plans',
        'quarantine-replays',
        'cancel',
        'music',
        run.id,
      );
      expect(cancelling).toMatchObject({ status: 'stopping', cancelled_by: 'cli-operator' });
      const stopped = await eventually(
        () => showQuarantineReplay(run.id),
        (r) => r.status === 'stopped',
      );
      expect(stopped.released).toBeLessThan(escalated.length);
      const late = await cli('plans', 'quarantine-replays', 'cancel', 'music', first);
      expect(late.code).toBe(0);
      expect(late.out).toMatch(/^status: +done$/m);
      expect(late.err).toBe(`note: quarantine replay ${first} had already ended (done); nothing was cancelled\n`);
    });

    it('refuses bad times, rates, ranges and names with a message each', async () => {
      const start = (...args: string[]) => cli('plans', 'replay-quarantine', 'music', 'web', ...args);
      expect(await start('--from', 'last week')).toEqual({
        code: 1,
        out: '',
        err: 'error: --from "last week" is not a time: give ISO-8601 (2026-05-01T10:00:00Z) or how long ago (90m, 2h, 1d)\n',
      });
      expect(await start('--from', '1h', '--to', '2h')).toEqual({
        code: 1,
        out: '',
        err: 'error: --from must be before --to\n',
      });
      expect(await start('--from', new Date(Date.now() + 3_600_000).toISOString())).toEqual({
        code: 1,
        out: '',
        err: 'error: --from must be before --to (default: now)\n',
      });
      for (const rate of ['0', '2.5', '100001']) {
        expect({ rate, ...(await start('--rate', rate)) }).toEqual({
          rate,
          code: 1,
          out: '',
          err: 'error: --rate must be a whole number of events per second, from 1 to 100000\n',
        });
      }
      expect(await cli('plans', 'replay-quarantine', 'music', 'nope')).toEqual({
        code: 1,
        out: '',
        err: 'error: source "nope" not found\n',
      });
      for (const verb of ['show', 'cancel']) {
        expect(await cli('plans', 'quarantine-replays', verb, 'music', 'qr_nope')).toEqual({
          code: 1,
          out: '',
          err: 'error: quarantine replay "qr_nope" not found\n',
        });
      }
      expect(await cli('plans', 'quarantine-replays', 'list', 'music', '--limit', '101')).toEqual({
        code: 1,
        out: '',
        err: 'error: --limit must be a whole number from 1 to 100\n',
      });
    });
  });
});
