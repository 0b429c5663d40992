import { MAX_LISTED_SKIPPED } from '@manifold/warehouse';
import { LoadOutcome, type LoadRecordBase } from './load-outcome';

const base: LoadRecordBase = {
  loadId: 'load-1',
  warehouseId: 'wh-1',
  workspaceId: 'ws-1',
  sourceId: 'src-1',
  schema: 'web',
  startedAt: '2026-12-01T00:00:00.000Z',
  attempt: 1,
};

describe('LoadOutcome', () => {
  it('lists the first refused values each with event and reason, and counts the rest per column', () => {
    const outcome = new LoadOutcome();
    const total = MAX_LISTED_SKIPPED + 3;
    for (let i = 0; i < total; i++) {
      outcome.refusedValue('order_completed', i % 2 === 0 ? 'quantity' : 'coupon', `msg-${i}`, `reason ${i}`);
    }
    const record = outcome.record(base);
    expect(record.status).toBe('partial');
    const listed = record.notices.filter((n) => n.kind === 'value_refused' && n.messageId !== undefined);
    expect(listed).toHaveLength(MAX_LISTED_SKIPPED);
    expect(listed[0]).toEqual({
      kind: 'value_refused',
      table: 'order_completed',
      column: 'quantity',
      messageId: 'msg-0',
      reason: 'reason 0',
      count: 1,
    });
    const counted = record.notices.filter((n) => n.kind === 'value_refused' && n.messageId === undefined);
    expect(counted.map((n) => [n.kind === 'value_refused' && n.column, n.count]).sort()).toEqual([
      ['coupon', 1],
      ['quantity', 2],
    ]);
    expect(record.notices.reduce((sum, n) => sum + n.count, 0)).toBe(total);
  });
});
