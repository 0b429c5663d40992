// A row change's Kafka message is written out by hand (the row serialised once): it must stay
// byte for byte what JSON.stringify of the event gives, with the messageIds earlier versions gave,
// so that a run resumed across an upgrade republishes its page with the same ids.
import { encodeEventMessage } from '@manifold/events';
import type { RowChange } from '@manifold/warehouse';
import { rowChangeEncoder, rowChangeEvent, rowChangeMessage, rowChangeMessageId } from './row-event';

const context = {
  modelId: 'mdl_customers',
  workspaceId: 'ws-1',
  runId: 'run-1',
  runStartedAt: '2026-12-02T10:00:00.000Z',
};
const now = '2026-12-02T10:00:01.000Z';
// Quotes, non-ASCII keys, arrays, nulls, a number JSON writes in exponent form and a negative zero.
const change: RowChange = {
  kind: 'updated',
  key: 'k"1',
  row: { id: 'k"1', email: 'a@x.io', ltv: 10.5, tags: ['a', null], nested: { é: 1e21, n: -0 } },
};

describe('row change messages', () => {
  it('keep the messageId of earlier versions (a hash of model, run, kind, key and row)', () => {
    // What the version that serialised the whole event with JSON.stringify gave for this change.
    expect(rowChangeMessageId(context, change)).toBe('retl-4bd2608f064d490e9474f24f1ff68eb6b3a87839');
    expect(rowChangeMessageId({ ...context, runId: 'run-2' }, change)).not.toBe(
      'retl-4bd2608f064d490e9474f24f1ff68eb6b3a87839',
    );
  });

  it('have the body JSON.stringify gives of the event, and encodeEventMessage’s headers', () => {
    for (const kind of ['added', 'updated', 'deleted'] as const) {
      const message = rowChangeMessage(context, { ...change, kind }, now);
      expect(rowChangeEncoder(context, now)({ ...change, kind })).toEqual(message);
      const event = rowChangeEvent(context, { ...change, kind }, now);
      expect(message.value).toBe(JSON.stringify(event));
      const encoded = encodeEventMessage(event, { sourceId: context.modelId, workspaceId: context.workspaceId });
      // The same names in the same order, each value the UTF-8 bytes of encodeEventMessage's.
      const headers = Object.entries(message.headers ?? {}).map(([name, value]) => [name, value.toString('utf8')]);
      expect(headers).toEqual(Object.entries(encoded.headers ?? {}));
      expect(message.key).toBe('mdl_customers:k"1');
    }
  });
});
