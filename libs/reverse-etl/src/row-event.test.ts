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
const row = { id: 'k"1', email: 'a@x.io', ltv: 10.5, tags: ['a', null], nested: { é: 1e21, n: -0 } };
// As PostgreSQL's jsonb wrote it, which the runs of earlier versions read (with spaces).
const jsonbText =
  '{"id": "k\\"1", "ltv": 10.5, "tags": ["a", null], "email": "a@x.io", "nested": {"n": -0, "é": 1e21}}';
const change: RowChange = { kind: 'updated', key: 'k"1', rowJson: jsonbText };
const warehouse = { ...context, rowText: 'warehouse' as const };

describe('row change messages', () => {
  it('keep the messageId of earlier versions for the runs they started (a hash of model, run, kind, key and row)', () => {
    // What the version that serialised the whole event with JSON.stringify gave for this change.
    const earlier = { ...change, rowJson: JSON.stringify(row) };
    expect(rowChangeMessageId(context, earlier)).toBe('retl-4bd2608f064d490e9474f24f1ff68eb6b3a87839');
    expect(rowChangeMessageId({ ...context, runId: 'run-2' }, earlier)).not.toBe(
      'retl-4bd2608f064d490e9474f24f1ff68eb6b3a87839',
    );
    // Such a run's changes table holds jsonb text: parsed and written again, it hashes the same.
    expect(JSON.stringify(JSON.parse(jsonbText))).not.toBe(jsonbText);
    expect(rowChangeMessageId(context, change)).toBe(
      rowChangeMessageId(context, { ...change, rowJson: JSON.stringify(JSON.parse(jsonbText)) }),
    );
  });

  it('have the body JSON.stringify gives of the event, and encodeEventMessage’s headers', () => {
    for (const ctx of [context, warehouse]) {
      for (const kind of ['added', 'updated', 'deleted'] as const) {
        const compact = { ...change, kind, rowJson: JSON.stringify(row) };
        const message = rowChangeMessage(ctx, compact, now);
        expect(rowChangeEncoder(ctx, now)(compact)).toEqual(message);
        const event = rowChangeEvent(ctx, compact, now);
        expect(message.value).toBe(JSON.stringify(event));
        const encoded = encodeEventMessage(event, { sourceId: context.modelId, workspaceId: context.workspaceId });
        // The same names in the same order, each value the UTF-8 bytes of encodeEventMessage's.
        const headers = Object.entries(message.headers ?? {}).map(([name, value]) => [name, value.toString('utf8')]);
        expect(headers).toEqual(Object.entries(encoded.headers ?? {}));
        expect(message.key).toBe('mdl_customers:k"1');
      }
    }
  });

  it('carry the warehouse’s text of the row as it is in the runs this version starts, every digit kept', () => {
    // Its longest number has 15 digits, fewer than any integer a double cannot hold: taken as it is.
    const rowJson = '{"id":"k\\"1","big":123456789012345,"price":1.50}';
    const message = rowChangeEncoder(warehouse, now)({ ...change, rowJson });
    expect(message.value).toContain(`"properties":${rowJson},`);
    expect(JSON.parse(String(message.value))).toMatchObject({ type: 'track', event: 'updated' });
    // The row's text is what is hashed: another text of the same values is another change.
    expect(rowChangeMessageId(warehouse, { ...change, rowJson })).not.toBe(
      rowChangeMessageId(warehouse, { ...change, rowJson: '{"id":"k\\"1","big":123456789012345,"price":1.5}' }),
    );
    // Runs begun before this version re-serialise it, as they did.
    expect(String(rowChangeEncoder(context, now)({ ...change, rowJson }).value)).toContain(
      '"properties":{"id":"k\\"1","big":123456789012345,"price":1.5},',
    );
  });

  it('send an integer beyond 2^53 as its digits, which a translator parsing the event would otherwise round', () => {
    // A BIGINT id as the warehouse writes it: JSON.parse, as translators read events, makes it another number.
    const rowJson = '{"id":1234567890123456789,"exact":9007199254740992,"list":[-98765432109876543210],"price":1.50}';
    expect(JSON.parse(rowJson)).toMatchObject({ id: 1234567890123456800 });
    const bigChange = { ...change, key: '1234567890123456789', rowJson };
    const message = rowChangeEncoder(warehouse, now)(bigChange);
    const event = JSON.parse(String(message.value)) as { properties: Record<string, unknown>; messageId: string };
    expect(event.properties).toEqual({
      id: '1234567890123456789',
      exact: 9007199254740992,
      list: ['-98765432109876543210'],
      price: 1.5,
    });
    // The same body as the event it encodes, and the same messageId each time the row is published.
    expect(message.value).toBe(JSON.stringify(rowChangeEvent(warehouse, bigChange, now)));
    expect(event.messageId).toBe(rowChangeMessageId(warehouse, bigChange));
    expect(rowChangeEncoder(warehouse, now)(bigChange).value).toBe(message.value);
  });
});
