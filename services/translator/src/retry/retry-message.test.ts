import type { ConsumedMessage, OutgoingMessage } from '@manifold/kafka';
import { decodeRetryMessage, encodeRetryMessage, retryDueAt, type PendingRetry } from './retry-message';

function consumed(message: OutgoingMessage): ConsumedMessage {
  return {
    topic: 'manifold.retry.webhook.5s.v1',
    partition: 0,
    offset: '3',
    key: message.key ? Buffer.from(message.key) : null,
    value: Buffer.from(message.value),
    headers: message.headers ?? {},
    timestamp: 0,
  };
}

const retry: PendingRetry = {
  event: {
    type: 'track',
    event: 'Signed Up',
    messageId: 'm-1',
    userId: 'u-1',
    timestamp: '2026-01-01T00:00:00.000Z',
    receivedAt: '2026-01-01T00:00:00.100Z',
    context: {},
    integrations: {},
  },
  metadata: { sourceId: 's1', workspaceId: 'w1' },
  destinationId: 'd1',
  attempts: 2,
  firstAttemptAt: 1000,
  dueAt: 6000,
  notBefore: 7000,
  origin: 'manifold.events.v1/2/42',
  from: 'manifold.retry.webhook.5s.v1/0/17',
  reason: 'http_503',
};

describe('retry messages', () => {
  it('round-trip with the instance, attempt count, times and origin in headers', () => {
    const message = encodeRetryMessage(retry);
    expect(message.key).toBe('u-1');
    expect(message.headers).toMatchObject({
      'manifold-retry-destination-id': 'd1',
      'manifold-retry-attempts': '2',
      'manifold-retry-first-attempt-at': '1000',
      'manifold-retry-due-at': '6000',
      'manifold-retry-origin': 'manifold.events.v1/2/42',
      'manifold-retry-from': 'manifold.retry.webhook.5s.v1/0/17',
      'manifold-source-id': 's1',
    });
    expect(retryDueAt(consumed(message))).toBe(6000);
    expect(decodeRetryMessage(consumed(message))).toEqual(retry);
  });

  it('carry the mappings an earlier attempt delivered, whatever characters their ids hold', () => {
    const partial = { ...retry, deliveredMappings: ['map_1', 'a,b "quoted"'] };
    const message = encodeRetryMessage(partial);
    expect(decodeRetryMessage(consumed(message))).toEqual(partial);
    expect(encodeRetryMessage(retry).headers).not.toHaveProperty('manifold-retry-delivered-mappings');
    const headers = { ...message.headers, 'manifold-retry-delivered-mappings': '{"not":"a list"}' };
    expect(() => decodeRetryMessage(consumed({ ...message, headers }))).toThrow(/malformed/);
  });

  it('read a retry published before the from header existed as one hand-over per origin and attempt count', () => {
    const message = encodeRetryMessage(retry);
    const headers = { ...message.headers };
    delete headers['manifold-retry-from'];
    expect(decodeRetryMessage(consumed({ ...message, headers })).from).toBe('manifold.events.v1/2/42#2');
  });

  it('refuse what is not a retry message, naming what is missing', () => {
    const message = encodeRetryMessage(retry);
    const headers = { ...message.headers };
    delete headers['manifold-retry-destination-id'];
    expect(() => decodeRetryMessage(consumed({ ...message, headers }))).toThrow('manifold-retry-destination-id');
    expect(() => decodeRetryMessage(consumed({ ...message, value: '{"x":1}' }))).toThrow('not a Spec event');
    expect(() => decodeRetryMessage(consumed({ ...message, value: 'not json' }))).toThrow();
  });
});
