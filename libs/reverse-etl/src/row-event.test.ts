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
    const rowJson = '{"id":"k\\"1","big":9007199254740993,"price":1.50}';
    const message = rowChangeEncoder(warehouse, now)({ ...change, rowJson });
    expect(message.value).toContain(`"properties":${rowJson},`);
    expect(JSON.parse(String(message.value))).toMatchObject({ type: 'track', event: 'updated' });
    // The row's text is what is hashed: another text of the same values is another change.
    expect(rowChangeMessageId(warehouse, { ...change, rowJson })).not.toBe(
      rowChangeMessageId(warehouse, { ...change, rowJson: '{"id":"k\\"1","big":9007199254740992,"price":1.5}' }),
    );
    // Runs begun before this version re-serialise it, as they did.
    expect(String(rowChangeEncoder(context, now)({ ...change, rowJson }).value)).toContain(
      '"properties":{"id":"k\\"1","big":9007199254740992,"price":1.5},',
    );
  });
});
