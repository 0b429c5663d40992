import { enrichCall } from '../tracking/enrich';
import { takeWriteKey } from './write-key';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('takeWriteKey', () => {
  it('reads Basic auth first, with or without the colon, else the body, else the first batch item', () => {
    expect(takeWriteKey(basic('from-auth:'), { writeKey: 'from-body' })).toBe('from-auth');
    expect(takeWriteKey(basic('no-colon'), {})).toBe('no-colon');
    expect(takeWriteKey('Bearer token', { writeKey: 'from-body' })).toBe('from-body');
    expect(takeWriteKey(undefined, { batch: [{ writeKey: 'from-item' }, { writeKey: 'other' }] })).toBe('from-item');
    expect(takeWriteKey(basic(':'), { writeKey: '' })).toBeUndefined();
  });

  it('leaves no write key in the body: not at the top, not in any batch item, not in the stored event', () => {
    const body: Record<string, unknown> = {
      writeKey: 'k',
      batch: [{ type: 'track', writeKey: 'k' }, { type: 'page', writeKey: 'k' }, 'not an object', null, [1]],
    };
    expect(takeWriteKey(basic('k:'), body)).toBe('k');
    expect(JSON.stringify(body)).not.toContain('writeKey');

    const call: Record<string, unknown> = { userId: 'u', event: 'E', writeKey: 'k' };
    takeWriteKey(undefined, call);
    const event = enrichCall(call, 'track', {
      receivedAtMs: Date.parse('2026-03-01T12:00:00.000Z'),
      receivedAt: '2026-03-01T12:00:00.000Z',
      ip: undefined,
    });
    expect(event?.['writeKey']).toBeUndefined();
    expect(JSON.stringify(event)).not.toContain('writeKey');
  });
});
