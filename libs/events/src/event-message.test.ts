import type { ConsumedMessage } from '@manifold/kafka';
import {
  decodeEventHeaders,
  decodeEventMessage,
  encodeEventMessage,
  EVENT_HEADERS,
  parseEventBody,
  type SpecEvent,
} from './index';

const event: SpecEvent = {
  type: 'track',
  event: 'Signed Up',
  messageId: 'm-1',
  userId: 'u-1',
  anonymousId: 'a-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.100Z',
  context: {},
  integrations: {},
};

function asConsumed(
  key: string | Buffer | null | undefined,
  value: string | Buffer,
  headers: Record<string, string>,
): ConsumedMessage {
  return {
    topic: 't',
    partition: 0,
    offset: '0',
    key: key == null ? null : Buffer.from(key),
    value: Buffer.from(value),
    headers,
    timestamp: 0,
  };
}

describe('event messages', () => {
  it('round-trips an event with its metadata, keyed by user', () => {
    const message = encodeEventMessage(event, { sourceId: 's1', workspaceId: 'w1' }, { traceparent: 'tp' });
    expect(message.key).toBe('u-1');
    expect(message.headers).toMatchObject({ [EVENT_HEADERS.type]: 'track', traceparent: 'tp' });
    const decoded = decodeEventMessage(asConsumed(message.key, message.value, message.headers ?? {}));
    expect(decoded).toEqual({ event, metadata: { sourceId: 's1', workspaceId: 'w1' } });
  });

  it('keys anonymous events by anonymousId', () => {
    expect(encodeEventMessage({ ...event, userId: null }, { sourceId: 's', workspaceId: 'w' }).key).toBe('a-1');
  });

  it('refuses messages that are not events', () => {
    expect(() => decodeEventMessage(asConsumed(null, '{}', {}))).toThrow('without source');
    expect(() =>
      decodeEventMessage(
        asConsumed(null, '{"type":"nope"}', { [EVENT_HEADERS.sourceId]: 's', [EVENT_HEADERS.workspaceId]: 'w' }),
      ),
    ).toThrow('not a Spec event');
  });

  it('reads the headers without the body, and the body on its own, with the same checks', () => {
    const message = encodeEventMessage(event, { sourceId: 's1', workspaceId: 'w1' });
    const consumed = asConsumed(message.key, message.value, message.headers ?? {});
    expect(decodeEventHeaders(consumed)).toEqual({ sourceId: 's1', workspaceId: 'w1' });
    expect(parseEventBody(Buffer.from(message.value))).toEqual(event);
    // Headers alone do not look at the body: a body that is not an event is for parseEventBody to refuse.
    const notAnEvent = asConsumed(null, 'not json', message.headers ?? {});
    expect(decodeEventHeaders(notAnEvent)).toEqual({ sourceId: 's1', workspaceId: 'w1' });
    expect(() => parseEventBody(Buffer.from('not json'))).toThrow(SyntaxError);
    expect(() => parseEventBody(Buffer.from('{"type":"track"}'))).toThrow('not a Spec event');
    expect(() => decodeEventHeaders({ ...consumed, value: null })).toThrow('without a body');
    expect(() => decodeEventHeaders(asConsumed(null, '{}', {}))).toThrow('without source');
  });
});
