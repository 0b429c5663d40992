import { validateInstanceMappings } from '@manifold/destination-kit';
import { destinationById } from '@manifold/destinations';
import { connectionMapping } from './connection-mapping';
import { InvalidReverseEtlInputError, parseConnectionInput, parseModelInput } from './validation';

const webhook = destinationById('webhook');
if (!webhook) throw new Error('no webhook destination');
const model = { id: 'm1', name: 'Customers' };
const checkWebhook = (raw: unknown[]) => validateInstanceMappings(webhook, raw);

function problems(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidReverseEtlInputError) return error.problems;
    throw error;
  }
  throw new Error('expected InvalidReverseEtlInputError');
}

describe('parseModelInput', () => {
  const valid = {
    workspaceId: 'ws',
    name: 'Customers',
    warehouseId: 'wh',
    sql: 'SELECT id, email FROM crm.customers;',
    identifierColumn: 'id',
    schedule: { kind: 'interval', seconds: 3600 },
  };

  it('takes a valid model, enabled and sending its first rows by default', () => {
    expect(parseModelInput(valid, 'm1', '2026-01-01T00:00:00.000Z')).toMatchObject({
      id: 'm1',
      enabled: true,
      startFromNow: false,
      schedule: { kind: 'interval', seconds: 3600 },
    });
  });

  it('lists every problem with its path', () => {
    expect(
      problems(() =>
        parseModelInput(
          {
            ...valid,
            sql: 'SELECT 1; DROP TABLE x',
            identifierColumn: '',
            schedule: { kind: 'cron', expression: '* *' },
          },
          'm1',
          '',
        ),
      ),
    ).toEqual([
      { path: 'sql', message: 'must be one SQL statement (a trailing ; is allowed)' },
      { path: 'identifierColumn', message: 'is required' },
      { path: 'schedule.expression', message: 'a cron expression has 5 fields (minute hour day month weekday), not 2' },
    ]);
  });
});

describe('parseConnectionInput', () => {
  const valid = {
    workspaceId: 'ws',
    modelId: 'm1',
    destinationId: 'd1',
    changeKinds: ['added', 'updated'],
    action: 'send',
    fields: { data: { email: { '@path': '$.properties.email' } } },
  };

  it('takes a connection whose action and mapping the destination has, with a rate limit by default', () => {
    const connection = parseConnectionInput(valid, 'c1', model, checkWebhook);
    expect(connection.rowsPerSecond).toBe(100);
    expect(connectionMapping(connection, model.name)).toEqual({
      id: 'retl-c1',
      name: 'Reverse ETL: Customers (added, updated)',
      enabled: true,
      trigger: 'type = "track" and context.reverseEtl.modelId = "m1" and (event = "new" or event = "updated")',
      action: 'send',
      fields: valid.fields,
    });
  });

  it('refuses an action the destination lacks, unknown change kinds and a malformed directive', () => {
    expect(
      problems(() => parseConnectionInput({ ...valid, changeKinds: ['added', 'moved'] }, 'c1', model, checkWebhook)),
    ).toMatchObject([{ path: 'changeKinds.1' }]);
    const wrong = problems(() =>
      parseConnectionInput({ ...valid, action: 'upsertContact', fields: {} }, 'c1', model, checkWebhook),
    );
    expect(wrong).toHaveLength(1);
    expect(wrong[0]?.path).toBe('action');
    expect(
      problems(() => parseConnectionInput({ ...valid, fields: { data: { '@path': 42 } } }, 'c1', model, checkWebhook))
        .length,
    ).toBeGreaterThan(0);
  });
});
