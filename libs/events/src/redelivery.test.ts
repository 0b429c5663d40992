import type { ConsumedMessage } from '@manifold/kafka';
import { decodeRedelivery, encodeRedelivery, replayOrigin } from './redelivery';
import { decodeTraceRecord, encodeTraceRecord, traceKeyHash, type TraceEntry, type TraceRecord } from './trace';
import type { SpecEvent } from './spec';

const event: SpecEvent = {
  type: 'track',
  event: 'Order Completed',
  messageId: 'm-1',
  userId: 'u-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:01.000Z',
  context: {},
  integrations: {},
};

function consumed(message: ReturnType<typeof encodeRedelivery>): ConsumedMessage {
  return {
    topic: 't',
    partition: 0,
    offset: '0',
    key: null,
    value: Buffer.from(message.value),
    headers: message.headers ?? {},
    timestamp: 0,
  };
}

describe('redelivery messages', () => {
  it('carry the event, its metadata, the instance, the claim origin and the run', () => {
    const redelivery = {
      kind: 'replay' as const,
      event,
      metadata: { sourceId: 's-1', workspaceId: 'w-1' },
      destinationId: 'd-1',
      origin: replayOrigin('run-1', 'manifold.events.v1/2/40'),
      runId: 'run-1',
    };
    const message = encodeRedelivery(redelivery);
    expect(message.key).toBe('u-1');
    expect(decodeRedelivery(consumed(message))).toEqual(redelivery);
    expect(redelivery.origin).toBe('replay:run-1:manifold.events.v1/2/40');
  });

  it('refuse a message that is not one', () => {
    const message = encodeRedelivery({
      kind: 'redrive',
      event,
      metadata: { sourceId: 's-1', workspaceId: 'w-1' },
      destinationId: 'd-1',
      origin: 'o',
      runId: 'r',
    });
    const broken = consumed(message);
    delete broken.headers['manifold-redeliver-run-id'];
    expect(() => decodeRedelivery(broken)).toThrow(/without destination, origin or run/);
  });
});

describe('trace key hash', () => {
  it('is a stable unsigned 32-bit hash of workspace and messageId', () => {
    const hash = traceKeyHash('w-1', 'm-1');
    expect(hash).toBe(traceKeyHash('w-1', 'm-1'));
    expect(hash).toBeGreaterThanOrEqual(0);
    expect(hash).toBeLessThan(2 ** 32);
    expect(traceKeyHash('w-2', 'm-1')).not.toBe(hash);
  });

  it('is FNV-1a of `workspace|messageId`, as the index documents kept for 7 days hold it', () => {
    expect(traceKeyHash('w-1', 'm-1')).toBe(1940391321);
    expect(traceKeyHash('ws-bench', 'bench-mioxyz.1t.r1.1234')).toBe(1884400877);
    expect(traceKeyHash('wé', 'ü-42')).toBe(3842920778);
  });
});

describe('trace records on the wire', () => {
  it('read back as written, repeated fields given once', () => {
    const entry = (messageId: string, destinationId: string, extra: Partial<TraceEntry> = {}): TraceEntry => ({
      messageId,
      workspaceId: 'w-1',
      sourceId: 's-1',
      destinationId,
      destinationType: 'webhook',
      origin: 'manifold.events.v1/0/7',
      receivedAt: '2026-01-01T00:00:01.000Z',
      eventType: 'track',
      outcome: 'delivered',
      attempt: 1,
      at: 1767225601000,
      ...extra,
    });
    const record: TraceRecord = {
      exchanges: [{ request: { method: 'POST', url: 'http://x/in', headers: {} } }],
      entries: [
        entry('m-1', 'd-1', {
          eventName: 'Signed Up',
          exchange: 0,
          sentAt: 1767225600990,
          durationMs: 9,
          mappingId: 'map_1',
          mappingName: 'Signups',
        }),
        entry('m-2', 'd-1', { outcome: 'filtered', reason: 'FILTERED_BY_RULES', attempt: 0, runId: 'rp_1' }),
        entry('m-3', 'd-2', { outcome: 'failed', reason: 'http_400', message: 'HTTP 400: no' }),
        // Every field set, each to its own value: a field written in another's place reads back wrong.
        entry('m-4', 'd-3', {
          workspaceId: 'w-2',
          sourceId: 's-2',
          destinationType: 'http',
          eventName: 'Ordered',
          outcome: 'retrying',
          reason: 'http_503',
          message: 'HTTP 503: later',
          attempt: 2,
          exchange: 0,
          runId: 'rd_2',
          sentAt: 1767225601500,
          durationMs: 31,
        }),
      ],
    };
    const wire = encodeTraceRecord(record);
    expect(decodeTraceRecord(wire)).toEqual(record);
    expect(wire.length).toBeLessThan(JSON.stringify(record).length * 0.6);
    expect(() => decodeTraceRecord('{"v":1}')).toThrow(/not a trace record/);
  });
});
