import { decodeTraceRecord, encodeTraceRecord, TraceRecordBuilder, type TraceEntry, type TraceRecord } from './trace';

const AT = 1767225601000;

function entry(messageId: string, origin: string, extra: Partial<TraceEntry> = {}): TraceEntry {
  return {
    messageId,
    workspaceId: 'w-1',
    sourceId: 's-1',
    destinationId: 'd-1',
    destinationType: 'webhook',
    origin,
    receivedAt: '2026-01-01T00:00:01.000Z',
    eventType: 'track',
    outcome: 'delivered',
    attempt: 1,
    at: AT,
    ...extra,
  };
}

/** The rows of a record as the wire holds them. */
function rows(wire: string): unknown[][] {
  return (JSON.parse(wire) as { e: unknown[][] }).e;
}

describe('trace records on the wire (version 3)', () => {
  it('write an origin that follows the one before as its offset, and read every origin back', () => {
    const origins = [
      'manifold.events.v1/0/0',
      'manifold.events.v1/0/1', // offset 1: not the "same as before" marker of a string field
      'manifold.events.v1/0/0', // offset 0: not the "absent" marker
      'manifold.events.v1/0/007', // not a number as written: kept whole
      'manifold.events.v1/1/8',
      'replay:rp_1:manifold.events.v1/2/40',
      'replay:rp_1:manifold.events.v1/2/41',
      'redrive-origin',
      '5',
      '',
    ];
    const record: TraceRecord = { exchanges: [], entries: origins.map((o, i) => entry(`m-${i}`, o)) };
    const wire = encodeTraceRecord(record);
    expect(decodeTraceRecord(wire)).toEqual(record);
    expect(rows(wire).map((row) => row[5])).toEqual([
      'manifold.events.v1/0/0',
      1,
      0,
      'manifold.events.v1/0/007',
      'manifold.events.v1/1/8',
      'replay:rp_1:manifold.events.v1/2/40',
      41,
      'redrive-origin',
      5,
      '',
    ]);
  });

  it('tell a field that repeats the entry before from one that is absent', () => {
    const record: TraceRecord = {
      exchanges: [],
      entries: [
        entry('m-1', 'e/0/1', { eventName: 'Signed Up', reason: 'http_503', runId: 'rp_1' }),
        entry('m-2', 'e/0/2', { eventName: 'Signed Up', reason: 'http_503' }),
        entry('m-3', 'e/0/3', { reason: 'http_503', mappingId: 'map_1' }),
        entry('m-4', 'e/0/4', { eventType: 'identify', outcome: 'filtered', attempt: 0, mappingId: 'map_1' }),
        entry('m-4', 'e/0/4', { destinationId: 'd-2', eventType: 'identify', outcome: 'filtered', attempt: 0 }),
      ],
    };
    const wire = encodeTraceRecord(record);
    expect(decodeTraceRecord(wire)).toEqual(record);
    // The second entry's workspace, source, instance, type, receivedAt, event name and reason
    // repeat the first's; its runId is absent.
    expect(rows(wire)[1]).toEqual(['m-2', 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 0, 1, 0]);
  });

  it('keep times exact, counted from the record base', () => {
    const record: TraceRecord = {
      exchanges: [
        {
          request: { method: 'POST', url: 'http://x/in', headers: {} },
          response: { status: 200, headers: {}, body: 'ok' },
        },
      ],
      entries: [
        entry('m-1', 'e/0/1', { exchange: 0, sentAt: AT - 37, durationMs: 12 }),
        entry('m-2', 'e/0/2', { at: AT + 86_400_000 * 3, exchange: 0, sentAt: AT + 86_400_000 * 3 - 5, durationMs: 0 }),
        entry('m-3', 'e/0/3', { at: AT - 1 }),
      ],
    };
    const wire = encodeTraceRecord(record);
    expect(decodeTraceRecord(wire)).toEqual(record);
    expect(JSON.parse(wire).t).toBe(AT);
  });

  it('hold a delivered webhook event in about 70 bytes', () => {
    const builder = new TraceRecordBuilder();
    const exchange = { request: { method: 'POST', url: 'https://hooks.example.com/in', headers: {} } };
    for (let n = 0; n < 200; n++) {
      builder.add(
        entry(`bench-mioxyz.r1.${1000 + n}`, `manifold.events.v1/3/${52_000 + n}`, {
          eventName: 'Product Viewed',
          at: AT + n,
          sentAt: AT + n - 4,
          durationMs: 3,
        }),
        exchange,
      );
    }
    expect(builder.size).toBe(200);
    const wire = builder.finish();
    expect(wire.length / 200).toBeLessThan(75);
    expect(decodeTraceRecord(wire).exchanges).toEqual([exchange]);
  });
});

describe('trace records written before (version 2)', () => {
  it('still read: nulls for absent fields, and for an instance that repeats the entry before', () => {
    const wire = JSON.stringify({
      v: 2,
      x: [{ request: { method: 'POST', url: 'http://x/in', headers: {} } }],
      e: [
        [
          'm-1',
          'w-1',
          's-1',
          'd-1',
          'webhook',
          'events/0/7',
          '2026-01-01T00:00:01.000Z',
          'track',
          'Signed Up',
          'delivered',
          null,
          null,
          1,
          AT,
          0,
          null,
          AT - 9,
          9,
        ],
        [
          'm-2',
          null,
          null,
          null,
          null,
          'events/0/8',
          '2026-01-01T00:00:02.000Z',
          'page',
          null,
          'filtered',
          'FILTERED_BY_RULES',
          null,
          0,
          AT,
        ],
      ],
    });
    expect(decodeTraceRecord(wire).entries).toEqual([
      entry('m-1', 'events/0/7', { eventName: 'Signed Up', exchange: 0, sentAt: AT - 9, durationMs: 9 }),
      entry('m-2', 'events/0/8', {
        receivedAt: '2026-01-01T00:00:02.000Z',
        eventType: 'page',
        outcome: 'filtered',
        reason: 'FILTERED_BY_RULES',
        attempt: 0,
      }),
    ]);
  });
});
