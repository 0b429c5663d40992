import { sampleEvents } from '../testing';
import { batchWithoutCells, buildSourceBatch, droppableCells, planLoad } from './index';

const options = { schema: 'web', uuidTs: '2026-03-01T10:05:00.000Z', maxStringLength: 512 };

describe('droppableCells', () => {
  it("lists every table's values but the ones a row cannot go without", () => {
    const batch = buildSourceBatch([sampleEvents.track({ properties: { quantity: 2 } })], options);
    const cells = droppableCells(batch).map((c) => `${c.table}.${c.column}`);
    expect(cells).toContain('order_completed.quantity');
    expect(cells).toContain('tracks.user_id');
    expect(cells).toContain('order_completed.context_ip');
    for (const kept of ['id', 'received_at', 'uuid_ts', 'event', 'event_text']) {
      expect(cells).not.toContain(`tracks.${kept}`);
      expect(cells).not.toContain(`order_completed.${kept}`);
    }
  });
});

describe('batchWithoutCells', () => {
  it("leaves out the values' columns in their table only, and the batch it copies unchanged for the next try", () => {
    const batch = buildSourceBatch(
      [sampleEvents.identify({ userId: 'u-1', traits: { logins: 3, plan: 'pro' } })],
      options,
    );
    const without = batchWithoutCells(batch, [{ table: 'users', column: 'logins' }]);
    const plan = planLoad(without, undefined);
    const users = plan.tables.find((t) => t.name === 'users');
    const identifies = plan.tables.find((t) => t.name === 'identifies');
    expect(users?.columns.map((c) => c.name)).not.toContain('logins');
    expect(users?.rows[0]?.[users.columns.findIndex((c) => c.name === 'plan')]).toBe('pro');
    expect(identifies?.rows[0]?.[identifies.columns.findIndex((c) => c.name === 'logins')]).toBe(3);
    // Planned once: the original still has every value, to be tried again without others.
    const again = planLoad(batchWithoutCells(batch, []), undefined).tables.find((t) => t.name === 'users');
    expect(again?.rows[0]?.[again.columns.findIndex((c) => c.name === 'logins')]).toBe(3);
  });
});
