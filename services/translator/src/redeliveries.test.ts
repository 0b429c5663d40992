// Redeliveries (dead letters redriven, replays) through the normal delivery path, and the
// per-event trace the translator writes; real Kafka and FerretDB, webhook emulators.
import { WebhookEmulator } from '@manifold/emulators';
import {
  encodeRedelivery,
  replayOrigin,
  decodeTraceRecord,
  traceKeyHash,
  type DeadLetterRecord,
  type Redelivery,
  type SpecEvent,
  type TraceIndexMessage,
} from '@manifold/events';
import {
  destination,
  json,
  publishEvents,
  readTopic,
  readTopicUntil,
  snapshot,
  SOURCE_ID,
  startTestTranslator,
  trackEvent,
  waitFor,
  waitForReports,
  WORKSPACE_ID,
  type TestTranslator,
  deliveredIds,
} from './test-support/harness';

const SECRET = 'redelivery-s3cret';
const webhook = (id: string, url: string) =>
  destination({ id, catalogId: 'webhook', catalogName: 'Webhook', settings: { url, sharedSecret: SECRET } });

const metadata = { sourceId: SOURCE_ID, workspaceId: WORKSPACE_ID };

describe('redeliveries and traces', () => {
  const hooks: Record<string, WebhookEmulator> = {};
  let t: TestTranslator;

  beforeAll(async () => {
    for (const name of ['a', 'b', 'c', 'd']) hooks[name] = await new WebhookEmulator({ sharedSecret: SECRET }).start();
    t = await startTestTranslator({
      snapshot: snapshot([
        webhook('hook-a', `${hooks['a']!.baseUrl}/in`),
        webhook('hook-b', `${hooks['b']!.baseUrl}/in`),
        webhook('hook-c', `${hooks['c']!.baseUrl}/in`),
        // Two mappings: each event is two requests, one per mapping.
        {
          ...webhook('hook-d', `${hooks['d']!.baseUrl}/in`),
          mappings: ['orders', 'audit'].map((id) => ({
            id,
            name: id,
            enabled: true,
            trigger: 'type = "track"',
            action: 'send',
            fields: { data: { mapping: id, messageId: { '@path': '$.messageId' } } },
          })),
        },
      ]),
      settings: { traceFlushIntervalMs: 200 },
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all(Object.values(hooks).map((h) => h.close()));
  });

  const redeliver = async (redeliveries: Redelivery[]): Promise<void> => {
    const producer = await t.kafka.producer();
    try {
      await producer.send(t.translator.names.redeliver('webhook'), redeliveries.map(encodeRedelivery));
    } finally {
      await producer.disconnect();
    }
  };

  it('replays to one instance only, refuses messageIds delivered within the window, routes replayed events', async () => {
    const seen = Array.from({ length: 3 }, (_, n) => trackEvent(n));
    await publishEvents(t.kafka, t.settings.eventsTopic, seen);
    await waitFor(() => seen.every((e) => deliveredIds(hooks['a']!).includes(e.messageId)), 20000, 'first deliveries');
    await waitFor(() => seen.every((e) => deliveredIds(hooks['b']!).includes(e.messageId)), 20000, 'first deliveries');
    const fresh = Array.from({ length: 4 }, (_, n) => trackEvent(10 + n));
    const excluded = trackEvent(20, { integrations: { Webhook: false } });
    const replay = (event: SpecEvent, offset: number): Redelivery => ({
      kind: 'replay',
      event,
      metadata,
      destinationId: 'hook-a',
      origin: replayOrigin('run-replay', `${t.settings.eventsTopic}/0/${offset}`),
      runId: 'run-replay',
    });
    await redeliver([...seen, ...fresh, excluded].map((e, i) => replay(e, 100 + i)));

    const reports = await waitForReports(
      t.kafka,
      t.translator.deliveryReportsTopic,
      (c) => (c['hook-a|delivered|'] ?? 0) >= 7 && (c['hook-a|filtered|DUPLICATE_MESSAGE_ID'] ?? 0) >= 3,
    );
    expect(reports.counts['hook-a|filtered|FILTERED_BY_INTEGRATIONS_OBJECT']).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A got each fresh event once and the seen ones only from the events topic; B nothing new.
    const a = deliveredIds(hooks['a']!);
    for (const e of fresh) expect(a.filter((id) => id === e.messageId)).toHaveLength(1);
    for (const e of seen) expect(a.filter((id) => id === e.messageId)).toHaveLength(1);
    expect(a).not.toContain(excluded.messageId);
    expect(deliveredIds(hooks['b']!).sort()).toEqual(seen.map((e) => e.messageId).sort());
  });

  it('redrives dead letters once the destination is healed, and traces every attempt', async () => {
    const hook = hooks['c']!;
    hook.reset();
    hook.failNext(2, { status: 400, body: { error: `bad request for ${SECRET}` } });
    // Only C rejects: A and B deliver these too, and C is the one to redrive to.
    const events = [trackEvent(30), trackEvent(31)];
    await publishEvents(t.kafka, t.settings.eventsTopic, events);
    const dlq = await readTopic(t.kafka, t.translator.names.deadLetter('webhook'), 2);
    const records = dlq.map((m) => json<DeadLetterRecord>(m));
    expect(records.map((r) => r.reason)).toEqual(['REJECTED', 'REJECTED']);
    expect(deliveredIds(hook)).toEqual([]);

    await redeliver(
      records.map((r) => ({
        kind: 'redrive',
        event: r.event!,
        metadata: { sourceId: r.sourceId!, workspaceId: r.workspaceId! },
        destinationId: r.destinationId!,
        origin: r.origin,
        runId: 'run-redrive',
      })),
    );
    await waitFor(() => deliveredIds(hook).length >= 2, 20000, 'redriven deliveries');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveredIds(hook).sort()).toEqual(events.map((e) => e.messageId).sort());
    expect(deliveredIds(hooks['a']!).filter((id) => id === events[0]!.messageId)).toHaveLength(1);

    // The trace: where each record is, from the index, and what it says.
    const wanted = events[0]!.messageId;
    const traces = await readTopicUntil(
      t.kafka,
      t.translator.names.eventTraces,
      (messages) => {
        const found = entriesOf(messages, wanted);
        // A's entry too: each flush of the traces goes to the next partition, read in any order.
        const atC = found.filter((e) => e.entry.destinationId === 'hook-c');
        return atC.length >= 2 && found.some((e) => e.entry.destinationId === 'hook-a');
      },
      20000,
    );
    const entries = entriesOf(traces, wanted);
    // Records of several partitions come in any order: by the time each was decided.
    const atC = entries.filter((e) => e.entry.destinationId === 'hook-c').sort((a, b) => a.entry.at - b.entry.at);
    expect(atC.map((e) => [e.entry.outcome, e.entry.reason ?? '', e.entry.runId ?? ''])).toEqual([
      ['failed', 'http_400', ''],
      ['delivered', '', 'run-redrive'],
    ]);
    const rejected = atC[0]!.exchange!;
    expect(rejected.response?.status).toBe(400);
    expect(rejected.request.method).toBe('POST');
    expect(rejected.request.url).toBe(`${hook.baseUrl}/in`);
    expect(rejected.request.body).toContain(wanted);
    expect(JSON.stringify(atC)).not.toContain(SECRET);
    expect(entries.find((e) => e.entry.destinationId === 'hook-a')?.entry.outcome).toBe('delivered');
    expect(entries[0]!.entry).toMatchObject({ sourceId: SOURCE_ID, eventType: 'track', eventName: 'Order Completed' });
    expect(entries[0]!.entry.origin).toMatch(new RegExp(`^${t.settings.eventsTopic}/\\d+/\\d+$`));

    // The index says where the event's records are: read just those, they hold its entries.
    const hash = traceKeyHash(WORKSPACE_ID, wanted);
    const index = await readTopicUntil(
      t.kafka,
      t.translator.names.eventTraceIndex,
      (messages) => positionsOf(messages, hash).length >= 2,
      20000,
    );
    const positions = positionsOf(index, hash);
    const named: Array<{ value: Buffer | null }> = [];
    await t.kafka.readRanges({
      topic: t.translator.names.eventTraces,
      ranges: positions.map((p) => ({
        partition: p.partition,
        from: p.offset,
        to: (BigInt(p.offset) + 1n).toString(),
      })),
      handleBatch: async (messages) => {
        named.push(...messages);
      },
    });
    expect(entriesOf(named, wanted).filter((e) => e.entry.destinationId === 'hook-c')).toHaveLength(2);
  });

  it('redrives a dead letter through the mappings that had not delivered it, not the ones that had', async () => {
    const hook = hooks['d']!;
    hook.reset();
    // The first of the event's two requests is refused for good; the other goes through.
    hook.failNext(1, { status: 400, body: { error: 'not now' } });
    const event = trackEvent(40);
    await publishEvents(t.kafka, t.settings.eventsTopic, [event]);
    const letters = await readTopicUntil(
      t.kafka,
      t.translator.names.deadLetter('webhook'),
      (messages) => messages.some((m) => json<DeadLetterRecord>(m).destinationId === 'hook-d'),
      20000,
    );
    const letter = letters.map((m) => json<DeadLetterRecord>(m)).find((r) => r.destinationId === 'hook-d')!;
    const mappingsOf = () => hook.deliveries.map((d) => (d.body as { mapping: string }).mapping);
    await waitFor(() => mappingsOf().length === 1, 10000, 'the mapping that went through');
    const [first] = mappingsOf();
    expect(letter.deliveredMappings).toEqual([first]);

    await redeliver([
      {
        kind: 'redrive',
        event: letter.event!,
        metadata: { sourceId: letter.sourceId!, workspaceId: letter.workspaceId! },
        destinationId: 'hook-d',
        origin: letter.origin,
        runId: 'run-redrive-mappings',
        deliveredMappings: letter.deliveredMappings!,
      },
    ]);
    await waitFor(() => mappingsOf().length >= 2, 20000, 'the redriven mapping');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Each mapping's request delivered once: the redrive did not send the first one again.
    expect(mappingsOf().sort()).toEqual(['audit', 'orders']);
    expect(hook.deliveries.map((d) => (d.body as { messageId: string }).messageId)).toEqual([
      event.messageId,
      event.messageId,
    ]);
  });
});

function entriesOf(messages: readonly { value: Buffer | null }[], messageId: string) {
  return messages.flatMap((m) => {
    const record = decodeTraceRecord((m as { value: Buffer }).value);
    return record.entries
      .filter((entry) => entry.messageId === messageId)
      .map((entry) => ({
        entry,
        exchange: entry.exchange !== undefined ? record.exchanges[entry.exchange] : undefined,
      }));
  });
}

/** Where the index messages say records holding `hash` are. */
function positionsOf(messages: readonly { value: Buffer | null }[], hash: number) {
  return messages.flatMap((m) => {
    const item = json<TraceIndexMessage>(m as Parameters<typeof json>[0]);
    const found: Array<{ partition: number; offset: string }> = [];
    for (let i = 0; i < item.keys.length; i += 2) {
      if (item.keys[i] === hash) {
        found.push({
          partition: item.partition,
          offset: (BigInt(item.baseOffset) + BigInt(item.keys[i + 1]!)).toString(),
        });
      }
    }
    return found;
  });
}
